/**
 * OAuth bearer tokens (JWT) through core's `Authentication` port, with keys from a local JWKS server, and the RFC 9728
 * metadata routes.
 */
import { Authentication } from "@bulwark/core"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer, Redacted, Schema } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import { SignJWT, UnsecuredJWT } from "jose"
import { ApiKeys, Authenticator, IdentityConfig, JwtVerifier, ProtectedResource } from "../src/index.ts"
import { authenticate, post, reasons, refused } from "./support/edge.ts"
import { JwksServer } from "./support/JwksServer.ts"
import { appDatabase, TestDatabase } from "./support/TestDatabase.ts"

const audience = "https://mcp.example.com/mcp"
const metadataUrl = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"

const configFor = (issuer: { issuer: string; jwksUrl: string }) =>
  Schema.decodeUnknownSync(IdentityConfig)({
    apiKeys: { enabled: true },
    oauth: {
      issuer: issuer.issuer,
      audience,
      jwksUrl: issuer.jwksUrl,
      tenantClaim: "org",
      requiredScopes: ["mcp:tools"],
      resourceName: "Bulwark test"
    }
  })

const Live = Layer.unwrap(Effect.map(JwksServer, (issuer) => Authenticator.layer(configFor(issuer)))).pipe(
  Layer.provideMerge(appDatabase),
  Layer.provideMerge(TestDatabase.layer("oauth")),
  Layer.provideMerge(JwksServer.layer)
)

const now = () => Math.floor(Date.now() / 1000)

/** Claims of a good token; override what a test breaks. */
const claims = (issuer: string, overrides: Record<string, unknown> = {}) => ({
  iss: issuer,
  aud: audience,
  sub: "user-42",
  org: "acme",
  scope: "mcp:tools profile",
  iat: now(),
  exp: now() + 300,
  ...overrides
})

const bearer = (token: string) => post({ authorization: `Bearer ${token}` })
const tokens: Array<string> = []

