import { makeRedactor, REDACTED, sensitive, toJsonSchema } from "@bulwark/core"
import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"

const Credentials = Schema.Struct({ user: Schema.String, password: sensitive(Schema.String) })
const Input = Schema.Struct({
  title: Schema.String,
  apiToken: Schema.optionalKey(sensitive(Schema.String)),
  accounts: Schema.Array(Credentials),
  nested: Schema.Struct({ credentials: Credentials })
})

describe("Redaction", () => {
  it("replaces every field marked sensitive, nested and in arrays, and leaves the input untouched", () => {
    const schema = toJsonSchema(Input)
    const redact = makeRedactor(schema)
    const input = {
      title: "t",
      apiToken: "secret-1",
      accounts: [{ user: "a", password: "secret-2" }],
      nested: { credentials: { user: "b", password: "secret-3" } }
    }
    const out = redact(input)
    expect(out).toEqual({
      title: "t",
      apiToken: REDACTED,
      accounts: [{ user: "a", password: REDACTED }],
      nested: { credentials: { user: "b", password: REDACTED } }
    })
    expect(JSON.stringify(out)).not.toContain("secret")
    expect(input.apiToken).toBe("secret-1")
    expect((schema.properties as Record<string, { writeOnly?: boolean }>).apiToken?.writeOnly).toBe(true)
  })

  it("is the identity for schemas without sensitive fields", () => {
    const redact = makeRedactor(toJsonSchema(Schema.Struct({ a: Schema.String })))
    const input = { a: "x" }
    expect(redact(input)).toBe(input)
  })
})
