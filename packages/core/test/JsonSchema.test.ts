/**
 * What a model reads in `tools/list`: the JSON Schema of a declaration says what the declaration says and nothing
 * else. This fails if generated descriptions, `allOf` wrappers around bounds, ±2^53 integer bounds or a `$schema`
 * line come back.
 */

import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { toJsonSchema } from "../src/schema/JsonSchema.ts"

const Input = Schema.Struct({
  title: Schema.String.annotate({ description: "A short summary" }).check(
    Schema.isBetweenLength(1, 200),
    Schema.isPattern(/\S/u)
  ),
  count: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 10 })),
  id: Schema.Int,
  tags: Schema.optionalKey(Schema.Array(Schema.String.check(Schema.isMaxLength(20)))),
  kind: Schema.Literals(["a", "b"])
})

describe("toJsonSchema", () => {
  it("states the declaration's bounds inline, its own descriptions only, and nothing else", () => {
    expect(toJsonSchema(Input)).toEqual({
      type: "object",
      properties: {
        title: { type: "string", description: "A short summary", minLength: 1, maxLength: 200, pattern: "\\S" },
        count: { type: "integer", minimum: 1, maximum: 10 },
        id: { type: "integer" },
        tags: { type: "array", items: { type: "string", maxLength: 20 } },
        kind: { type: "string", enum: ["a", "b"] }
      },
      required: ["title", "count", "id", "kind"],
      additionalProperties: false
    })
  })

  it("keeps what only a description states, and an allOf member that clashes with what is already there", () => {
    const checked = Schema.Struct({
      // Effect states a pattern without the `u` flag only in words: the words stay.
      code: Schema.String.check(Schema.isPattern(/^[A-Z]/), Schema.isPattern(/\d$/)),
      // Two patterns JSON Schema can carry: the second cannot sit beside the first.
      both: Schema.String.check(Schema.isPattern(/^[A-Z]/u), Schema.isPattern(/\d$/u))
    })
    const properties = toJsonSchema(checked).properties as Record<string, Record<string, unknown>>
    expect(properties.code).toEqual({
      type: "string",
      description: "a string matching the RegExp ^[A-Z]",
      allOf: [{ description: "a string matching the RegExp \\d$" }]
    })
    expect(properties.both).toEqual({ type: "string", pattern: "^[A-Z]", allOf: [{ pattern: "\\d$" }] })
  })
})