layer(Live, { excludeTestServices: true })("OAuth bearer tokens", (it) => {
  it.effect("accepts RS256, ES256 and EdDSA tokens minted for this resource, with keys fetched once", () =>
    Effect.gen(function* () {
      const issuer = yield* JwksServer
      for (const key of ["rsa", "ec", "ed"] as const) {
        const token = yield* Effect.promise(() => issuer.sign(claims(issuer.issuer), { key }))
        tokens.push(token)
        const principal = yield* authenticate(bearer(token))
        expect(principal).toEqual({
          tenantId: "acme",
          subject: "user-42",
          scopes: ["mcp:tools", "profile"],
          method: "oauth"
        })
      }
      // `scp` as an array, and an audience list that includes this resource.
      const scp = yield* Effect.promise(() =>
        issuer.sign(claims(issuer.issuer, { scope: undefined, scp: ["mcp:tools"], aud: ["other", audience] }))
      )
      expect((yield* authenticate(bearer(scp))).scopes).toEqual(["mcp:tools"])
      expect(issuer.fetches()).toBe(1)
    })
  )

  it.effect("answers no token with 401 and the resource_metadata challenge, without an error code", () =>
    Effect.gen(function* () {
      const answer = yield* refused(post({}))
      expect(answer.status).toBe(401)
      expect(answer.challenge).toBe(`Bearer resource_metadata="${metadataUrl}"`)
      expect(answer.reason).toBe("no credentials presented")
    })
  )

  it.effect("refuses expired, wrong-audience, wrong-issuer and exp-less tokens with invalid_token", () =>
    Effect.gen(function* () {
      const issuer = yield* JwksServer
      const cases: Array<readonly [Record<string, unknown>, string]> = [
        [{ exp: now() - 60, iat: now() - 600 }, "expired"],
        [{ aud: "https://other.example.com/mcp" }, "aud"],
        [{ iss: "https://evil.example.com" }, "iss"],
        [{ exp: undefined }, "exp"],
        [{ org: undefined }, "claim-missing:org"],
        [{ org: "" }, "claim-missing:org"]
      ]
      const bodies = new Set<string>()
      for (const [overrides, expected] of cases) {
        const token = yield* Effect.promise(() => issuer.sign(claims(issuer.issuer, overrides)))
        tokens.push(token)
        const answer = yield* refused(bearer(token))
        expect(answer.status).toBe(401)
        expect(answer.reason).toContain(expected)
        expect(answer.challenge).toContain(`error="invalid_token"`)
        expect(answer.challenge).toContain(`resource_metadata="${metadataUrl}"`)
        bodies.add(answer.body)
      }
      expect(bodies.size).toBe(1)
      expect([...bodies][0]).not.toMatch(/expire|audience|issuer/i)
    })
  )

  it.effect("refuses alg none, HS256 signed with the RSA public key, unknown kids and foreign keys", () =>
    Effect.gen(function* () {
      const issuer = yield* JwksServer
      const none = new UnsecuredJWT(claims(issuer.issuer)).encode()
      const confusion = yield* Effect.promise(() =>
        new SignJWT(claims(issuer.issuer))
          .setProtectedHeader({ alg: "HS256", kid: "rsa-1" })
          .sign(new TextEncoder().encode(issuer.rsaPublicPem))
      )
      const unknownKid = yield* Effect.promise(() => issuer.sign(claims(issuer.issuer), { key: "rogue" }))
      const foreignKey = yield* Effect.promise(() => issuer.sign(claims(issuer.issuer), { key: "rogue", kid: "rsa-1" }))
      const cases: Array<readonly [string, string]> = [
        [none, "alg-not-allowed"],
        [confusion, "alg-not-allowed"],
        [unknownKid, "no-matching-key"],
        [foreignKey, "bad-signature"],
        ["not.a.jwt", "malformed"]
      ]
      for (const [token, expected] of cases) {
        tokens.push(token)
        const answer = yield* refused(bearer(token))
        expect(answer.status).toBe(401)
        expect(answer.reason).toBe(`oauth: Access token rejected: ${expected}`)
        expect(answer.challenge).toContain(`error="invalid_token"`)
      }
    })
  )

  it.effect("cannot be configured to accept HS256 or none", () =>
    Effect.gen(function* () {
      // The allow-list cannot name HS256 at all: the configuration refuses it.
      const issuer = yield* JwksServer
      const decoded = Schema.decodeUnknownResult(IdentityConfig)({
        oauth: { issuer: issuer.issuer, audience, jwksUrl: issuer.jwksUrl, algorithms: ["HS256"] }
      })
      expect(decoded._tag).toBe("Failure")
      const withNone = Schema.decodeUnknownResult(IdentityConfig)({
        oauth: { issuer: issuer.issuer, audience, jwksUrl: issuer.jwksUrl, algorithms: ["none"] }
      })
      expect(withNone._tag).toBe("Failure")
    })
  )

  it.effect("answers a valid token without the required scope with 403 insufficient_scope and the scope", () =>
    Effect.gen(function* () {
      const issuer = yield* JwksServer
      const token = yield* Effect.promise(() => issuer.sign(claims(issuer.issuer, { scope: "profile" })))
      tokens.push(token)
      const answer = yield* refused(bearer(token))
      expect(answer.status).toBe(403)
      expect(answer.challenge).toContain(`error="insufficient_scope"`)
      expect(answer.challenge).toContain(`scope="mcp:tools"`)
      expect(answer.challenge).toContain(`resource_metadata="${metadataUrl}"`)
      expect(JSON.parse(answer.body)).toMatchObject({ error: "insufficient_scope" })
      expect(answer.reason).toContain("lacks scopes: mcp:tools")
    })
  )

  it.effect("fails closed with 503 when the JWKS cannot be fetched", () =>
    Effect.gen(function* () {
      const issuer = yield* JwksServer
      const verifier = yield* JwtVerifier.make(
        configFor({ issuer: issuer.issuer, jwksUrl: "http://127.0.0.1:9/jwks.json" }).oauth!
      )
      const token = yield* Effect.promise(() => issuer.sign(claims(issuer.issuer)))
      const error = yield* Effect.flip(verifier.verify(Redacted.make(token)))
      expect(error._tag).toBe("JwksUnavailable")
    })
  )

  it.effect("serves RFC 9728 metadata at both well-known paths", () =>
    Effect.gen(function* () {
      const issuer = yield* JwksServer
      const config = configFor(issuer).oauth!
      expect(ProtectedResource.paths(config)).toEqual([
        "/.well-known/oauth-protected-resource",
        "/.well-known/oauth-protected-resource/mcp"
      ])
      const app = HttpRouter.toWebHandler(
        ProtectedResource.routes(config).pipe(Layer.provide(HttpServer.layerServices)),
        {
          disableLogger: true
        }
      )
      try {
        for (const path of ProtectedResource.paths(config)) {
          const response = yield* Effect.promise(() => app.handler(new Request(`http://localhost:3000${path}`)))
          expect(response.status).toBe(200)
          expect(response.headers.get("access-control-allow-origin")).toBe("*")
          expect(yield* Effect.promise(() => response.json())).toEqual({
            resource: audience,
            authorization_servers: [issuer.issuer],
            bearer_methods_supported: ["header"],
            resource_signing_alg_values_supported: ["RS256", "ES256", "EdDSA"],
            scopes_supported: ["mcp:tools"],
            resource_name: "Bulwark test"
          })
        }
        const preflight = yield* Effect.promise(() =>
          app.handler(new Request(`http://localhost:3000${ProtectedResource.wellKnownPath}`, { method: "OPTIONS" }))
        )
        expect(preflight.status).toBe(204)
      } finally {
        yield* Effect.promise(() => app.dispose())
      }
    })
  )

  it.effect("still accepts API keys as Bearer credentials next to OAuth", () =>
    Effect.gen(function* () {
      const created = yield* (yield* ApiKeys).create({ tenantId: "acme", name: "both", scopes: [] })
      const principal = yield* authenticate(bearer(Redacted.value(created.key)))
      expect(principal.method).toBe("api-key")
      yield* Authentication.Authentication
    })
  )

  it.effect("no refusal reason contains a token or a piece of one", () =>
    Effect.sync(() => {
      expect(tokens.length).toBeGreaterThan(10)
      for (const reason of reasons) {
        for (const token of tokens) {
          for (const part of token.split(".")) if (part.length > 8) expect(reason).not.toContain(part)
        }
      }
    })
  )
})
