/**
 * The canonical JSON text the hash chain is computed over: core's `canonicalJson` (object keys sorted, no
 * whitespace), so that equal JSON values always give the same text, whatever the key order PostgreSQL's `jsonb`
 * returns.
 *
 * @since 0.1.0
 */
export { canonicalJson } from "@bulwark/core"
