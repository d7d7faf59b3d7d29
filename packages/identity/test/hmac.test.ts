/**
 * HMAC-signed requests through core's `Authentication` port, against the real PostgreSQL (fresh database) and Redis (unique
 * key prefix).
 */
import { randomBytes } from "node:crypto"
import { type AddressInfo, createServer } from "node:net"
import { Authentication } from "@bulwark/core"
import { expect, layer } from "@effect/vitest"
import { Context, Effect, Layer, Redacted, Schema } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { Authenticator, HmacCredentials, IdentityConfig } from "../src/index.ts"
import { authenticate, body, mcpUrl, reasons, refused, signed } from "./support/edge.ts"
import { buildIsolated } from "./support/isolated.ts"
import { appDatabase, TestDatabase } from "./support/TestDatabase.ts"

const masterKey = randomBytes(32).toString("base64")
const redisPrefix = `bulwark-test:identity:${randomBytes(6).toString("hex")}`

const configOf = (overrides: Record<string, unknown> = {}) =>
  Schema.decodeUnknownSync(IdentityConfig)({
    apiKeys: { enabled: true },
    hmac: { enabled: true, skew: "5 minutes", masterKey },
    ...overrides
  })

/** One app instance: its own pool and authenticator on the shared test database. */
const instance = (config: IdentityConfig) =>
  Effect.gen(function* () {
    const testDatabase = yield* TestDatabase
    const context = yield* buildIsolated(
      Authenticator.layer(config).pipe(
        Layer.provide(appDatabase),
        Layer.provide(Layer.succeed(TestDatabase, testDatabase))
      )
    )
    return {
      edge: Context.get(context, Authentication.Authentication),
      credentials: Context.get(context, HmacCredentials)
    }
  })

const Live = Authenticator.layer(configOf()).pipe(
  Layer.provideMerge(appDatabase),
  Layer.provideMerge(TestDatabase.layer("hmac"))
)

const newCredential = Effect.gen(function* () {
  const credentials = yield* HmacCredentials
  const created = yield* credentials.create({ tenantId: "acme", name: "robot", scopes: ["mcp"] })
  return { keyId: created.keyId, secret: Redacted.value(created.secret) }
})

const secrets: Array<string> = []

