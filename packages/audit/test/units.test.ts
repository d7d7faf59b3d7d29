/** The pure parts: canonical JSON, storable values, edge records, the hash formula. */
import { Chain, canonicalJson, edgeRecord } from "@bulwark/audit"
import { describe, expect, it } from "@effect/vitest"
import { cleanText, toJsonValue, toStorableJson } from "../src/normalize.ts"
import { sampleRecord } from "./support/records.ts"

describe("canonical JSON", () => {
  it("sorts keys at every level and writes no whitespace", () => {
    expect(canonicalJson({ b: 1, a: [{ d: null, c: "x" }], é: true })).toBe('{"a":[{"c":"x","d":null}],"b":1,"é":true}')
    expect(canonicalJson({ b: 1, a: 2 })).toBe(canonicalJson({ a: 2, b: 1 }))
  })
})

describe("storable values", () => {
  it("replaces NUL and unpaired surrogates, keeps everything else", () => {
    expect(cleanText("a\u0000b\ud800c🎉")).toBe("a\uFFFDb\uFFFDc🎉")
  })

  it("follows JSON.stringify, keeps bigints as text, survives cycles, cuts depth and size", () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(toJsonValue({ a: undefined, b: 1n, c: new Date(0), d: Number.NaN, e: -0 }, 1000)).toEqual({
      b: "1",
      c: "1970-01-01T00:00:00.000Z",
      d: null,
      e: 0
    })
    expect(toJsonValue(cyclic, 1000)).toEqual({ _unserializable: true })
    expect(JSON.stringify(toJsonValue(JSON.parse(`${"[".repeat(50)}${"]".repeat(50)}`), 1000))).toContain("[TOO DEEP]")
    expect(toJsonValue({ s: "x".repeat(100) }, 50)).toEqual({ _truncated: true, bytes: 108 })
  })

  it("writes the canonical text once: a value storable as it is is kept, any other made storable first", () => {
    const plain = JSON.parse('{"b":[1,2.5,{"y":null,"x":"é🎉"}],"a":true,"c":"say \\"hi\\""}')
    const kept = toStorableJson(plain, 1000)
    expect(kept.value).toBe(plain)
    expect(kept.json).toBe(canonicalJson(plain))
    // Each of these is not storable as it is: the text is that of the value made storable.
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    const awkward = [
      { text: "a\u0000b" },
      { "k\u0000": 1 },
      { lone: "\ud800" },
      { zero: -0 },
      { when: new Date(0) },
      { big: 1n },
      { gone: undefined, kept: 1 },
      Object.assign(Object.create({ inherited: 1 }), { own: 2 }),
      JSON.parse(`${"[".repeat(40)}${"]".repeat(40)}`),
      cyclic
    ]
    for (const value of awkward) {
      const storable = toStorableJson(value, 1000)
      expect(storable.value).not.toBe(value)
      expect(storable.value).toEqual(toJsonValue(value, 1000))
      expect(storable.json).toBe(canonicalJson(storable.value))
    }
    expect(toStorableJson({ s: "x".repeat(100) }, 50)).toEqual({
      value: { _truncated: true, bytes: 108 },
      json: '{"_truncated":true,"bytes":108}'
    })
    expect(toStorableJson(undefined, 50)).toEqual({ value: null, json: "null" })
    const throwing = Object.defineProperty({}, "secret", {
      enumerable: true,
      get: () => {
        throw new Error("no")
      }
    })
    expect(toStorableJson(throwing, 1000)).toEqual({
      value: { _unserializable: true },
      json: '{"_unserializable":true}'
    })
  })
})

describe("the hash chain", () => {
  it("covers the previous hash, the id and every field", () => {
    const record = sampleRecord(1)
    const hash = Chain.hashRecord(Chain.GENESIS, 1, record)
    expect(hash).toMatch(/^[0-9a-f]{64}$/)
    expect(Chain.hashRecord(Chain.GENESIS, 1, { ...record })).toBe(hash)
    expect(Chain.hashRecord("f".repeat(64), 1, record)).not.toBe(hash)
    expect(Chain.hashRecord(Chain.GENESIS, 2, record)).not.toBe(hash)
    expect(Chain.hashRecord(Chain.GENESIS, 1, { ...record, durationMs: record.durationMs + 0.001 })).not.toBe(hash)
    expect(Chain.hashRecord(Chain.GENESIS, 1, { ...record, principal: null })).not.toBe(hash)
  })

  it("is computed over the canonical JSON of the record's fields, written field by field", () => {
    const records = [
      sampleRecord(1),
      sampleRecord(2, { principal: null, arguments: null, traceId: "0af7651916cd43dd8448eb211c80319c" }),
      sampleRecord(3, { arguments: { z: [1, { b: "é\u0000", a: null }], '"quoted"': -0.5 }, errorCode: -32003 }),
      sampleRecord(4, { principal: { subject: null, method: "api-key" }, reason: 'line\nbreak "and quotes"' }),
      // Fields a malformed record lacks are left out, as canonical JSON leaves them out.
      { ...sampleRecord(5), arguments: undefined, errorCode: undefined } as unknown as ReturnType<typeof sampleRecord>
    ]
    for (const [i, record] of records.entries()) {
      expect(Chain.hashedText(i, record)).toBe(canonicalJson(Chain.hashedFields(i, record)))
    }
  })
})

describe("edge exchanges", () => {
  it("become rejected records by the refusing step with what is known", () => {
    const record = edgeRecord(
      {
        outcome: "rejected",
        refusedBy: "authentication",
        reason: "expired token",
        principal: { method: "oauth" },
        durationMs: 2
      },
      10_000
    )
    expect(record).toMatchObject({
      time: new Date(9_998),
      tenantId: null,
      principal: { subject: null, method: "oauth" },
      outcome: "rejected",
      rejectedBy: "authentication",
      reason: "expired token",
      arguments: null
    })
    expect(record.requestId).toMatch(/^[0-9a-f-]{36}$/)
  })

  it("say how many requests and from where when refusals are recorded together, and nothing rejected a success", () => {
    const throttled = edgeRecord(
      {
        outcome: "rejected",
        refusedBy: "throttle",
        reason: "too many failed logins",
        count: 37,
        clientAddress: "10.0.0.9"
      },
      5_000
    )
    expect(throttled).toMatchObject({ rejectedBy: "throttle", arguments: { count: 37, clientAddress: "10.0.0.9" } })
    const initialize = edgeRecord({ outcome: "success", refusedBy: "ignored", method: "initialize" }, 5_000)
    expect(initialize).toMatchObject({ outcome: "success", rejectedBy: null, method: "initialize", arguments: null })
  })
})
