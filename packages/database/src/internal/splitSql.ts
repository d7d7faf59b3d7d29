/**
 * Splits SQL text into single statements.
 *
 * `@effect/sql-pg` sends every statement through the extended protocol, which accepts one statement per message,
 * so a migration's SQL text is split here. Semicolons inside quotes (`'...'`, `E'...'`, `"..."`), dollar quotes
 * (`$$...$$`, `$tag$...$tag$`) and comments (`--`, nested `/* *\/`) do not split.
 *
 * @internal
 */

const isIdentChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c)

/** The statements of `text`, trimmed, without their trailing `;`, empty ones (and comment-only ones) left out. */
export const splitSql = (text: string): ReadonlyArray<string> => {
  const statements: Array<string> = []
  let start = 0
  let hasCode = false
  let i = 0
  const n = text.length
  const push = (end: number) => {
    const statement = text.slice(start, end).trim()
    if (hasCode && statement !== "") statements.push(statement)
    hasCode = false
  }
  while (i < n) {
    const c = text[i]!
    const next = text[i + 1]
    if (c === "-" && next === "-") {
      const end = text.indexOf("\n", i)
      i = end === -1 ? n : end + 1
    } else if (c === "/" && next === "*") {
      let depth = 1
      i += 2
      while (i < n && depth > 0) {
        if (text[i] === "/" && text[i + 1] === "*") {
          depth++
          i += 2
        } else if (text[i] === "*" && text[i + 1] === "/") {
          depth--
          i += 2
        } else i++
      }
    } else if (c === "'" || c === '"') {
      // E'...' strings allow backslash escapes; doubled quotes escape in all of them.
      const backslash = c === "'" && (text[i - 1] === "E" || text[i - 1] === "e") && !isIdentChar(text[i - 2])
      hasCode = true
      i++
      while (i < n) {
        if (backslash && text[i] === "\\") i += 2
        else if (text[i] === c && text[i + 1] === c) i += 2
        else if (text[i] === c) {
          i++
          break
        } else i++
      }
    } else if (c === "$" && !isIdentChar(text[i - 1])) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i))
      hasCode = true
      if (tag === null) i++
      else {
        const end = text.indexOf(tag[0], i + tag[0].length)
        i = end === -1 ? n : end + tag[0].length
      }
    } else if (c === ";") {
      push(i)
      i++
      start = i
    } else {
      if (!/\s/.test(c)) hasCode = true
      i++
    }
  }
  push(n)
  return statements
}
