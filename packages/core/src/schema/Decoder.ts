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

/** Builds a decoder for the JSON form of a schema (so the JSON Schema a client sees and the decoder agree). */
export const makeDecoder = <S extends Schema.Top>(schema: S, options: DecoderOptions = {}): Decoder<S["Type"]> => {
  const decode = Schema.decodeUnknownResult(Schema.toCodecJson(schema) as unknown as Schema.Codec<S["Type"], unknown>)
  const format = formatterFor(options.noun ?? "key")
  const refuseNul = options.allowNul !== true
  return (input) => {
    if (refuseNul) {
      const found: Array<InputIssue> = []
      nulPaths(input, "", found)
      if (found.length > 0) return Result.fail(found)
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
