/**
 * JSON Merge Patch (RFC 7386): an object patch replaces the keys it names, `null` removes one, nested objects merge,
 * anything else replaces the whole value.
 *
 * @since 0.1.0
 */

/** Whether a value is a plain JSON object (not an array, not null). */
export const isJsonObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Applies `patch` to `target` and returns the result; neither is modified. */
export const mergePatch = (target: unknown, patch: unknown): unknown => {
  if (!isJsonObject(patch)) return patch
  const result: Record<string, unknown> = isJsonObject(target) ? { ...target } : {}
  for (const [key, value] of Object.entries(patch)) {
    // `__proto__` would set the result's prototype instead of a key; no configuration has such a key.
    if (key === "__proto__") continue
    if (value === null) delete result[key]
    else result[key] = mergePatch(result[key], value)
  }
  return result
}
