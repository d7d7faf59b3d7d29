/**
 * A database value as JSON an agent reads: timestamps as ISO text, 64-bit integers as numbers where exact (as text
 * beyond), bytes as `\x` hex (PostgreSQL's own text form), intervals by their parts; JSON stays JSON.
 */

/** The JSON form of one value. */
export const toJson = (value: unknown): unknown => {
  if (value === null || value === undefined) return null
  if (typeof value === "bigint") {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString()
  }
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value)
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString()
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString("hex")}`
  if (Array.isArray(value)) return value.map(toJson)
  if (typeof value === "object") {
    const out: Record<string, unknown> = {}
    for (const [key, inner] of Object.entries(value)) out[key] = toJson(inner)
    return out
  }
  return value
}
