/**
 * Canonical JSON text: object keys sorted (by UTF-16 code units), no whitespace, strings and numbers as
 * `JSON.stringify` writes them. Equal JSON values always give the same text, whatever their key order: what the audit
 * log's hash chain is computed over, and what cache keys are made of.
 *
 * @since 0.1.0
 */

/** A JSON value. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | ReadonlyArray<JsonValue>
  | { readonly [key: string]: JsonValue }

/**
 * Writes `value` canonically (`undefined` in an object or array, as JSON has it, is left out or written `null`).
 * Loops and concatenation rather than `map`/`filter`/`join`: the audit chain and cache keys write one per request.
 */
export const canonicalJson = (value: JsonValue): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value)
  if (Array.isArray(value)) {
    let out = "["
    for (let i = 0; i < value.length; i++) out += (i === 0 ? "" : ",") + canonicalJson(value[i] ?? null)
    return `${out}]`
  }
  const object = value as { readonly [key: string]: JsonValue | undefined }
  const keys = Object.keys(object).sort()
  let out = "{"
  for (const key of keys) {
    const inner = object[key]
    if (inner === undefined) continue
    out += `${out.length === 1 ? "" : ","}${JSON.stringify(key)}:${canonicalJson(inner)}`
  }
  return `${out}}`
}
