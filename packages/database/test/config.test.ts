/**
 * Decoding `DatabaseConfig`, and splitting migration SQL text into statements.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted, Result, Schema } from "effect"
import { DatabaseConfig } from "../src/index.ts"
import { splitSql } from "../src/internal/splitSql.ts"

const decode = Schema.decodeUnknownResult(DatabaseConfig)

describe("DatabaseConfig", () => {
  it("defaults poolSize to 10 and leaves url and embedded out", () => {
    expect(decode({})).toEqual(Result.succeed({ poolSize: 10 }))
    expect(DatabaseConfig.make({})).toEqual({ poolSize: 10 })
  })

  it.effect("keeps the url Redacted, so printing the config never shows the password", () =>
    Effect.gen(function* () {
      const config = yield* Schema.decodeUnknownEffect(DatabaseConfig)({
        url: "postgres://bulwark:s3cret-pw@db.internal:5432/bulwark",
        poolSize: 5,
        embedded: { dataDir: "/var/lib/bulwark" }
      })
      expect(config.poolSize).toBe(5)
      expect(Redacted.value(config.url!)).toBe("postgres://bulwark:s3cret-pw@db.internal:5432/bulwark")
      expect(String(config.url)).not.toContain("s3cret-pw")
      expect(JSON.stringify(config)).not.toContain("s3cret-pw")
    })
  )

  it("rejects a non-postgres url without echoing it, and a pool size that is not a positive integer", () => {
    const badUrl = decode({ url: "mysql://root:s3cret-pw@localhost/db" })
    expect(Result.isFailure(badUrl)).toBe(true)
    if (Result.isFailure(badUrl)) {
      expect(badUrl.failure.message).toContain("postgres://")
      expect(badUrl.failure.message).not.toContain("s3cret-pw")
    }
    expect(Result.isFailure(decode({ poolSize: 0 }))).toBe(true)
    expect(Result.isFailure(decode({ poolSize: 2.5 }))).toBe(true)
    expect(Result.isFailure(decode({ embedded: { dataDir: "" } }))).toBe(true)
    expect(Result.isFailure(decode({ embedded: { inMemory: "yes" } }))).toBe(true)
  })
})

describe("splitSql", () => {
  it("splits on semicolons outside quotes, dollar quotes and comments", () => {
    expect(
      splitSql(`
        -- leading comment; not a statement
        CREATE TABLE a (x text DEFAULT 'semi;colon', "we;ird" int);
        /* block ; /* nested ; */ still comment */
        CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql;
        CREATE FUNCTION g() RETURNS text AS $body$ SELECT 'a;b' $body$ LANGUAGE sql;
        INSERT INTO a (x) VALUES (E'it\\'s; fine'), ('it''s; fine');
        SELECT $1::int;;
        -- trailing comment only
      `)
    ).toEqual([
      `-- leading comment; not a statement
        CREATE TABLE a (x text DEFAULT 'semi;colon', "we;ird" int)`,
      `/* block ; /* nested ; */ still comment */
        CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql`,
      "CREATE FUNCTION g() RETURNS text AS $body$ SELECT 'a;b' $body$ LANGUAGE sql",
      "INSERT INTO a (x) VALUES (E'it\\'s; fine'), ('it''s; fine')",
      "SELECT $1::int"
    ])
  })

  it("returns nothing for empty or comment-only text", () => {
    expect(splitSql("")).toEqual([])
    expect(splitSql("  ;\n -- nothing\n /* here */ ;")).toEqual([])
  })
})
