/**
 * How core's `Authentication` port picks the method, and what it answers: one generic refusal for every bad credential,
 * the precise reason only in `AuthenticationRefused.reason`, never a secret there or in a log line.
 */
import { randomBytes } from "node:crypto"
import { Authentication } from "@bulwark/core"
import { expect, layer } from "@effect/vitest"
import { Context, Effect, Layer, Redacted, Schema } from "effect"
import {
  ApiKeys,
  Authenticator,
  ensureBootstrapKey,
  generateApiKey,
  HmacCredentials,
  IdentityConfig,
  parseApiKey
} from "../src/index.ts"
import { authenticate, body, post, reasons, refused, signed } from "./support/edge.ts"
import { buildIsolated } from "./support/isolated.ts"
import { LogCapture } from "./support/LogCapture.ts"
import { appDatabase, dropDatabase, TestDatabase } from "./support/TestDatabase.ts"

const masterKey = randomBytes(32).toString("base64")

const configOf = (input: Record<string, unknown>) => Schema.decodeUnknownSync(IdentityConfig)(input)

const bothConfig = configOf({ apiKeys: { enabled: true }, hmac: { enabled: true, masterKey } })

const Live = Authenticator.layer(bothConfig).pipe(
  Layer.provideMerge(appDatabase),
  Layer.provideMerge(TestDatabase.layer("edge")),
  Layer.provideMerge(LogCapture.layer)
)

/** Another app instance with another configuration, on the same database. */
const instance = (config: IdentityConfig, database?: TestDatabase["Service"]) =>
  Effect.gen(function* () {
    const testDatabase = database ?? (yield* TestDatabase)
    const context = yield* buildIsolated(
      Authenticator.layer(config).pipe(
        Layer.provide(appDatabase),
        Layer.provide(Layer.succeed(TestDatabase, testDatabase))
      )
    )
    return Context.get(context, Authentication.Authentication)
  })

const secrets: Array<string> = []

const newKey = (overrides: { readonly expiresAt?: Date } = {}) =>
  Effect.gen(function* () {
    const created = yield* (yield* ApiKeys).create({ tenantId: "acme", name: "edge", scopes: ["mcp"], ...overrides })
    secrets.push(Redacted.value(created.key))
    return created
  })

