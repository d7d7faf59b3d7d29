/**
 * Each layer of the defence on its own. The write attacks of the corpus run with one layer switched off at a time
 * (the parser, the read-only transaction, the SELECT-only role), and then with only one layer on: none changes
 * anything (the database's checksum: every table, relation, function, role and role setting). Two layers no
 * setting switches off show in the table too: the cursor the plugin reads through accepts only one query, and the
 * transaction is always rolled back (which undoes even a session-level `set_config`). The table of what caught what is printed. And the plugin refuses to
 * start on a role that could write, or a superuser.
 */
import { randomBytes } from "node:crypto"
import { query } from "@bulwark/database/testing"
import { Cause, Effect, Exit, Layer, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { allDefences, type Defences, layer, UnsafeRole } from "../src/index.ts"
import { attacks } from "./corpus/attacks.ts"
import { type AnalyticsDatabase, checksum, configFor, createAnalyticsDatabase } from "./support/analyticsDatabase.ts"
import { type Outcome, runAs } from "./support/run.ts"

let db: AnalyticsDatabase
let writer: string
let writerUrl: string
let before: string

beforeAll(async () => {
  db = await createAnalyticsDatabase("pglayers")
  writer = `bulwark_writer_${randomBytes(4).toString("hex")}`
  for (const statement of [
    `CREATE ROLE ${writer} LOGIN`,
    `GRANT USAGE, CREATE ON SCHEMA public TO ${writer}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO ${writer}`
  ]) {
    await query(db.ownerUrl, statement)
  }
  const url = new URL(db.readerUrl)
  url.username = writer
  writerUrl = url.toString()
  before = await checksum(db)
}, 60_000)

afterAll(async () => {
  await db?.drop()
  if (writer !== undefined) await query(new URL("/postgres", db.ownerUrl).toString(), `DROP ROLE IF EXISTS ${writer}`)
})

/** Which layer stopped a statement, in words. */
const caughtBy = (outcome: Outcome): string => {
  switch (outcome._tag) {
    case "refused":
      return outcome.layer === "parser" ? "parser" : "allow-list"
    case "failed":
      return outcome.code === "25006"
        ? "read-only transaction"
        : outcome.code === "42501"
          ? "role (permission denied)"
          : outcome.code === "42601" || outcome.code === "0A000"
            ? "one-statement cursor"
            : `database (${outcome.code})`
    case "died":
      return `connection (${outcome.message})`
    case "ran":
      // Only a setting can get this far (`set_config`): the transaction's rollback undoes it.
      return "rollback"
  }
}

const writes = attacks.filter((attack) => attack.write === true)

const settings: ReadonlyArray<{
  readonly name: string
  readonly defences: Defences
  readonly writerRole: boolean
}> = [
  { name: "parser off", defences: { ...allDefences, parser: false }, writerRole: false },
  { name: "read-only off", defences: { ...allDefences, readOnly: false }, writerRole: false },
  { name: "role can write", defences: { ...allDefences, roleCheck: false }, writerRole: true },
  { name: "only the parser", defences: { parser: true, readOnly: false, roleCheck: false }, writerRole: true },
  { name: "only read-only", defences: { parser: false, readOnly: true, roleCheck: false }, writerRole: true },
  { name: "only the role", defences: { parser: false, readOnly: false, roleCheck: true }, writerRole: false }
]

describe("each layer on its own", () => {
  const table: Record<string, Record<string, string>> = {}

  for (const setting of settings) {
    it(`${setting.name}: every write is refused`, async () => {
      const config = configFor(db, setting.writerRole ? { url: writerUrl } : {})
      const databases = ManagedRuntime.make(layer(config, setting.defences))
      try {
        for (const attack of writes) {
          const outcome = await runAs(databases, "acme", attack.sql, attack.params ?? [])
          table[attack.name] = { ...table[attack.name], [setting.name]: caughtBy(outcome) }
          // With the parser on, nothing reaches the database.
          if (setting.defences.parser)
            expect({ attack: attack.name, outcome: outcome._tag }).toMatchObject({ outcome: "refused" })
        }
      } finally {
        await databases.dispose()
      }
      expect(await checksum(db)).toBe(before)
    }, 120_000)
  }

  it("prints what caught what", () => {
    const names = settings.map((setting) => setting.name)
    const lines = [
      `| attack | ${names.join(" | ")} |`,
      `| --- | ${names.map(() => "---").join(" | ")} |`,
      ...Object.entries(table).map(
        ([attack, row]) => `| ${attack} | ${names.map((name) => row[name] ?? "").join(" | ")} |`
      )
    ]
    console.log(lines.join("\n"))
    expect(Object.keys(table).length).toBe(writes.length)
  })
})

describe("the role check", () => {
  /** Builds the plugin's layer (connecting and checking the role), then lets it go. */
  const start = (url: string) => Effect.runPromiseExit(Effect.scoped(Layer.build(layer(configFor(db, { url })))))

  it("refuses a role that can write", async () => {
    const exit = await start(writerUrl)
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
    expect(error).toBeInstanceOf(UnsafeRole)
    expect(String((error as UnsafeRole).message)).toMatch(/can write to public\.|can create objects in schema public/)
  })

  it("refuses a superuser", async () => {
    const exit = await start(db.ownerUrl)
    const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
    expect((error as UnsafeRole).message).toContain("is a superuser")
  })

  it("accepts the README's reader role", async () => {
    expect(Exit.isSuccess(await start(db.readerUrl))).toBe(true)
  })
})
