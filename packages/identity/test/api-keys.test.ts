/**
 * API keys against the real PostgreSQL, in a fresh database of this file.
 */
import crypto from "node:crypto"
import { expect, layer } from "@effect/vitest"
import { Context, Effect, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { vi } from "vitest"
import { ApiKeys, generateApiKey, parseApiKey } from "../src/index.ts"
import { buildIsolated } from "./support/isolated.ts"
import { appDatabase, TestDatabase } from "./support/TestDatabase.ts"

const Live = ApiKeys.layer.pipe(Layer.provideMerge(appDatabase), Layer.provideMerge(TestDatabase.layer("apikeys")))

/** A second app instance on the same database: its own pool and its own ApiKeys. */
const secondInstance = Effect.gen(function* () {
  const testDatabase = yield* TestDatabase
  const context = yield* buildIsolated(
    ApiKeys.layer.pipe(Layer.provide(appDatabase), Layer.provide(Layer.succeed(TestDatabase, testDatabase)))
  )
  return Context.get(context, ApiKeys)
})

const rejection = <A, E>(effect: Effect.Effect<A, E>) => Effect.flip(effect)

layer(Live, { excludeTestServices: true })("ApiKeys", (it) => {
  it.effect("creates a key shown once, verifies it, and lists it without any secret", () =>
    Effect.gen(function* () {
      const apiKeys = yield* ApiKeys
      const created = yield* apiKeys.create({ tenantId: "acme", name: "ci", scopes: ["tools:call", "mcp"] })
      const plaintext = Redacted.value(created.key)
      expect(plaintext).toMatch(/^bwk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/)
      expect(parseApiKey(plaintext)?.keyId).toBe(created.keyId)
      expect(String(created.key)).not.toContain(plaintext)
      expect(JSON.stringify(created)).not.toContain(plaintext)

      const principal = yield* apiKeys.verify(created.key)
      expect(principal).toEqual({
        tenantId: "acme",
        subject: created.keyId,
        scopes: ["tools:call", "mcp"],
        method: "api-key"
      })

      const listed = yield* apiKeys.list("acme")
      const entry = listed.find((key) => key.keyId === created.keyId)
      expect(entry).toMatchObject({ keyId: created.keyId, tenantId: "acme", name: "ci", scopes: ["tools:call", "mcp"] })
      expect(entry?.createdAt).toBeInstanceOf(Date)
      const secret = parseApiKey(plaintext)!.secret
      const everything = JSON.stringify(yield* apiKeys.list())
      expect(everything).not.toContain(secret)
      expect(everything).not.toContain(crypto.createHash("sha256").update(secret).digest("hex"))
      expect(Object.keys(entry ?? {}).sort()).toEqual(
        ["createdAt", "expiresAt", "keyId", "name", "revokedAt", "scopes", "tenantId"].sort()
      )
      expect((yield* apiKeys.list("other-tenant")).some((key) => key.keyId === created.keyId)).toBe(false)
    })
  )

  it.effect("stores only the SHA-256 of the secret", () =>
    Effect.gen(function* () {
      const apiKeys = yield* ApiKeys
      const sql = yield* SqlClient
      const created = yield* apiKeys.create({ tenantId: "acme", name: "hash", scopes: [] })
      const secret = parseApiKey(Redacted.value(created.key))!.secret
      const rows = yield* sql<{ secret_sha256: Uint8Array }>`
        SELECT secret_sha256 FROM identity_api_keys WHERE key_id = ${created.keyId}`
      expect(Buffer.from(rows[0]!.secret_sha256).toString("hex")).toBe(
        crypto.createHash("sha256").update(secret).digest("hex")
      )
      const dump = yield* sql`SELECT * FROM identity_api_keys WHERE key_id = ${created.keyId}`
      expect(JSON.stringify(dump)).not.toContain(secret)
    })
  )

  it.effect("refuses a wrong secret, an unknown key id and a malformed key, each with its reason", () =>
    Effect.gen(function* () {
      const apiKeys = yield* ApiKeys
      const created = yield* apiKeys.create({ tenantId: "acme", name: "x", scopes: [] })
      const { secret } = parseApiKey(Redacted.value(created.key))!
      const flipped = `${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`

      const wrong = yield* rejection(apiKeys.verify(Redacted.make(`bwk_${created.keyId}_${flipped}`)))
      expect(wrong).toMatchObject({ _tag: "ApiKeyRejected", reason: "wrong-secret", keyId: created.keyId })

      const unknown = yield* rejection(apiKeys.verify(generateApiKey().key))
      expect(unknown).toMatchObject({ _tag: "ApiKeyRejected", reason: "unknown" })

      for (const malformed of ["bwk_", `bwk_${created.keyId}_short`, "Bearer x", `${Redacted.value(created.key)}x`]) {
        const error = yield* rejection(apiKeys.verify(Redacted.make(malformed)))
        expect(error).toMatchObject({ _tag: "ApiKeyRejected", reason: "malformed" })
      }
      // No message names the secret.
      for (const error of [wrong, unknown]) {
        expect(error.message).not.toContain(secret)
        expect(error.message).not.toContain(flipped)
      }
    })
  )

  it.effect("compares hashes with crypto.timingSafeEqual, also for unknown key ids", () =>
    Effect.gen(function* () {
      const apiKeys = yield* ApiKeys
      const created = yield* apiKeys.create({ tenantId: "acme", name: "timing", scopes: [] })
      const spy = vi.spyOn(crypto, "timingSafeEqual")
      try {
        yield* apiKeys.verify(created.key)
        expect(spy).toHaveBeenCalledTimes(1)
        // Again, while its row is kept: the secret that matched is compared (in constant time), not hashed again.
        yield* apiKeys.verify(created.key)
        expect(spy).toHaveBeenCalledTimes(2)
        expect(spy.mock.results[1]?.value).toBe(true)
        const { secret } = parseApiKey(Redacted.value(created.key))!
        yield* Effect.flip(
          apiKeys.verify(Redacted.make(`bwk_${created.keyId}_${secret.replace(/^./, (c) => (c === "a" ? "b" : "a"))}`))
        )
        // A wrong secret: unlike the remembered one, then unlike the stored hash.
        expect(spy).toHaveBeenCalledTimes(4)
        expect(spy.mock.results.slice(2).map((result) => result.value)).toEqual([false, false])
        yield* Effect.flip(apiKeys.verify(generateApiKey().key))
        expect(spy).toHaveBeenCalledTimes(5)
        for (const [a, b] of spy.mock.calls) expect((a as Uint8Array).length).toBe((b as Uint8Array).length)
      } finally {
        spy.mockRestore()
      }
    })
  )

  it.effect("refuses an expired key, and expiry must lie in the future", () =>
    Effect.gen(function* () {
      const apiKeys = yield* ApiKeys
      const past = yield* Effect.flip(
        apiKeys.create({ tenantId: "acme", name: "old", scopes: [], expiresAt: new Date(Date.now() - 1000) })
      )
      expect(past._tag).toBe("InvalidCredentialRequest")
      const created = yield* apiKeys.create({
        tenantId: "acme",
        name: "short-lived",
        scopes: [],
        expiresAt: new Date(Date.now() + 400)
      })
      yield* apiKeys.verify(created.key)
      yield* Effect.sleep("600 millis")
      const expired = yield* Effect.flip(apiKeys.verify(created.key))
      expect(expired).toMatchObject({ _tag: "ApiKeyRejected", reason: "expired", keyId: created.keyId })
      const listed = (yield* apiKeys.list("acme")).find((key) => key.keyId === created.keyId)
      expect(listed?.expiresAt?.getTime()).toBe(created.expiresAt?.getTime())
    })
  )

  it.effect("a revocation on one instance is seen by another instance within one second", () =>
    Effect.gen(function* () {
      const apiKeys = yield* ApiKeys
      const other = yield* secondInstance
      expect(other).not.toBe(apiKeys)
      const created = yield* apiKeys.create({ tenantId: "acme", name: "to-revoke", scopes: [] })
      expect((yield* other.verify(created.key)).subject).toBe(created.keyId)
      yield* apiKeys.revoke(created.keyId)
      const revokedAt = Date.now()
      // The revoking instance refuses it at once; another one within the second its rows are trusted for.
      expect(yield* Effect.flip(apiKeys.verify(created.key))).toMatchObject({ reason: "revoked" })
      let seen = yield* Effect.exit(other.verify(created.key))
      while (seen._tag === "Success" && Date.now() - revokedAt < 2000) {
        yield* Effect.sleep("25 millis")
        seen = yield* Effect.exit(other.verify(created.key))
      }
      expect(Date.now() - revokedAt).toBeLessThan(1100)
      expect(seen._tag === "Failure" ? seen.cause.reasons[0] : undefined).toMatchObject({
        error: { _tag: "ApiKeyRejected", reason: "revoked", keyId: created.keyId }
      })
      // Revoking again is a no-op; an unknown key id is reported.
      yield* other.revoke(created.keyId)
      const missing = yield* Effect.flip(other.revoke("0000000000000000"))
      expect(missing._tag).toBe("CredentialNotFound")
      const listed = (yield* apiKeys.list("acme")).find((key) => key.keyId === created.keyId)
      expect(listed?.revokedAt).toBeInstanceOf(Date)
    })
  )

  it.effect(
    "answers from memory only a key it verified within the second, and never a wrong, revoked or expired one",
    () =>
      Effect.gen(function* () {
        const apiKeys = yield* ApiKeys
        const created = yield* apiKeys.create({
          tenantId: "acme",
          name: "hot",
          scopes: ["mcp"],
          expiresAt: new Date(Date.now() + 60_000)
        })
        const expiresAt = created.expiresAt!.getTime()
        // Nothing is known before the store has been asked.
        expect(apiKeys.verifyKnown(created.key, Date.now())).toBeUndefined()
        const principal = yield* apiKeys.verify(created.key)
        const readAt = Date.now()
        expect(apiKeys.verifyKnown(created.key, readAt)).toEqual(principal)
        // Another secret under the same key id, the same key past the row's second or at its expiry: ask the store.
        const { keyId } = parseApiKey(Redacted.value(created.key))!
        const forged = Redacted.make(`bwk_${keyId}_${"A".repeat(43)}`)
        expect(apiKeys.verifyKnown(forged, readAt)).toBeUndefined()
        expect(apiKeys.verifyKnown(created.key, readAt + 1000)).toBeUndefined()
        expect(apiKeys.verifyKnown(created.key, expiresAt)).toBeUndefined()
        // A wrong secret asked of the store does not spoil the verdict on the right one.
        expect(yield* Effect.flip(apiKeys.verify(forged))).toMatchObject({ reason: "wrong-secret" })
        expect(apiKeys.verifyKnown(created.key, Date.now())).toEqual(principal)
        // Revoked here: at once.
        yield* apiKeys.revoke(created.keyId)
        expect(apiKeys.verifyKnown(created.key, Date.now())).toBeUndefined()
        expect(yield* Effect.flip(apiKeys.verify(created.key))).toMatchObject({ reason: "revoked" })
        expect(apiKeys.verifyKnown(created.key, Date.now())).toBeUndefined()
      })
  )

  it.effect("refuses nonsense on creation", () =>
    Effect.gen(function* () {
      const apiKeys = yield* ApiKeys
      for (const input of [
        { tenantId: " ", name: "x", scopes: [] },
        { tenantId: "acme", name: "", scopes: [] },
        { tenantId: "acme", name: "x", scopes: ["has space"] }
      ]) {
        expect((yield* Effect.flip(apiKeys.create(input)))._tag).toBe("InvalidCredentialRequest")
      }
    })
  )
})
