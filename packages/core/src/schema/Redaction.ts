/**
 * Sensitive fields: a field wrapped in `sensitive(schema)` is shown to clients as `writeOnly` and replaced by
 * `[REDACTED]` wherever the framework records arguments (logs, the audit log). The redactor is compiled once per
 * schema; schemas without a sensitive field get the identity.
 */
import type { Schema } from "effect"

/** What a sensitive value is replaced with in logs and the audit log. */
export const REDACTED = "[REDACTED]"

/**
 * Marks a field as sensitive (a password, a token, personal data): the framework replaces it with `[REDACTED]`
 * wherever it records arguments. Clients see it as `writeOnly: true` in the JSON Schema.
 */
export const sensitive = <S extends Schema.Top>(schema: S): S => schema.annotate({ writeOnly: true } as never) as S

type Node = Readonly<Record<string, unknown>>

const isNode = (u: unknown): u is Node => typeof u === "object" && u !== null && !Array.isArray(u)

const mentionsSensitive = (schema: unknown): boolean => JSON.stringify(schema)?.includes('"writeOnly":true') ?? false

/**
 * Builds, once per schema, the function that copies a value with every sensitive field replaced. Schemas without a
 * sensitive field get the identity.
 */
export const makeRedactor = (root: Node): ((value: unknown) => unknown) => {
  if (!mentionsSensitive(root)) return (value) => value
  const defs = isNode(root.$defs) ? root.$defs : {}
  const resolve = (node: Node): Node => {
    const ref = node.$ref
    if (typeof ref === "string" && ref.startsWith("#/$defs/")) {
      const target = defs[ref.slice("#/$defs/".length)]
      return isNode(target) ? target : node
    }
    return node
  }
  const redact = (schemaNode: unknown, value: unknown): unknown => {
    if (!isNode(schemaNode) || value === undefined) return value
    const node = resolve(schemaNode)
    if (node.writeOnly === true) return REDACTED
    let out: unknown = value
    for (const key of ["allOf", "anyOf", "oneOf"] as const) {
      const branches = node[key]
      if (Array.isArray(branches)) for (const branch of branches) out = redact(branch, out)
    }
    if (Array.isArray(out)) {
      const items = node.items
      return isNode(items) ? out.map((item) => redact(items, item)) : out
    }
    if (isNode(out)) {
      const properties = isNode(node.properties) ? node.properties : {}
      const additional = node.additionalProperties
      let copy: Record<string, unknown> | undefined
      for (const [key, inner] of Object.entries(out)) {
        const propertySchema = properties[key] ?? (isNode(additional) ? additional : undefined)
        const redacted = propertySchema === undefined ? inner : redact(propertySchema, inner)
        if (redacted !== inner) {
          copy ??= { ...out }
          copy[key] = redacted
        }
      }
      return copy ?? out
    }
    return out
  }
  return (value) => redact(root, value)
}
