/**
 * The canonical JSON text the hash chain is computed over: object keys sorted (by UTF-16 code units), no whitespace,
 * strings and numbers as `JSON.stringify` writes them. Equal JSON values always give the same text, whatever the key
 * order PostgreSQL's `jsonb` returns.
 *
 * @since 0.1.0
 */
import type { JsonValue } from "./AuditRecord.ts"

/** Writes `value` canonically. */
export const canonicalJson = (value: JsonValue): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`
  const object = value as { readonly [key: string]: JsonValue }
  const keys = Object.keys(object).sort()
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key] ?? null)}`).join(",")}}`
}
