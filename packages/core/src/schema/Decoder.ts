/**
 * Decoding untrusted input (tool and prompt arguments, configuration files) against an Effect Schema, with every
 * problem reported by the field it concerns. Objects are closed: a key the schema does not name is a problem that
 * names the key and the keys that are accepted, because a misspelt argument or setting that is silently dropped
 * changes what happens without a word.
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
  return (input) => {
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
