/**
 * Timestamps as ISO 8601 text (`Date.prototype.toISOString`'s exact output), fast: every log line and every audit
 * record writes one, and `toISOString` costs about a microsecond. The text up to the second is made once a second;
 * the milliseconds are appended.
 *
 * @since 0.1.0
 */

let cachedSecond = Number.NaN
let cachedPrefix = ""

// Years 0000-9999: outside them `toISOString` writes a six-digit signed year and the prefix has another length.
const lastMillis = 253402300800000

/** `new Date(millis).toISOString()`. */
export const isoTime = (millis: number): string => {
  if (!(millis >= 0 && millis < lastMillis)) return new Date(millis).toISOString()
  const second = Math.floor(millis / 1000)
  if (second !== cachedSecond) {
    cachedSecond = second
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20)
  }
  const rest = millis - second * 1000
  return `${cachedPrefix}${rest < 10 ? "00" : rest < 100 ? "0" : ""}${rest}Z`
}
