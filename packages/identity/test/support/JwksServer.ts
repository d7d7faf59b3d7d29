/**
 * A local authorization server stand-in: keys generated with `jose`, their public halves served as a JWKS by
 * node:http on 127.0.0.1 (a free port), and a signer for tokens.
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { Context, Effect, Layer } from "effect"
import { type CryptoKey, exportJWK, exportSPKI, generateKeyPair, type JWTPayload, SignJWT } from "jose"

/** What a test can do with the local issuer. */
export interface LocalIssuer {
  readonly issuer: string
  readonly jwksUrl: string
  /** How many times the JWKS was fetched. */
  readonly fetches: () => number
  /** Signs `claims` with the named key (`rsa`, `ec`, `ed`, or `rogue`, which is not published). */
  readonly sign: (
    claims: JWTPayload,
    options?: { readonly key?: "rsa" | "ec" | "ed" | "rogue"; readonly kid?: string }
  ) => Promise<string>
  /** The RSA public key as PEM, for key-confusion attempts. */
  readonly rsaPublicPem: string
}

/** The local issuer of a test file. */
export class JwksServer extends Context.Service<JwksServer, LocalIssuer>()("@bulwark/identity/test/JwksServer") {
  /** Generates keys, starts the server, and stops it on release. */
  static readonly layer: Layer.Layer<JwksServer> = Layer.effect(
    JwksServer,
    Effect.gen(function* () {
      const keys = yield* Effect.promise(async () => ({
        rsa: { alg: "RS256", kid: "rsa-1", pair: await generateKeyPair("RS256", { extractable: true }) },
        ec: { alg: "ES256", kid: "ec-1", pair: await generateKeyPair("ES256", { extractable: true }) },
        ed: { alg: "EdDSA", kid: "ed-1", pair: await generateKeyPair("EdDSA", { extractable: true }) },
        rogue: { alg: "RS256", kid: "rogue-1", pair: await generateKeyPair("RS256", { extractable: true }) }
      }))
      const published = yield* Effect.promise(() =>
        Promise.all(
          [keys.rsa, keys.ec, keys.ed].map(async ({ alg, kid, pair }) => ({
            ...(await exportJWK(pair.publicKey)),
            alg,
            kid,
            use: "sig"
          }))
        )
      )
      const rsaPublicPem = yield* Effect.promise(() => exportSPKI(keys.rsa.pair.publicKey as CryptoKey))
      let fetches = 0
      const server = createServer((request, response) => {
        if (request.url === "/jwks.json") {
          fetches++
          response.writeHead(200, { "content-type": "application/json" })
          response.end(JSON.stringify({ keys: published }))
        } else {
          response.writeHead(404).end()
        }
      })
      const port = yield* Effect.acquireRelease(
        Effect.callback<number>((resume) => {
          server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as AddressInfo).port)))
        }),
        () =>
          Effect.callback<void>((resume) => {
            server.closeAllConnections()
            server.close(() => resume(Effect.void))
          })
      )
      const issuer = `http://127.0.0.1:${port}`
      return {
        issuer,
        jwksUrl: `${issuer}/jwks.json`,
        fetches: () => fetches,
        rsaPublicPem,
        sign: (claims, options = {}) => {
          const key = keys[options.key ?? "rsa"]
          return new SignJWT(claims)
            .setProtectedHeader({ alg: key.alg, kid: options.kid ?? key.kid, typ: "at+jwt" })
            .sign(key.pair.privateKey)
        }
      }
    })
  )
}
