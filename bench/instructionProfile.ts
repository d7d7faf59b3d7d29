/**
 * Where a server's instructions go, by function: callgrind's self counts (its dump, with `--perf-basic-prof`'s map
 * naming the JIT's code) summed per function and per kind of code. Exact where a sampled CPU profile is not: it found
 * that two spans a request cost more than any stage of ours, which profiles spread over every kind of Effect step.
 * Code the JIT moved or freed leaves its address to later code, so a name is the map's latest entry covering it.
 */

interface Symbol {
  readonly start: number
  readonly end: number
  readonly order: number
  readonly name: string
}

/** Names of JIT code by address, from `/tmp/perf-<pid>.map` (`start size name` per line, hex). */
const jitNames = (perfMap: string) => {
  const symbols: Array<Symbol> = perfMap
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line, order) => {
      const [start = "0", size = "0"] = line.split(" ", 2)
      const from = Number.parseInt(start, 16)
      return {
        start: from,
        end: from + Number.parseInt(size, 16),
        order,
        name: line.slice(start.length + size.length + 2)
      }
    })
    .sort((a, b) => a.start - b.start)
  const longest = symbols.reduce((max, symbol) => Math.max(max, symbol.end - symbol.start), 0)
  return (address: number): string => {
    let low = 0
    let high = symbols.length - 1
    while (low <= high) {
      const mid = (low + high) >> 1
      if ((symbols[mid] as Symbol).start <= address) low = mid + 1
      else high = mid - 1
    }
    let best: Symbol | undefined
    for (let i = high; i >= 0 && (symbols[i] as Symbol).start > address - longest; i--) {
      const symbol = symbols[i] as Symbol
      if (symbol.start <= address && address < symbol.end && (best === undefined || symbol.order > best.order)) {
        best = symbol
      }
    }
    return best?.name ?? "(JIT code, unnamed)"
  }
}

/** Self instructions by function name in a callgrind dump (calls' inclusive costs are left out). */
export const selfByFunction = (dump: string, perfMap: string): Map<string, number> => {
  const jit = jitNames(perfMap)
  const compressed = new Map<string, string>()
  const nameOf = (token: string) => {
    const match = /^\((\d+)\)(?: (.*))?$/.exec(token)
    if (match === null) return token
    const [, id = "", name] = match
    if (name !== undefined) compressed.set(id, name)
    const known = compressed.get(id) ?? token
    const address = /^0x([0-9a-f]+)/.exec(known)
    return address === null ? known : jit(Number.parseInt(address[1] ?? "0", 16))
  }
  const self = new Map<string, number>()
  let current = ""
  let inCall = false
  for (const line of dump.split("\n")) {
    if (line.startsWith("fn=")) current = nameOf(line.slice(3))
    else if (line.startsWith("cfn=")) nameOf(line.slice(4))
    else if (line.startsWith("calls=")) inCall = true
    else if (/^[0-9+*-]/.test(line)) {
      const cost = Number(line.split(" ")[1] ?? 0)
      if (inCall) inCall = false
      else self.set(current, (self.get(current) ?? 0) + cost)
    }
  }
  return self
}

/** The kind of code a function is: a package of ours, a dependency, Node's, V8's builtins, compiler or GC. */
export const kindOf = (name: string): string => {
  const ours = /\/(packages|plugins|apps)\/([^/]+)\/src\//.exec(name)
  if (ours !== null) return `${ours[1]}/${ours[2]}`
  const dependency = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(name)
  if (dependency !== null) return dependency[1] ?? "dependency"
  if (name.includes("node:")) return "Node (JavaScript)"
  if (name.startsWith("Builtins_")) return "V8 builtins"
  if (/compiler::|[Mm]aglev|[Tt]urboshaft|[Tt]urbofan/.test(name)) return "V8 compiler"
  if (/Scaveng|Marking|Sweep|Heap::|Evacuat|Compactor|MemoryAllocator|RememberedSet|ConcurrentMarking/.test(name)) {
    return "V8 garbage collector"
  }
  if (name.includes("v8::")) return "V8 runtime"
  if (name.startsWith("RegExp")) return "regular expressions"
  if (/sha256|sha512|aes|EVP_|OPENSSL|CRYPTO_/i.test(name)) return "OpenSSL"
  if (name.startsWith("llhttp")) return "HTTP parser (llhttp)"
  if (/memcpy|memset|memmove|memcmp|malloc|free|strlen/.test(name)) return "libc"
  return "other native"
}

/** The top `count` functions and every kind of code, per request. */
export const report = (self: Map<string, number>, requests: number, count: number): string => {
  const kinds = new Map<string, number>()
  for (const [name, cost] of self) kinds.set(kindOf(name), (kinds.get(kindOf(name)) ?? 0) + cost)
  const rows = (entries: Iterable<[string, number]>, limit: number) =>
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, cost]) => `${(cost / requests).toFixed(0).padStart(9)}  ${name.slice(0, 150)}`)
  return [
    "instructions a request by kind of code:",
    ...rows(kinds, kinds.size),
    `the ${count} functions with the most (self):`,
    ...rows(self, count)
  ].join("\n")
}
