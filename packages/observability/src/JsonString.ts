/**
 * A string as JSON text (`JSON.stringify(text)`'s exact output), fast for the strings log lines and audit records
 * are mostly made of (ids, names, outcomes, timestamps): printable ASCII without a quote or a backslash needs no
 * escaping, and quoting it costs half of a call into `JSON.stringify`. Anything else still goes through it.
 *
 * @since 0.1.0
 */

// Space to tilde, without `"` (0x22) and `\` (0x5c): the characters JSON writes as they are.
const plain = /^[ !#-[\]-~]*$/

/** `JSON.stringify(text)`. */
export const jsonString = (text: string): string => (plain.test(text) ? `"${text}"` : JSON.stringify(text))
