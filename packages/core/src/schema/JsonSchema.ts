/**
 * The JSON Schema 2020-12 documents clients see for tool inputs and outputs and prompt arguments, derived once from
 * the declared Effect Schemas. Objects are published closed (`additionalProperties: false`), as the decoder enforces.
 *
 * A model reads these with every `tools/list`, so they say what the declarations say and nothing else: the
 * descriptions the schemas were annotated with, and a generated one only where no keyword states its check ("a value
 * between 1 and 200" beside `minimum`/`maximum` goes), bounds inline rather than in `allOf` wrappers, and no ±2^53
 * bounds on integers (the safe-integer range; the decoder still checks it).
 */
import { Schema } from "effect"

/** A JSON Schema 2020-12 object as MCP carries it in `inputSchema` / `outputSchema`. */
export type JsonSchemaObject = { readonly type: "object"; readonly [key: string]: unknown }

/**
 * Derives the JSON Schema 2020-12 document a client sees for a schema: the JSON (encoded) side, with shared
 * definitions under `$defs`. MCP requires an object schema at the top.
 */
export const toJsonSchema = (schema: Schema.Top): JsonSchemaObject => {
  const document = Schema.toJsonSchemaDocument(schema, { generateDescriptions: true, onExcessProperty: "error" })
  const defs = Object.keys(document.definitions).length > 0 ? { $defs: compact(document.definitions) } : {}
  let body = compact(rewriteRefs(document.schema)) as Record<string, unknown>
  // An empty struct accepts any object; JSON Schema renders that without a type, MCP wants one.
  if (Schema.isSchema(schema) && schema.ast._tag === "Objects" && body.type === undefined) {
    body = { type: "object", properties: {} }
  }
  if (body.type !== "object") {
    throw new TypeError(`an MCP input/output schema must describe an object, got ${JSON.stringify(body.type)}`)
  }
  // No `$schema`: MCP takes JSON Schema 2020-12 as the dialect of a schema that names none.
  return { ...body, ...defs } as unknown as JsonSchemaObject
}

const rewriteRefs = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(rewriteRefs)
  if (value === null || typeof value !== "object") return value
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) {
    out[key] =
      key === "$ref" && typeof inner === "string" ? inner.replace("#/definitions/", "#/$defs/") : rewriteRefs(inner)
  }
  return out
}

const SAFE_BOUND = Number.MAX_SAFE_INTEGER

const LENGTH_KEYWORDS = ["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"]
const RANGE_KEYWORDS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]

/**
 * Whether `description` is one Effect generated from a check that a keyword of `node` already states ("a string
 * matching the RegExp \\S" beside `pattern: "\\S"`). A generated description whose check has no keyword (a pattern
 * JSON Schema cannot carry) is the only statement of that check, and stays.
 */
const restatesKeyword = (node: Record<string, unknown>, description: string): boolean => {
  const pattern = /^a string matching the RegExp (.*)$/s.exec(description)
  if (pattern !== null) return node.pattern === pattern[1]
  if (/^an? (value|array|object) with (a length|a size|at (least|most))/.test(description)) {
    return LENGTH_KEYWORDS.some((keyword) => keyword in node)
  }
  if (
    /^a (value|number|finite number|integer) (between|greater than|less than|at (least|most)|multiple of)/.test(
      description
    )
  ) {
    return RANGE_KEYWORDS.some((keyword) => keyword in node)
  }
  if (description === "an integer") return node.type === "integer"
  if (description === "a finite number") return node.type === "number"
  return false
}

/** Whether `key` of a schema can take `value` without changing what the schema accepts. */
const mergeable = (target: Record<string, unknown>, key: string, value: unknown): boolean =>
  !(key in target) || JSON.stringify(target[key]) === JSON.stringify(value)

/**
 * A schema without its noise: no ±2^53 integer bounds, no generated description that restates a keyword, and
 * `allOf` members merged in where no keyword clashes.
 */
const compact = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(compact)
  if (value === null || typeof value !== "object") return value
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) out[key] = compact(inner)
  if (out.type === "integer" || out.type === "number") {
    if (out.minimum === -SAFE_BOUND) delete out.minimum
    if (out.maximum === SAFE_BOUND) delete out.maximum
  }
  if (typeof out.description === "string" && restatesKeyword(out, out.description)) delete out.description
  const allOf = out.allOf
  if (Array.isArray(allOf)) {
    const kept: Array<unknown> = []
    delete out.allOf
    for (const member of allOf) {
      const entries =
        member !== null && typeof member === "object" && !Array.isArray(member) && !("$ref" in member)
          ? Object.entries(member as Record<string, unknown>)
          : undefined
      if (entries === undefined || !entries.every(([key, inner]) => mergeable(out, key, inner))) {
        kept.push(member)
        continue
      }
      for (const [key, inner] of entries) out[key] = inner
    }
    if (kept.length > 0) out.allOf = kept
  }
  return out
}
