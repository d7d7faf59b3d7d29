/**
 * The admin CLI's command line: `<area> <command> [positionals] [flags]`, turned into the one admin API request it
 * stands for. Pure: no I/O, no environment; a mistake is a `CliUsageError` (exit code 2).
 *
 * @since 0.1.0
 */
import { parseArgs } from "node:util"
import { Data, Result } from "effect"

/** The command line cannot be understood; `message` says what to fix. */
export class CliUsageError extends Data.TaggedError("CliUsageError")<{ readonly message: string }> {}

/** A request to the admin API, as the command line describes it. */
export interface ApiCall {
  readonly method: "GET" | "PUT" | "POST" | "PATCH" | "DELETE"
  /** Path and query, e.g. `/admin/keys?tenant=acme`. */
  readonly path: string
  /** A JSON body given on the command line. */
  readonly body?: unknown
  /** A file whose JSON (or YAML) content is the body. */
  readonly bodyFile?: string
  /** For `audit verify`: the answer's `ok` decides the exit code. */
  readonly requireOk?: boolean
}

/** What the command line asks for. */
export type CliCommand =
  | { readonly _tag: "Help" }
  | { readonly _tag: "Call"; readonly call: ApiCall; readonly url: string | undefined }

const options = {
  url: { type: "string" },
  tenant: { type: "string" },
  name: { type: "string" },
  scopes: { type: "string" },
  expires: { type: "string" },
  file: { type: "string" },
  kind: { type: "string" },
  reason: { type: "string" },
  tool: { type: "string" },
  outcome: { type: "string" },
  since: { type: "string" },
  until: { type: "string" },
  limit: { type: "string" },
  cursor: { type: "string" },
  help: { type: "boolean", short: "h" }
} as const

type Flag = Exclude<keyof typeof options, "url" | "help">
type Flags = Partial<Record<Flag, string>>

/** One command: its positionals, the flags it takes (`!` marks a required one), and the request it makes. */
interface Spec {
  readonly positionals: ReadonlyArray<string>
  readonly flags: ReadonlyArray<`${Flag}` | `${Flag}!`>
  readonly build: (args: ReadonlyArray<string>, flags: Flags) => ApiCall
}

const seg = encodeURIComponent

const queryOf = (pairs: ReadonlyArray<readonly [string, string | undefined]>): string => {
  const params = new URLSearchParams()
  for (const [key, value] of pairs) if (value !== undefined) params.set(key, value)
  const text = params.toString()
  return text === "" ? "" : `?${text}`
}

const scopesOf = (text: string | undefined): ReadonlyArray<string> =>
  (text ?? "")
    .split(",")
    .map((scope) => scope.trim())
    .filter((scope) => scope !== "")

const switchKey = (flags: Flags) => ({
  kind: flags.kind,
  name: flags.name,
  ...(flags.tenant === undefined ? {} : { tenantId: flags.tenant })
})

const credentialCommands = (area: string): Readonly<Record<string, Spec>> => ({
  list: {
    positionals: [],
    flags: ["tenant"],
    build: (_, flags) => ({ method: "GET", path: `/admin/${area}${queryOf([["tenant", flags.tenant]])}` })
  },
  create: {
    positionals: [],
    flags: ["tenant!", "name!", "scopes", "expires"],
    build: (_, flags) => ({
      method: "POST",
      path: `/admin/tenants/${seg(flags.tenant ?? "")}/${area}`,
      body: {
        name: flags.name,
        scopes: scopesOf(flags.scopes),
        ...(flags.expires === undefined ? {} : { expiresAt: flags.expires })
      }
    })
  },
  revoke: {
    positionals: ["keyId"],
    flags: [],
    build: ([keyId]) => ({ method: "DELETE", path: `/admin/${area}/${seg(keyId ?? "")}` })
  }
})

