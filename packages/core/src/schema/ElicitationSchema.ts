/**
 * The form an elicitation shows the user, derived from the Effect Schema a handler asks with: MCP allows only a flat
 * object of primitives (strings, numbers, booleans, single- and multi-select enums), and this module says precisely
 * which field does not fit when a schema is outside that.
 */
import { Schema } from "effect"

/** One property of an elicitation form: a string, number, integer, boolean, or a single/multi-select string enum. */
export type ElicitationProperty = { readonly [key: string]: unknown }

/**
 * The restricted JSON Schema MCP allows in `elicitation/create`: a flat object of primitive properties, titled enums as
 * `oneOf`/`anyOf` lists of `{ const, title }`.
 */
export interface ElicitationSchema {
  readonly type: "object"
  readonly properties: Readonly<Record<string, ElicitationProperty>>
  readonly required?: ReadonlyArray<string>
}

type Node = { readonly [key: string]: unknown }

const isNode = (value: unknown): value is Node => typeof value === "object" && value !== null && !Array.isArray(value)

/** Keywords a property keeps besides the ones normalized below. */
const PROPERTY_KEYWORDS = new Set([
  "type",
  "title",
  "description",
  "default",
  "format",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "minItems",
  "maxItems",
  "enum",
  "enumNames",
  "oneOf",
  "items"
])

/** `Schema.Int`'s implicit bounds: true of every integer a form can hold, noise in a form. */
const SAFE_INTEGER_BOUNDS: Node = { minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }

const resolve = (node: unknown, definitions: Node): Node => {
  if (!isNode(node)) return {}
  const ref = node.$ref
  if (typeof ref === "string") {
    const name = decodeURIComponent(ref.replace(/^#\/(\$defs|definitions)\//, ""))
      .replace(/~1/g, "/")
      .replace(/~0/g, "~")
    const { $ref: _, ...rest } = node
    return { ...resolve(definitions[name], definitions), ...rest }
  }
  return node
}

/** Folds `allOf` fragments (Effect renders a second check that way) into the node itself. */
const flatten = (node: Node, definitions: Node): Node => {
  const allOf = node.allOf
  if (!Array.isArray(allOf)) return node
  const { allOf: _, ...rest } = node
  const merged: Record<string, unknown> = { ...rest }
  for (const part of allOf) {
    const { description: _description, ...fragment } = flatten(resolve(part, definitions), definitions)
    Object.assign(merged, fragment)
  }
  return merged
}

/** A single string literal with an optional title, as Effect renders `Schema.Literal("a").annotate({ title })`. */
const literalOption = (node: Node): { readonly value: string; readonly title: string | undefined } | undefined => {
  const values = Array.isArray(node.enum) ? node.enum : "const" in node ? [node.const] : []
  const value = values[0]
  if (values.length !== 1 || typeof value !== "string") return undefined
  return { value, title: typeof node.title === "string" ? node.title : undefined }
}

/** A union of string literals: a titled list when every option has a title, a plain enum otherwise. */
const literalUnion = (
  node: Node,
  definitions: Node
): { readonly values: ReadonlyArray<string>; readonly titled?: ReadonlyArray<Node> } | undefined => {
  const branches = Array.isArray(node.anyOf) ? node.anyOf : Array.isArray(node.oneOf) ? node.oneOf : undefined
  if (branches === undefined) return undefined
  const options = branches.map((branch) => literalOption(flatten(resolve(branch, definitions), definitions)))
  if (options.length === 0 || options.some((option) => option === undefined)) return undefined
  const present = options as ReadonlyArray<{ readonly value: string; readonly title: string | undefined }>
  const values = present.map((option) => option.value)
  return present.every((option) => option.title !== undefined)
    ? { values, titled: present.map((option) => ({ const: option.value, title: option.title })) }
    : { values }
}

/** `Schema.Number` renders as number-or-non-finite-string; a form field can only hold the number. */
const finiteNumber = (node: Node, definitions: Node): Node | undefined => {
  if (!Array.isArray(node.anyOf)) return undefined
  const branches = node.anyOf.map((branch) => flatten(resolve(branch, definitions), definitions))
  const number = branches.find((branch) => branch.type === "number" || branch.type === "integer")
  const others = branches.filter((branch) => branch !== number)
  const nonFinite = others.every(
    (branch) =>
      branch.type === "string" &&
      Array.isArray(branch.enum) &&
      branch.enum.every((value) => value === "Infinity" || value === "-Infinity" || value === "NaN")
  )
  return number !== undefined && nonFinite ? number : undefined
}

const keep = (node: Node): Node => {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) {
    if (!PROPERTY_KEYWORDS.has(key)) continue
    if ((key === "minimum" || key === "maximum") && value === SAFE_INTEGER_BOUNDS[key]) continue
    out[key] = value
  }
  return out
}

const property = (raw: Node, definitions: Node): ElicitationProperty => {
  const node = flatten(raw, definitions)
  const { anyOf: _anyOf, oneOf: _oneOf, ...annotations } = node
  const union = literalUnion(node, definitions)
  if (union !== undefined) {
    return keep({
      ...annotations,
      type: "string",
      ...(union.titled === undefined ? { enum: union.values } : { oneOf: union.titled })
    })
  }
  const number = finiteNumber(node, definitions)
  if (number !== undefined) return keep({ ...annotations, ...number })
  if (node.type === "array") {
    const items = flatten(resolve(node.items, definitions), definitions)
    const itemUnion = literalUnion(items, definitions)
    const single = literalOption(items)
    const normalizedItems =
      itemUnion === undefined
        ? single === undefined
          ? { type: items.type, ...(Array.isArray(items.enum) ? { enum: items.enum } : {}) }
          : { type: "string", enum: [single.value] }
        : itemUnion.titled === undefined
          ? { type: "string", enum: itemUnion.values }
          : { anyOf: itemUnion.titled }
    return keep({ ...node, items: normalizedItems })
  }
  return keep(node)
}

/**
 * Derives the form a client shows for an elicitation from an Effect Schema struct. Effect renders some primitives as
 * unions (`Schema.Number`, titled literal unions); MCP wants them flat, so they are rewritten into the restricted
 * vocabulary: a union of titled string literals becomes `{ type: "string", oneOf: [{ const, title }] }`, an array of
 * them `{ type: "array", items: { anyOf: [...] } }`. Defaults, titles and descriptions are kept, and an `enumNames`
 * annotation (the deprecated titled enum) is passed through.
 */
export const toElicitationSchema = (schema: Schema.Top): ElicitationSchema => {
  const document = Schema.toJsonSchemaDocument(schema, { includeAnnotationKey: (key) => key === "enumNames" })
  const definitions = document.definitions as Node
  const root = flatten(resolve(document.schema, definitions), definitions)
  const isStruct = Schema.isSchema(schema) && schema.ast._tag === "Objects"
  if (!isStruct && root.type !== "object") {
    throw new TypeError(`an elicitation schema must describe an object, got ${JSON.stringify(root.type)}`)
  }
  const properties: Record<string, ElicitationProperty> = {}
  for (const [name, node] of Object.entries(isNode(root.properties) ? root.properties : {})) {
    properties[name] = property(resolve(node, definitions), definitions)
  }
  const required = Array.isArray(root.required)
    ? root.required.filter((key): key is string => typeof key === "string")
    : []
  return { type: "object", properties, ...(required.length === 0 ? {} : { required }) }
}
