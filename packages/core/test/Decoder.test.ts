/**
 * The decoder's shortcut for plain object schemas (required strings and booleans, nothing else) decodes exactly as the
 * schema does: the same value with its keys in the schema's order, or the same issues, for input that fits and every
 * kind that does not; schemas with checks, optional keys, numbers or nesting are decoded by the schema alone.
 */
import { describe, expect, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import { makeDecoder } from "../src/schema/Decoder.ts"

const schemas = {
  plain: Schema.Struct({ text: Schema.String, loud: Schema.Boolean, title: Schema.String }),
  empty: Schema.Struct({}),
  checked: Schema.Struct({ text: Schema.String.check(Schema.isMinLength(2)) }),
  optional: Schema.Struct({ text: Schema.String, note: Schema.optionalKey(Schema.String) }),
  numbers: Schema.Struct({ n: Schema.Number }),
  nested: Schema.Struct({ inner: Schema.Struct({ text: Schema.String }) })
} as const

class Custom {
  readonly text = "a"
  readonly loud = true
  readonly title = "b"
}
const inherited = Object.assign(Object.create({ loud: true }) as Record<string, unknown>, { text: "a", title: "b" })

const inputs: ReadonlyArray<unknown> = [
  { text: "a", loud: true, title: "b" },
  { title: "b", text: "a", loud: false },
  { text: "a", loud: true },
  { text: "a", loud: true, title: "b", extra: 1 },
  { text: 1, loud: true, title: "b" },
  { text: "a", loud: "yes", title: "b" },
  { text: "a", loud: true, title: null },
  { text: "a", loud: true, title: undefined },
  { text: "x" },
  { text: "xy", note: "n" },
  { n: 1 },
  { n: Number.NaN },
  { inner: { text: "a" } },
  {},
  [],
  ["a"],
  null,
  "text",
  1,
  new Custom(),
  inherited,
  Object.assign(Object.create(null) as Record<string, unknown>, { text: "a", loud: true, title: "b" })
]

/** What the schema alone makes of the input. */
const reference = (schema: Schema.Top, input: unknown) =>
  Schema.decodeUnknownResult(Schema.toCodecJson(schema) as unknown as Schema.Codec<unknown, unknown>)(input, {
    errors: "all",
    onExcessProperty: "error"
  })

describe("makeDecoder", () => {
  it("decodes every input as the schema does, plain object schemas included", () => {
    for (const [name, schema] of Object.entries(schemas)) {
      const decode = makeDecoder(schema)
      for (const input of inputs) {
        const ours = decode(input)
        const theirs = reference(schema, input)
        const what = `${name} ${JSON.stringify(input)}`
        expect(Result.isSuccess(ours), what).toBe(Result.isSuccess(theirs))
        if (Result.isSuccess(ours) && Result.isSuccess(theirs)) {
          expect(ours.success, what).toStrictEqual(theirs.success)
          expect(Object.keys(ours.success as object), what).toStrictEqual(Object.keys(theirs.success as object))
          expect(ours.success === input, what).toBe(theirs.success === input)
        }
      }
    }
  })

  it("names each problem of input that does not fit a plain object schema", () => {
    const decode = makeDecoder(schemas.plain, { noun: "argument" })
    const result = decode({ text: 1, loud: true, extra: "x" })
    expect(Result.isFailure(result) ? result.failure : []).toStrictEqual([
      { path: "extra", message: "unknown argument (accepted: text, loud, title)" },
      { path: "text", message: "Expected string" },
      { path: "title", message: "Missing key" }
    ])
  })

  it("refuses NUL in a plain object's text before anything else", () => {
    const result = makeDecoder(schemas.plain)({ text: "a\u0000", loud: true, title: "b" })
    expect(Result.isFailure(result) ? result.failure : []).toStrictEqual([
      { path: "text", message: "must not contain NUL characters (U+0000)" }
    ])
  })
})
