/**
 * The bootstrap key: created (or imported) once when no API key exists at all, never again; atomic across instances.
 */
import crypto from "node:crypto"
import { expect, layer } from "@effect/vitest"
import { Context, Effect, Layer, Option, Redacted } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { ApiKeys, ensureBootstrapKey, generateApiKey, parseApiKey } from "../src/index.ts"
import { buildIsolated } from "./support/isolated.ts"
import { LogCapture } from "./support/LogCapture.ts"
import { appDatabase, TestDatabase } from "./support/TestDatabase.ts"

const Live = ApiKeys.layer.pipe(
  Layer.provideMerge(appDatabase),
  Layer.provideMerge(TestDatabase.layer("bootstrap")),
  Layer.provideMerge(LogCapture.layer)
)

/** `ApiKeys` of an app instance on a fresh database of its own (or on `url`). */
const freshInstance = (url?: string) =>
  Effect.gen(function* () {
    const database =
      url === undefined
        ? Context.get(yield* buildIsolated(TestDatabase.layer("boot")), TestDatabase)
        : { url, name: new URL(url).pathname.slice(1) }
    const context = yield* buildIsolated(
      ApiKeys.layer.pipe(Layer.provideMerge(appDatabase), Layer.provide(Layer.succeed(TestDatabase, database)))
    )
    return { apiKeys: Context.get(context, ApiKeys), sql: Context.get(context, SqlClient), url: database.url }
  })

layer(Live, { excludeTestServices: true })("ensureBootstrapKey", (it) => {
  it.effect("creates a key when none exists, returns it once, and never creates another", () =>
    Effect.gen(function* () {
      const apiKeys = yield* ApiKeys
      const first = yield* ensureBootstrapKey({ tenantId: "default", scopes: ["admin"] })
      expect(Option.isSome(first)).toBe(true)
      const created = Option.getOrThrow(first)
      expect(created.source).toBe("generated")
      expect(created.tenantId).toBe("default")
      const principal = yield* apiKeys.verify(created.key)
      expect(principal).toEqual({ tenantId: "default", subject: created.keyId, scopes: ["admin"], method: "api-key" })

      expect(yield* ensureBootstrapKey({ tenantId: "default" })).toEqual(Option.none())
      // Even when the only key is revoked, a key "exists": bootstrap is for fresh installations only.
      yield* apiKeys.revoke(created.keyId)
      expect(yield* ensureBootstrapKey({ tenantId: "default" })).toEqual(Option.none())
      expect((yield* apiKeys.list()).length).toBe(1)

      const { lines } = yield* LogCapture
      expect(lines.some((line) => line.includes(created.keyId))).toBe(true)
      const secret = parseApiKey(Redacted.value(created.key))!.secret
      expect(lines.some((line) => line.includes(secret))).toBe(false)
    })
  )

  it.effect("imports a preset key, storing only its hash", () =>
    Effect.gen(function* () {
      const { apiKeys, sql } = yield* freshInstance()
      const preset = generateApiKey()
      const imported = Option.getOrThrow(
        yield* ensureBootstrapKey({ tenantId: "default", presetKey: preset.key }).pipe(
          Effect.provideService(ApiKeys, apiKeys)
        )
      )
      expect(imported).toMatchObject({ keyId: preset.keyId, source: "imported" })
      expect((yield* apiKeys.verify(preset.key)).subject).toBe(preset.keyId)
      const secret = parseApiKey(Redacted.value(preset.key))!.secret
      const rows = yield* sql<{ secret_sha256: Uint8Array }>`SELECT secret_sha256 FROM identity_api_keys`
      expect(rows.length).toBe(1)
      expect(Buffer.from(rows[0]!.secret_sha256).toString("hex")).toBe(
        crypto.createHash("sha256").update(secret).digest("hex")
      )
      // A second start with the same preset does nothing.
      expect(
        yield* ensureBootstrapKey({ tenantId: "default", presetKey: preset.key }).pipe(
          Effect.provideService(ApiKeys, apiKeys)
        )
      ).toEqual(Option.none())
    })
  )

  it.effect("refuses a preset that is not a Bulwark key, without echoing it", () =>
    Effect.gen(function* () {
      const { apiKeys } = yield* freshInstance()
      const error = yield* Effect.flip(
        ensureBootstrapKey({ tenantId: "default", presetKey: Redacted.make("hunter2-not-a-key") }).pipe(
          Effect.provideService(ApiKeys, apiKeys)
        )
      )
      expect(error._tag).toBe("InvalidCredentialRequest")
      expect(error.message).not.toContain("hunter2")
      expect(yield* apiKeys.list()).toEqual([])
    })
  )

  it.effect("creates exactly one key when several instances start at once", () =>
    Effect.gen(function* () {
      const first = yield* freshInstance()
      const others = yield* Effect.forEach([1, 2, 3], () => freshInstance(first.url))
      const results = yield* Effect.forEach(
        [first, ...others],
        ({ apiKeys }) => ensureBootstrapKey({ tenantId: "default" }).pipe(Effect.provideService(ApiKeys, apiKeys)),
        { concurrency: "unbounded" }
      )
      expect(results.filter(Option.isSome).length).toBe(1)
      expect((yield* first.apiKeys.list()).length).toBe(1)
    })
  )
})