/** Every command, by area and name. */
export const commands: Readonly<Record<string, Readonly<Record<string, Spec>>>> = {
  tenants: {
    list: { positionals: [], flags: [], build: () => ({ method: "GET", path: "/admin/tenants" }) },
    get: { positionals: ["id"], flags: [], build: ([id]) => ({ method: "GET", path: `/admin/tenants/${seg(id!)}` }) },
    put: {
      positionals: ["id"],
      flags: ["file!"],
      build: ([id], flags) => ({ method: "PUT", path: `/admin/tenants/${seg(id!)}`, bodyFile: flags.file! })
    },
    limits: {
      positionals: ["id"],
      flags: ["file!"],
      build: ([id], flags) => ({ method: "PATCH", path: `/admin/tenants/${seg(id!)}/limits`, bodyFile: flags.file! })
    },
    disable: {
      positionals: ["id"],
      flags: [],
      build: ([id]) => ({ method: "POST", path: `/admin/tenants/${seg(id!)}/disable` })
    },
    enable: {
      positionals: ["id"],
      flags: [],
      build: ([id]) => ({ method: "POST", path: `/admin/tenants/${seg(id!)}/enable` })
    }
  },
  keys: credentialCommands("keys"),
  hmac: credentialCommands("hmac"),
  switches: {
    list: { positionals: [], flags: [], build: () => ({ method: "GET", path: "/admin/switches" }) },
    set: {
      positionals: [],
      flags: ["kind!", "name!", "tenant", "reason!"],
      build: (_, flags) => ({
        method: "PUT",
        path: "/admin/switches",
        body: { ...switchKey(flags), reason: flags.reason }
      })
    },
    clear: {
      positionals: [],
      flags: ["kind!", "name!", "tenant"],
      build: (_, flags) => ({ method: "DELETE", path: "/admin/switches", body: switchKey(flags) })
    }
  },
  audit: {
    query: {
      positionals: [],
      flags: ["tenant", "tool", "outcome", "since", "until", "limit", "cursor"],
      build: (_, flags) => ({
        method: "GET",
        path: `/admin/audit${queryOf([
          ["tenant", flags.tenant],
          ["tool", flags.tool],
          ["outcome", flags.outcome],
          ["from", flags.since],
          ["to", flags.until],
          ["limit", flags.limit],
          ["cursor", flags.cursor]
        ])}`
      })
    },
    verify: {
      positionals: [],
      flags: [],
      build: () => ({ method: "GET", path: "/admin/audit/verify", requireOk: true })
    }
  }
}

const usage = (message: string) => Result.fail(new CliUsageError({ message }))

/** Reads `argv` (without `node` and the script). */
export const parse = (argv: ReadonlyArray<string>): Result.Result<CliCommand, CliUsageError> => {
  const read = () => parseArgs({ args: [...argv], options, allowPositionals: true, strict: true })
  let parsed: ReturnType<typeof read>
  try {
    parsed = read()
  } catch (error) {
    // parseArgs throws on an unknown flag or a flag without its value.
    return usage(error instanceof Error ? error.message : String(error))
  }
  const { values, positionals } = parsed
  if (values.help === true) return Result.succeed({ _tag: "Help" })
  if (positionals.length === 0) return usage("Missing <area> <command>")
  const [area = "", command = "", ...args] = positionals
  const group = Object.hasOwn(commands, area) ? commands[area] : undefined
  if (group === undefined) return usage(`Unknown area "${area}"; one of: ${Object.keys(commands).join(", ")}`)
  const spec = Object.hasOwn(group, command) ? group[command] : undefined
  if (spec === undefined) {
    return usage(`Unknown command "${area} ${command}"; one of: ${Object.keys(group).join(", ")}`)
  }
  const shape = [area, command, ...spec.positionals.map((name) => `<${name}>`)].join(" ")
  if (args.length !== spec.positionals.length) return usage(`Expected: ${shape}`)
  const flags: Flags = {}
  for (const flag of Object.keys(options) as ReadonlyArray<keyof typeof options>) {
    if (flag === "url" || flag === "help") continue
    const value = values[flag]
    if (value === undefined) continue
    if (!spec.flags.includes(flag) && !spec.flags.includes(`${flag}!`)) {
      return usage(`"${area} ${command}" does not take --${flag}`)
    }
    flags[flag] = value
  }
  for (const required of spec.flags.filter((flag) => flag.endsWith("!"))) {
    const flag = required.slice(0, -1) as Flag
    if (flags[flag] === undefined || flags[flag] === "") return usage(`"${area} ${command}" needs --${flag}`)
  }
  return Result.succeed({ _tag: "Call", call: spec.build(args, flags), url: values.url })
}
