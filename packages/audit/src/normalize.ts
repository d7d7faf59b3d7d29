/**
 * Makes any record storable exactly as given, so that the hash computed before the insert is the hash recomputed
 * from the row: text PostgreSQL accepts, JSON that survives `jsonb`, bounded size and depth.
 *
 * @since 0.1.0
 */
import type { AuditRecord, JsonValue } from "./AuditRecord.ts"
import { canonicalJson } from "./CanonicalJson.ts"

/** Nesting deeper than this is cut (PostgreSQL's `jsonb` has its own limit; a batch must never be unwritable). */
export const maxDepth = 32

/** What a value nested deeper than {@link maxDepth} becomes. */
export const TOO_DEEP = "[TOO DEEP]"

/**
 * Text PostgreSQL stores and returns unchanged: NUL (which `text` and `jsonb` refuse) and unpaired surrogates
 * (which UTF-8 cannot carry) become U+FFFD.
 */
export const cleanText = (text: string): string =>
  // Most text is clean already: two checks that allocate nothing, before the two copies that fix it.
  text.isWellFormed() && !text.includes("\u0000") ? text : text.toWellFormed().replaceAll("\u0000", "\uFFFD")

const clean = (value: unknown, depth: number): JsonValue => {
  if (value === null || typeof value === "boolean") return value
  if (typeof value === "number") return Number.isFinite(value) ? (Object.is(value, -0) ? 0 : value) : null
  if (typeof value === "string") return cleanText(value)
  if (depth >= maxDepth) return TOO_DEEP
  if (Array.isArray(value)) return value.map((item) => clean(item, depth + 1))
  if (typeof value === "object") {
    const out: Record<string, JsonValue> = {}
    for (const [key, inner] of Object.entries(value)) out[cleanText(key)] = clean(inner, depth + 1)
    return out
  }
  return null
}

const bigintsAsText = (_key: string, inner: unknown) => (typeof inner === "bigint" ? inner.toString() : inner)

/** `JSON.stringify`, with bigints as strings: without a replacer (a call per key) unless the value holds one. */
const stringify = (value: unknown): string | undefined => {
  try {
    return JSON.stringify(value)
  } catch (error) {
    if (error instanceof TypeError && /BigInt/i.test(error.message)) return JSON.stringify(value, bigintsAsText)
    throw error
  }
}

/**
 * Converts anything to a storable JSON value: `JSON.stringify` semantics (`toJSON`, `undefined` dropped), bigints as
 * strings, cycles and other unserializable values as a marker, then cleaned text and bounded depth. A value whose
 * canonical JSON is longer than `maxBytes` is replaced by `{ "_truncated": true, "bytes": n }`.
 */
export const toJsonValue = (value: unknown, maxBytes: number): JsonValue => {
  if (value === undefined) return null
  let parsed: unknown
  let text: string | undefined
  try {
    text = stringify(value)
    parsed = text === undefined ? null : JSON.parse(text)
  } catch {
    return { _unserializable: true }
  }
  const json = clean(parsed, 0)
  // Cleaning never lengthens the text by more than its escapes, and a UTF-16 unit is at most 3 UTF-8 bytes: most
  // arguments are far enough under the limit that their canonical form need not be measured.
  if ((text?.length ?? 0) * 3 <= maxBytes) return json
  const bytes = Buffer.byteLength(canonicalJson(json), "utf8")
  return bytes > maxBytes ? { _truncated: true, bytes } : json
}

const text = (value: string | null): string | null => (value === null ? null : cleanText(value))

const int32 = (value: number | null): number | null =>
  value !== null && Number.isInteger(value) && value >= -2147483648 && value <= 2147483647 ? value : null

/** The record as it will be stored: clean text, storable arguments, whole milliseconds, microsecond durations. */
export const normalizeRecord = (record: AuditRecord, maxArgumentBytes: number): AuditRecord => {
  const millis = record.time.getTime()
  const subject = record.principal === null ? null : text(record.principal.subject)
  const method = record.principal === null ? null : text(record.principal.method)
  return {
    time: new Date(Number.isFinite(millis) ? Math.trunc(millis) : Date.now()),
    tenantId: text(record.tenantId),
    principal: subject === null && method === null ? null : { subject, method },
    method: text(record.method),
    target: text(record.target),
    arguments: toJsonValue(record.arguments, maxArgumentBytes),
    outcome: record.outcome,
    rejectedBy: text(record.rejectedBy),
    errorCode: int32(record.errorCode),
    reason: text(record.reason),
    durationMs: Number.isFinite(record.durationMs) ? Math.max(0, Math.round(record.durationMs * 1000) / 1000) : 0,
    requestId: cleanText(record.requestId),
    traceId: text(record.traceId)
  }
}
