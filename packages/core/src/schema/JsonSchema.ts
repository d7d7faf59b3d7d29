/**
 * The JSON Schema 2020-12 documents clients see for tool inputs and outputs and prompt arguments, derived once from
 * the declared Effect Schemas. Objects are published closed (`additionalProperties: false`), as the decoder enforces.
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
  const defs = Object.keys(document.definitions).length > 0 ? { $defs: document.definitions } : {}
  let body = rewriteRefs(document.schema) as Record<string, unknown>
  // An empty struct accepts any object; JSON Schema renders that without a type, MCP wants one.
  if (Schema.isSchema(schema) && schema.ast._tag === "Objects" && body.type === undefined) {
    body = { type: "object", properties: {} }
  }
  if (body.type !== "object") {
    throw new TypeError(`an MCP input/output schema must describe an object, got ${JSON.stringify(body.type)}`)
  }
  return { $schema: "https://json-schema.org/draft/2020-12/schema", ...body, ...defs } as unknown as JsonSchemaObject
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
