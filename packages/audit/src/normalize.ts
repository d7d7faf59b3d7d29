/**
 * Makes any record storable exactly as given, so that the hash computed before the insert is the hash recomputed
 * from the row: text PostgreSQL accepts, JSON that survives `jsonb`, bounded size and depth. The arguments' canonical
 * JSON text is made here, once: the hash is computed over it and the row stores it.
 *
 * @since 0.1.0
 */
import type { AuditRecord, JsonValue } from "./AuditRecord.ts"
import { canonicalJson } from "./CanonicalJson.ts"

/** A normalized record, with the canonical JSON text of its arguments (`"null"` for none). */
export interface StorableRecord extends AuditRecord {
  readonly argumentsJson: string
}

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

const isPlainObject = (value: object): boolean => {
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

/**
 * The canonical JSON text of a value that is storable as it is (what `JSON.parse` makes, arguments as requests carry
 * them: plain objects and arrays, finite numbers other than -0, clean text, within the depth), else undefined.
 */
const plainCanonical = (value: unknown, depth: number): string | undefined => {
  if (value === null) return "null"
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false"
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0) ? JSON.stringify(value) : undefined
    case "string":
      return cleanText(value) === value ? JSON.stringify(value) : undefined
    case "object":
      break
    default:
      return undefined
  }
  if (depth >= maxDepth) return undefined
  if (Array.isArray(value)) {
    let out = "["
    for (let i = 0; i < value.length; i++) {
      const inner = plainCanonical(value[i], depth + 1)
      if (inner === undefined) return undefined
      out += i === 0 ? inner : `,${inner}`
    }
    return `${out}]`
  }
  if (!isPlainObject(value)) return undefined
  const object = value as Readonly<Record<string, unknown>>
  const keys = Object.keys(object).sort()
  let out = "{"
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string
    const inner = plainCanonical(object[key], depth + 1)
    if (inner === undefined || cleanText(key) !== key) return undefined
    out += `${i === 0 ? "" : ","}${JSON.stringify(key)}:${inner}`
  }
  return `${out}}`
}

/** A storable JSON value and its canonical JSON text. */
export interface StorableJson {
  readonly value: JsonValue
  readonly json: string
}

const within = (json: string, maxBytes: number): boolean =>
  // A UTF-16 unit is at most 3 UTF-8 bytes: most arguments are far enough under the limit not to be measured.
  json.length * 3 <= maxBytes || Buffer.byteLength(json, "utf8") <= maxBytes

const truncated = (json: string): StorableJson => {
  const value = { _truncated: true, bytes: Buffer.byteLength(json, "utf8") }
  return { value, json: canonicalJson(value) }
}

/**
 * Converts anything to a storable JSON value with its canonical text (see {@link toJsonValue}). A value that is
 * storable as it is (the common case: arguments as a request carried them) is written once and kept as it is;
 * anything else goes through `JSON.stringify` and back, then is cleaned.
 */
export const toStorableJson = (value: unknown, maxBytes: number): StorableJson => {
  if (value === undefined) return { value: null, json: "null" }
  let plain: string | undefined
  try {
    plain = plainCanonical(value, 0)
  } catch {
    // A getter that throws: `JSON.stringify` below meets it too, and marks the value unserializable.
  }
  if (plain !== undefined)
    return within(plain, maxBytes) ? { value: value as JsonValue, json: plain } : truncated(plain)
  let parsed: unknown
  try {
    const text = stringify(value)
    parsed = text === undefined ? null : JSON.parse(text)
  } catch {
    return { value: { _unserializable: true }, json: '{"_unserializable":true}' }
  }
  const cleaned = clean(parsed, 0)
  const json = canonicalJson(cleaned)
  return within(json, maxBytes) ? { value: cleaned, json } : truncated(json)
}

/**
 * Converts anything to a storable JSON value: `JSON.stringify` semantics (`toJSON`, `undefined` dropped), bigints as
 * strings, cycles and other unserializable values as a marker, then cleaned text and bounded depth. A value whose
 * canonical JSON is longer than `maxBytes` is replaced by `{ "_truncated": true, "bytes": n }`.
 */
export const toJsonValue = (value: unknown, maxBytes: number): JsonValue => toStorableJson(value, maxBytes).value

const text = (value: string | null): string | null => (value === null ? null : cleanText(value))

const int32 = (value: number | null): number | null =>
  value !== null && Number.isInteger(value) && value >= -2147483648 && value <= 2147483647 ? value : null

/**
 * The record as it will be stored: clean text, storable arguments (with their canonical text), whole milliseconds,
 * microsecond durations.
 */
export const normalizeRecord = (record: AuditRecord, maxArgumentBytes: number): StorableRecord => {
  const millis = record.time.getTime()
  const subject = record.principal === null ? null : text(record.principal.subject)
  const method = record.principal === null ? null : text(record.principal.method)
  const args = toStorableJson(record.arguments, maxArgumentBytes)
  return {
    time: new Date(Number.isFinite(millis) ? Math.trunc(millis) : Date.now()),
    tenantId: text(record.tenantId),
    principal: subject === null && method === null ? null : { subject, method },
    method: text(record.method),
    target: text(record.target),
    arguments: args.value,
    argumentsJson: args.json,
    outcome: record.outcome,
    rejectedBy: text(record.rejectedBy),
    errorCode: int32(record.errorCode),
    reason: text(record.reason),
    durationMs: Number.isFinite(record.durationMs) ? Math.max(0, Math.round(record.durationMs * 1000) / 1000) : 0,
    requestId: cleanText(record.requestId),
    traceId: text(record.traceId)
  }
}
