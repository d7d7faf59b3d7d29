import { Result, Schema, SchemaIssue } from "effect"

/** One problem found in client input: where (a dotted path) and what was expected. */
export interface InputIssue {
  readonly path: string
  readonly message: string
}

/** Decodes untrusted JSON input against a schema, reporting every problem with the field it concerns. */
export type Decoder<A> = (input: unknown) => Result.Result<A, ReadonlyArray<InputIssue>>

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

const pathText = (path: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined): string =>
  (path ?? [])
    .map((segment) => (typeof segment === "object" ? segment.key : segment))
    .map((key) => (typeof key === "number" ? `[${key}]` : String(key)))
    .join(".")
    .replace(/\.\[/g, "[")

/** Builds a decoder for the JSON form of a schema (so the JSON Schema a client sees and the decoder agree). */
export const makeDecoder = <S extends Schema.Top>(schema: S): Decoder<S["Type"]> => {
  const decode = Schema.decodeUnknownResult(Schema.toCodecJson(schema) as unknown as Schema.Codec<S["Type"], unknown>)
  return (input) => {
    const result = decode(input, { errors: "all", onExcessProperty: "ignore" })
    if (Result.isSuccess(result)) return Result.succeed(result.success)
    const formatted = formatter(result.failure.issue)
    return Result.fail(formatted.issues.map((issue) => ({ path: pathText(issue.path), message: issue.message })))
  }
}

/** Renders input issues as one line an agent can act on: `title: Expected string; priority: Missing key`. */
export const describeIssues = (issues: ReadonlyArray<InputIssue>): string =>
  issues.map((issue) => (issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`)).join("; ")