layer(Live, { excludeTestServices: true })("Authentication", (it) => {
  it.effect("accepts an API key as Bearer (any case of the scheme) and as X-Api-Key", () =>
    Effect.gen(function* () {
      const created = yield* newKey()
      const key = Redacted.value(created.key)
      const expected = { tenantId: "acme", subject: created.keyId, scopes: ["mcp"], method: "api-key" }
      expect(yield* authenticate(post({ authorization: `Bearer ${key}` }))).toEqual(expected)
      expect(yield* authenticate(post({ authorization: `bearer ${key}` }))).toEqual(expected)
      expect(yield* authenticate(post({ "x-api-key": key }))).toEqual(expected)
      expect(
        yield* authenticate(new Request("http://localhost:3000/mcp", { headers: { "x-api-key": key } }), "")
      ).toEqual(expected)
    })
  )

  it.effect(
    "recalls at once only a key it verified lately, never one it revoked, a wrong secret or another method",
    () =>
      Effect.gen(function* () {
        const port = yield* Authentication.Authentication
        const recall = port.recall
        expect(recall).toBeDefined()
        if (recall === undefined) return
        const created = yield* newKey()
        const key = Redacted.value(created.key)
        const credentials = Authentication.fromWebRequest(post({ authorization: `Bearer ${key}` }), body)
        // Never verified here: `authenticate` decides.
        expect(recall(credentials, Date.now(), undefined)).toBeUndefined()
        const principal = yield* authenticate(post({ authorization: `Bearer ${key}` }))
        expect(recall(credentials, Date.now(), undefined)).toEqual(principal)
        expect(recall(Authentication.fromWebRequest(post({ "x-api-key": key }), body), Date.now(), undefined)).toEqual(
          principal
        )
        // The same key id with another secret.
        const wrong = `${key.slice(0, -4)}${key.endsWith("AAAA") ? "BBBB" : "AAAA"}`
        expect(
          recall(Authentication.fromWebRequest(post({ authorization: `Bearer ${wrong}` }), body), Date.now(), undefined)
        ).toBeUndefined()
        // A signed request is never recalled.
        const { request } = signed({ keyId: "bwh_0000000000000000", secret: "x".repeat(43) })
        expect(recall(Authentication.fromWebRequest(request, body), Date.now(), undefined)).toBeUndefined()
        // Revoked on this instance: at once.
        yield* (yield* ApiKeys).revoke(created.keyId)
        expect(recall(credentials, Date.now(), undefined)).toBeUndefined()
      })
  )

  it.effect("answers no credentials with 401, a JSON-RPC body and a Bearer challenge", () =>
    Effect.gen(function* () {
      const answer = yield* refused(post({}))
      expect(answer.status).toBe(401)
      expect(answer.challenge).toBe(`Bearer realm="bulwark"`)
      expect(JSON.parse(answer.body)).toEqual({
        jsonrpc: "2.0",
        error: { code: -32000, message: "Unauthorized" },
        id: null
      })
    })
  )

  it.effect("gives one identical answer for unknown, wrong, revoked, expired and malformed keys", () =>
    Effect.gen(function* () {
      const apiKeys = yield* ApiKeys
      const good = yield* newKey()
      const { secret } = parseApiKey(Redacted.value(good.key))!
      const revoked = yield* newKey()
      yield* apiKeys.revoke(revoked.keyId)
      const expiring = yield* newKey({ expiresAt: new Date(Date.now() + 300) })
      yield* Effect.sleep("450 millis")
      const wrong = `bwk_${good.keyId}_${secret.startsWith("A") ? "B" : "A"}${secret.slice(1)}`
      const unknown = Redacted.value(generateApiKey().key)
      secrets.push(wrong, unknown)
      const presented: Array<readonly [Record<string, string>, string]> = [
        [{ authorization: `Bearer ${unknown}` }, "unknown"],
        [{ authorization: `Bearer ${wrong}` }, "wrong-secret"],
        [{ authorization: `Bearer ${Redacted.value(revoked.key)}` }, "revoked"],
        [{ "x-api-key": Redacted.value(expiring.key) }, "expired"],
        [{ "x-api-key": "bwk_nope" }, "malformed"],
        [{ authorization: "Bearer some.jwt.token" }, "OAuth is disabled"],
        [{ authorization: `Basic ${Buffer.from(`u:${secret}`).toString("base64")}` }, "not a Bearer credential"],
        [{ authorization: `Bearer ${Redacted.value(good.key)}`, "x-api-key": Redacted.value(good.key) }, "several"]
      ]
      const answers = []
      for (const [headers, reason] of presented) {
        const answer = yield* refused(post(headers))
        expect(answer.reason).toContain(reason)
        answers.push(answer)
      }
      for (const answer of answers) {
        expect(answer.status).toBe(401)
        expect(answer.body).toBe(answers[0]?.body)
        expect(answer.challenge).toBe(answers[0]?.challenge)
      }
      expect(answers[0]?.challenge).toBe(`Bearer error="invalid_token", error_description="Invalid credentials"`)
      expect(answers[0]?.body).not.toMatch(/revoked|expired|unknown|secret/i)
    })
  )

  it.effect("routes signed requests to HMAC, and refuses methods that are switched off", () =>
    Effect.gen(function* () {
      const created = yield* (yield* HmacCredentials).create({ tenantId: "acme", name: "robot", scopes: [] })
      const credential = { keyId: created.keyId, secret: Redacted.value(created.secret) }
      secrets.push(credential.secret)
      expect((yield* authenticate(signed(credential).request)).method).toBe("hmac")

      const key = yield* newKey()
      const keysOff = yield* instance(configOf({ apiKeys: { enabled: false }, hmac: { enabled: true, masterKey } }))
      const refusedKey = yield* Effect.flip(
        keysOff.authenticate(Authentication.fromWebRequest(post({ "x-api-key": Redacted.value(key.key) }), body))
      )
      expect(refusedKey.reason).toBe("api-key presented but API keys are disabled")
      reasons.push(refusedKey.reason)
      // HMAC alone challenges with its own scheme.
      const missing = yield* Effect.flip(keysOff.authenticate(Authentication.fromWebRequest(post({}), body)))
      expect(missing.headers["www-authenticate"]).toBe(`Bulwark-HMAC-SHA256 realm="bulwark"`)
    })
  )

  it.effect("refuses to start with every method switched off", () =>
    Effect.gen(function* () {
      const failed = yield* Effect.flip(instance(configOf({ apiKeys: { enabled: false }, hmac: { enabled: false } })))
      expect(failed._tag).toBe("IdentityConfigError")
      expect(failed.message).toContain("No authentication method is enabled")
    })
  )

  it.effect("fails closed with 503 when the credential store is unreachable", () =>
    Effect.gen(function* () {
      const context = yield* buildIsolated(TestDatabase.layer("gone"))
      const database = Context.get(context, TestDatabase)
      const edge = yield* instance(bothConfig, database)
      yield* dropDatabase(database.url)
      const key = Redacted.value(generateApiKey().key)
      const answer = yield* Effect.flip(
        edge.authenticate(Authentication.fromWebRequest(post({ "x-api-key": key }), body))
      )
      expect(answer.reason).toContain("identity store failed")
      expect(answer.status).toBe(503)
      expect(answer.headers["retry-after"]).toBe("5")
      expect(answer.reason).toContain("identity store failed")
    })
  )

  it.effect("writes no secret into any refusal reason or log line", () =>
    Effect.gen(function* () {
      const bootstrap = yield* ensureBootstrapKey({ tenantId: "acme" })
      // The first key in this file's database came earlier, so bootstrap does nothing here.
      expect(bootstrap._tag).toBe("None")
      yield* Effect.logInfo("marker").pipe(Effect.annotateLogs("check", "capture works"))
      const { lines } = yield* LogCapture
      expect(lines.some((line) => line.includes("capture works"))).toBe(true)
      expect(secrets.length).toBeGreaterThan(5)
      expect(reasons.length).toBeGreaterThan(8)
      for (const secret of secrets) {
        const secretPart = secret.startsWith("bwk_") ? (parseApiKey(secret)?.secret ?? secret) : secret
        for (const text of [...reasons, ...lines]) {
          expect(text).not.toContain(secret)
          expect(text).not.toContain(secretPart)
        }
      }
    })
  )
})
