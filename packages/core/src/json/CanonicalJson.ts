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

/** Writes `value` canonically (`undefined` in an object or array, as JSON has it, is left out or written `null`). */
export const canonicalJson = (value: JsonValue): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(",")}]`
  const object = value as { readonly [key: string]: JsonValue }
  const keys = Object.keys(object)
    .filter((key) => object[key] !== undefined)
    .sort()
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key] ?? null)}`).join(",")}}`
}
