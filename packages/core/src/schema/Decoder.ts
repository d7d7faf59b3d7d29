/**
 * Decoding untrusted input (tool and prompt arguments, configuration files) against an Effect Schema, with every
 * problem reported by the field it concerns. Objects are closed: a key the schema does not name is a problem that
 * names the key and the keys that are accepted, because a misspelt argument or setting that is silently dropped
 * changes what happens without a word. Text refuses the NUL character (U+0000) anywhere, in values and keys, unless
 * the caller allows it: no database stores it in text (PostgreSQL refuses it, mid-call), C libraries stop at it, and no
 * legitimate argument needs it, so it is refused here once rather than remembered by every schema.
 */
import { Result, Schema, SchemaAST, SchemaIssue } from "effect"

/** One problem found in input: where (a dotted path) and what was expected. */
export interface InputIssue {
  readonly path: string
  readonly message: string
}

/** Decodes untrusted JSON input against a schema, reporting every problem with the field it concerns. */
export type Decoder<A> = (input: unknown) => Result.Result<A, ReadonlyArray<InputIssue>>

/** How a decoder names the keys of an object in its messages: `argument` for tools, `key` for configuration. */
export interface DecoderOptions {
  readonly noun?: "argument" | "key"
  /** Accept NUL characters in text (refused by default). */
  readonly allowNul?: boolean
}

const NUL_MESSAGE = "must not contain NUL characters (U+0000)"

/** The paths of the strings (values or keys) in JSON input that contain NUL, depth-first. */
const nulPaths = (input: unknown, path: string, found: Array<InputIssue>): void => {
  if (typeof input === "string") {
    if (input.includes("\u0000")) found.push({ path, message: NUL_MESSAGE })
    return
  }
  if (typeof input !== "object" || input === null) return
  if (Array.isArray(input)) {
    for (let i = 0; i < input.length; i++) nulPaths(input[i], `${path}[${i}]`, found)
    return
  }
  for (const key in input) {
    const at = path === "" ? key : `${path}.${key}`
    if (key.includes("\u0000")) found.push({ path: at.replaceAll("\u0000", "\\u0000"), message: NUL_MESSAGE })
    else nulPaths((input as Record<string, unknown>)[key], at, found)
  }
}

const acceptedKeys = (ast: SchemaAST.AST): ReadonlyArray<string> =>
  SchemaAST.isObjects(ast) ? ast.propertySignatures.map((property) => String(property.name)) : []

const formatterFor = (noun: string) =>
  SchemaIssue.makeFormatterStandardSchemaV1({
    leafHook: (issue) => {
      if (issue._tag !== "UnexpectedKey") return SchemaIssue.defaultLeafHook(issue)
      const accepted = acceptedKeys(issue.ast)
      return accepted.length === 0
        ? `unknown ${noun} (none is accepted here)`
        : `unknown ${noun} (accepted: ${accepted.join(", ")})`
    }
  })

const pathText = (path: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined): string =>
  (path ?? [])
    .map((segment) => (typeof segment === "object" ? segment.key : segment))
    .map((key) => (typeof key === "number" ? `[${key}]` : String(key)))
    .join(".")
    .replace(/\.\[/g, "[")

/** A property of a plain object schema: its name, and the `typeof` its value must have. */
type PlainProperty = readonly [name: string, type: "string" | "boolean"]

/** Whether an AST node is bare: no checks, no encoding, not optional. */
const bare = (ast: SchemaAST.AST): boolean =>
  ast.checks === undefined && ast.encoding === undefined && ast.context === undefined

/**
 * The properties of a schema that is an object of required strings and booleans and nothing else (no checks, no
 * transformations, no index signatures: `Schema.Struct({ text: Schema.String })`, the most common tool input), or
 * undefined for any other schema (an empty one included: the schema passes its input through as it is).
 */
const plainProperties = (ast: SchemaAST.AST): ReadonlyArray<PlainProperty> | undefined => {
  if (!SchemaAST.isObjects(ast) || !bare(ast) || ast.encodingChecks !== undefined) return undefined
  if (ast.indexSignatures.length > 0 || ast.propertySignatures.length === 0) return undefined
  const properties: Array<PlainProperty> = []
  for (const { name, type } of ast.propertySignatures) {
    if (typeof name !== "string" || !bare(type)) return undefined
    if (type._tag === "String") properties.push([name, "string"])
    else if (type._tag === "Boolean") properties.push([name, "boolean"])
    else return undefined
  }
  return properties
}

/**
 * Decodes input that the schema of `properties` accepts as it is, or says it cannot (undefined): a plain object with
 * exactly those keys, each with a value of its type. The result is what the schema's decoding makes of such input (a
 * new object, keys in the schema's order), without running it; anything else, every mistake included, is left to it.
 */
const decodePlain = (properties: ReadonlyArray<PlainProperty>, input: unknown): object | undefined => {
  if (typeof input !== "object" || input === null || Object.getPrototypeOf(input) !== Object.prototype) return undefined
  const record = input as Record<string, unknown>
  let keys = 0
  for (const key in record) {
    if (!Object.hasOwn(record, key)) return undefined
    keys += 1
  }
  if (keys !== properties.length) return undefined
  const out: Record<string, unknown> = {}
  for (const [name, type] of properties) {
    const value = record[name]
    if (typeof value !== type || !Object.hasOwn(record, name)) return undefined
    out[name] = value
  }
  return out
}

/** Builds a decoder for the JSON form of a schema (so the JSON Schema a client sees and the decoder agree). */
export const makeDecoder = <S extends Schema.Top>(schema: S, options: DecoderOptions = {}): Decoder<S["Type"]> => {
  const codec = Schema.toCodecJson(schema) as unknown as Schema.Codec<S["Type"], unknown>
  const decode = Schema.decodeUnknownResult(codec)
  const plain = plainProperties(codec.ast)
  const format = formatterFor(options.noun ?? "key")
  const refuseNul = options.allowNul !== true
  return (input) => {
    if (refuseNul) {
      const found: Array<InputIssue> = []
      nulPaths(input, "", found)
      if (found.length > 0) return Result.fail(found)
    }
    if (plain !== undefined) {
      const decoded = decodePlain(plain, input)
      if (decoded !== undefined) return Result.succeed(decoded as S["Type"])
    }
    const result = decode(input, { errors: "all", onExcessProperty: "error" })
    if (Result.isSuccess(result)) return Result.succeed(result.success)
    const formatted = format(result.failure.issue)
    return Result.fail(formatted.issues.map((issue) => ({ path: pathText(issue.path), message: issue.message })))
  }
}

/** Renders one issue: `title: Expected string`. */
export const describeIssue = (issue: InputIssue): string =>
  issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`

/** Renders input issues as one line an agent can act on: `title: Expected string; priority: Missing key`. */
export const describeIssues = (issues: ReadonlyArray<InputIssue>): string => issues.map(describeIssue).join("; ")