layer(Live, { excludeTestServices: true })("HMAC-signed requests", (it) => {
  it.effect("accepts a correctly signed request as the credential's principal", () =>
    Effect.gen(function* () {
      const credential = yield* newCredential
      secrets.push(credential.secret)
      expect(credential.keyId).toMatch(/^bwh_[0-9a-f]{16}$/)
      expect(credential.secret).toMatch(/^bwhs_[A-Za-z0-9_-]{43}$/)
      const principal = yield* authenticate(signed(credential).request)
      expect(principal).toEqual({ tenantId: "acme", subject: credential.keyId, scopes: ["mcp"], method: "hmac" })
      // The query string is signed too, and an empty body works (GET).
      const get = signed(credential, { signedUrl: `${mcpUrl}?cursor=abc`, signedMethod: "GET", signedBody: "" })
      const getRequest = new Request(`${mcpUrl}?cursor=abc`, { method: "GET", headers: get.headers })
      expect((yield* authenticate(getRequest, "")).subject).toBe(credential.keyId)
    })
  )

  it.effect("stores the secret only encrypted, and lists credentials without it", () =>
    Effect.gen(function* () {
      const credential = yield* newCredential
      const sql = yield* SqlClient
      const rows = yield* sql`SELECT * FROM identity_hmac_credentials WHERE key_id = ${credential.keyId}`
      const stored = Buffer.from((rows[0] as { secret_sealed: Uint8Array }).secret_sealed)
      expect(stored.includes(Buffer.from(credential.secret))).toBe(false)
      expect(stored.includes(Buffer.from(credential.secret.slice(5)))).toBe(false)
      expect(stored.length).toBe(1 + 12 + 16 + credential.secret.length)
      const listed = yield* (yield* HmacCredentials).list("acme")
      expect(listed.map((entry) => entry.keyId)).toContain(credential.keyId)
      expect(JSON.stringify(listed)).not.toContain(credential.secret)
    })
  )

  it.effect("refuses a tampered body, path, query or method with the same generic 401", () =>
    Effect.gen(function* () {
      const credential = yield* newCredential
      const cases = [
        signed(credential, { sentBody: body.replace("tools/list", "tools/call") }),
        signed(credential, { sentUrl: "http://localhost:3000/admin" }),
        signed(credential, { sentUrl: `${mcpUrl}?tenant=other` }),
        signed(credential, { sentMethod: "PUT" })
      ]
      const answers = []
      for (const { request } of cases) {
        const text = yield* Effect.promise(() => request.clone().text())
        answers.push(yield* refused(request, text))
      }
      for (const answer of answers) {
        expect(answer.status).toBe(401)
        expect(answer.reason).toBe(`hmac: HMAC signature rejected: bad-signature (key ${credential.keyId})`)
        expect(answer.body).toBe(answers[0]?.body)
        expect(answer.challenge).toBe(answers[0]?.challenge)
      }
      expect(answers[0]?.body).not.toContain("signature")
    })
  )

  it.effect("refuses timestamps outside the skew window, either way", () =>
    Effect.gen(function* () {
      const credential = yield* newCredential
      const now = Math.floor(Date.now() / 1000)
      for (const timestamp of [now - 301, now + 301]) {
        const answer = yield* refused(signed(credential, { timestamp }).request)
        expect(answer.status).toBe(401)
        expect(answer.reason).toContain("stale")
      }
      // Just inside the window is fine.
      expect((yield* authenticate(signed(credential, { timestamp: now - 290 }).request)).subject).toBe(credential.keyId)
    })
  )

  it.effect("refuses a replayed signature (in-memory cache)", () =>
    Effect.gen(function* () {
      const credential = yield* newCredential
      const { headers } = signed(credential)
      const first = new Request(mcpUrl, { method: "POST", headers, body })
      const again = new Request(mcpUrl, { method: "POST", headers, body })
      yield* authenticate(first)
      const answer = yield* refused(again)
      expect(answer.status).toBe(401)
      expect(answer.reason).toContain("replayed")
    })
  )

  it.effect("refuses unknown, malformed, revoked and expired credentials", () =>
    Effect.gen(function* () {
      const credentials = yield* HmacCredentials
      const credential = yield* newCredential
      const unknown = yield* refused(signed({ keyId: "bwh_0000000000000000", secret: credential.secret }).request)
      expect(unknown.reason).toContain("unknown")
      const malformed = yield* refused(signed({ keyId: "'; DROP TABLE x; --", secret: credential.secret }).request)
      expect(malformed.reason).toContain("malformed")
      const partial = signed(credential).headers
      const missing = yield* refused(
        new Request(mcpUrl, { method: "POST", body, headers: { "x-bulwark-key-id": partial["x-bulwark-key-id"]! } })
      )
      expect(missing.reason).toContain("malformed")

      yield* credentials.revoke(credential.keyId)
      const revoked = yield* refused(signed(credential).request)
      expect(revoked.reason).toContain("revoked")

      const shortLived = yield* credentials.create({
        tenantId: "acme",
        name: "short",
        scopes: [],
        expiresAt: new Date(Date.now() + 300)
      })
      yield* Effect.sleep("500 millis")
      const expired = yield* refused(
        signed({ keyId: shortLived.keyId, secret: Redacted.value(shortLived.secret) }).request
      )
      expect(expired.reason).toContain("expired")
      for (const answer of [unknown, malformed, missing, revoked, expired]) {
        expect(answer.status).toBe(401)
        expect(answer.body).toBe(unknown.body)
      }
    })
  )

  it.effect("shares the replay cache through Redis: a second instance refuses the replay", () =>
    Effect.gen(function* () {
      const config = configOf({
        redisUrl: "redis://127.0.0.1:6379",
        redisKeyPrefix: redisPrefix,
        hmac: { enabled: true, skew: "5 seconds", masterKey }
      })
      const a = yield* instance(config)
      const b = yield* instance(config)
      const created = yield* a.credentials.create({ tenantId: "acme", name: "shared", scopes: [] })
      const credential = { keyId: created.keyId, secret: Redacted.value(created.secret) }
      const { headers } = signed(credential)
      const send = () => new Request(mcpUrl, { method: "POST", headers, body })
      expect((yield* a.edge.authenticate(Authentication.fromWebRequest(send(), body))).subject).toBe(created.keyId)
      const replay = yield* Effect.flip(b.edge.authenticate(Authentication.fromWebRequest(send(), body)))
      expect(replay.status).toBe(401)
      expect(replay.reason).toContain("replayed")
      // Memory-only instances would each have accepted it once: the cache is what is shared.
      const lone = yield* instance(configOf({ hmac: { enabled: true, skew: "5 seconds", masterKey } }))
      expect((yield* lone.edge.authenticate(Authentication.fromWebRequest(send(), body))).subject).toBe(created.keyId)
    })
  )

  it.effect("without a master key HMAC cannot be enabled, and credentials cannot be created", () =>
    Effect.gen(function* () {
      const noKey = configOf({ hmac: { enabled: true } })
      const failed = yield* Effect.flip(instance(noKey))
      expect(failed._tag).toBe("IdentityConfigError")
      expect(failed.message).toContain("hmac.masterKey")
      // With HMAC off, the service exists but refuses to create or resolve.
      const off = yield* instance(configOf({ hmac: { enabled: false } }))
      expect((yield* Effect.flip(off.credentials.create({ tenantId: "acme", name: "x", scopes: [] })))._tag).toBe(
        "HmacUnavailable"
      )
      const credential = yield* newCredential
      const answer = yield* Effect.flip(
        off.edge.authenticate(Authentication.fromWebRequest(signed(credential).request, body))
      )
      expect(answer.status).toBe(401)
      expect(answer.reason).toContain("HMAC is disabled")
      // A bad master key is refused when the configuration is decoded, without echoing it.
      const bad = Schema.decodeUnknownResult(IdentityConfig)({ hmac: { masterKey: "short-secret-value" } })
      expect(bad._tag).toBe("Failure")
      expect(String(bad)).not.toContain("short-secret-value")
    })
  )

  it.effect("fails to start, without echoing the URL, when Redis cannot be reached", () =>
    Effect.gen(function* () {
      const port = yield* Effect.promise(
        () =>
          new Promise<number>((resolve) => {
            const server = createServer()
            server.listen(0, "127.0.0.1", () => {
              const { port } = server.address() as AddressInfo
              server.close(() => resolve(port))
            })
          })
      )
      const config = configOf({ redisUrl: `redis://:s3cret-pass@127.0.0.1:${port}`, redisKeyPrefix: redisPrefix })
      const failed = yield* Effect.flip(instance(config))
      expect(failed._tag).toBe("IdentityConfigError")
      expect(failed.message).not.toContain("s3cret-pass")
    })
  )

  it.effect("a different master key cannot decrypt stored secrets: 503, fail closed", () =>
    Effect.gen(function* () {
      const credential = yield* newCredential
      const other = yield* instance(
        configOf({ hmac: { enabled: true, masterKey: randomBytes(32).toString("base64") } })
      )
      const answer = yield* Effect.flip(
        other.edge.authenticate(Authentication.fromWebRequest(signed(credential).request, body))
      )
      expect(answer.status).toBe(503)
      expect(answer.reason).toContain("cannot be decrypted")
    })
  )

  it.effect("no refusal reason contains a secret or a signature", () =>
    Effect.sync(() => {
      expect(reasons.length).toBeGreaterThan(10)
      for (const reason of reasons) {
        for (const secret of secrets) {
          expect(reason).not.toContain(secret)
          expect(reason).not.toContain(secret.slice(5))
        }
        expect(reason).not.toMatch(/[0-9a-f]{64}/)
      }
    })
  )
})
