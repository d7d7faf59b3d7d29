/**
 * API keys (`/admin/keys`) and HMAC credentials (`/admin/hmac`): list (never a secret), create for a tenant (the
 * secret is in that one answer and nowhere else: not stored in clear, not logged, not audited), and revoke.
 *
 * @since 0.1.0
 */
import {
  ApiKeys,
  type CredentialInfo,
  HmacCredentials,
  type HmacUnavailable,
  type IdentityStoreError,
  type InvalidCredentialRequest,
  type NewCredential
} from "@bulwark/identity"
import { TenantDirectory } from "@bulwark/tenancy"
import { Clock, Effect, Layer, Option, Redacted, Schema } from "effect"
import { HttpRouter } from "effect/http"
import { AdminConflict, AdminNotFound, AdminUnavailable } from "../AdminErrors.ts"
import { type AdminEnv, handler, reply } from "../AdminHandler.ts"
import { body, invalid, pathParam, query } from "../AdminInput.ts"
import * as AdminViews from "../AdminViews.ts"

/** What the routes need of a credential store (`ApiKeys` and `HmacCredentials` both fit). */
interface CredentialStore {
  readonly create: (
    input: NewCredential
  ) => Effect.Effect<
    { readonly info: CredentialInfo; readonly secret: Redacted.Redacted<string> },
    InvalidCredentialRequest | IdentityStoreError | HmacUnavailable
  >
  readonly list: (tenantId?: string) => Effect.Effect<ReadonlyArray<CredentialInfo>, IdentityStoreError>
  readonly revoke: (keyId: string) => Effect.Effect<void, IdentityStoreError | { readonly _tag: "CredentialNotFound" }>
}

/** Where a kind of credential is served and how it is named. */
interface CredentialKind {
  /** `keys` or `hmac`: `/admin/<area>`, `/admin/tenants/:id/<area>`, audit methods `admin/<area>.create|revoke`. */
  readonly area: string
  /** What a person calls one, for messages: "API key", "HMAC credential". */
  readonly noun: string
  /** The list answer's field: `keys` or `credentials`. */
  readonly listField: string
  /** The answer's field holding the secret: `key` or `secret`. */
  readonly secretField: string
}

/** `POST /admin/tenants/:id/<area>`: what the credential is for, its scopes, and when it stops working. */
export const NewCredentialBody = Schema.Struct({
  name: Schema.NonEmptyString,
  scopes: Schema.optionalKey(Schema.Array(Schema.NonEmptyString)),
  expiresAt: Schema.optionalKey(Schema.DateFromString)
})

const ListQuery = Schema.Struct({ tenant: Schema.optionalKey(Schema.NonEmptyString) })

const storeFailure = (operation: string) => (error: IdentityStoreError) =>
  new AdminUnavailable({ operation, cause: error })

const routes = (env: AdminEnv, kind: CredentialKind, store: CredentialStore) =>
  Effect.gen(function* () {
    const directory = yield* TenantDirectory.TenantDirectory
    const now = Clock.currentTimeMillis

    const list = handler(env, undefined, () =>
      Effect.gen(function* () {
        const { tenant } = yield* query(ListQuery)
        const infos = yield* store.list(tenant).pipe(Effect.mapError(storeFailure(`list ${kind.noun}s`)))
        const at = yield* now
        return reply({ [kind.listField]: infos.map((info) => AdminViews.credential(info, at)) })
      })
    )

    const create = handler(env, `admin/${kind.area}.create`, (note) =>
      Effect.gen(function* () {
        const tenantId = yield* pathParam("id")
        note.tenantId = tenantId
        const input = yield* body(NewCredentialBody)
        note.arguments = {
          name: input.name,
          scopes: [...(input.scopes ?? [])],
          expiresAt: input.expiresAt?.toISOString() ?? null
        }
        const tenant = yield* directory
          .get(tenantId)
          .pipe(Effect.mapError((cause) => new AdminUnavailable({ operation: `read tenant "${tenantId}"`, cause })))
        if (Option.isNone(tenant)) return yield* new AdminNotFound({ message: `No tenant "${tenantId}"` })
        const created = yield* store
          .create({
            tenantId,
            name: input.name,
            scopes: input.scopes ?? [],
            ...(input.expiresAt === undefined ? {} : { expiresAt: input.expiresAt })
          })
          .pipe(
            Effect.catchTags({
              InvalidCredentialRequest: (error) => Effect.fail(invalid("body", [{ path: "", message: error.message }])),
              HmacUnavailable: (error) => Effect.fail(new AdminConflict({ message: error.message })),
              IdentityStoreError: (error) => Effect.fail(storeFailure(`create a ${kind.noun}`)(error))
            })
          )
        note.target = created.info.keyId
        const view = AdminViews.credential(created.info, yield* now)
        return reply({ ...view, [kind.secretField]: Redacted.value(created.secret) }, 201)
      })
    )

    const revoke = handler(env, `admin/${kind.area}.revoke`, (note) =>
      Effect.gen(function* () {
        const keyId = yield* pathParam("keyId")
        note.target = keyId
        const notFound = new AdminNotFound({ message: `No ${kind.noun} "${keyId}"` })
        const all = yield* store.list().pipe(Effect.mapError(storeFailure(`list ${kind.noun}s`)))
        const existing = all.find((info) => info.keyId === keyId)
        if (existing === undefined) return yield* notFound
        note.tenantId = existing.tenantId
        yield* store.revoke(keyId).pipe(
          Effect.catchTag("CredentialNotFound", () => Effect.fail(notFound)),
          Effect.catchTag("IdentityStoreError", (error) => Effect.fail(storeFailure(`revoke a ${kind.noun}`)(error)))
        )
        const after = yield* store.list(existing.tenantId).pipe(Effect.mapError(storeFailure(`list ${kind.noun}s`)))
        const revoked = after.find((info) => info.keyId === keyId) ?? { ...existing, revokedAt: new Date() }
        return reply({ revoked: AdminViews.credential(revoked, yield* now) })
      })
    )

    return Layer.mergeAll(
      HttpRouter.add("GET", `/admin/${kind.area}`, list),
      HttpRouter.add("POST", `/admin/tenants/:id/${kind.area}`, create),
      HttpRouter.add("DELETE", `/admin/${kind.area}/:keyId`, revoke)
    )
  })

/** `GET /admin/keys?tenant=`, `POST /admin/tenants/:id/keys`, `DELETE /admin/keys/:keyId`. */
export const apiKeys = (env: AdminEnv) =>
  Layer.unwrap(
    Effect.flatMap(ApiKeys, (keys) =>
      routes(
        env,
        { area: "keys", noun: "API key", listField: "keys", secretField: "key" },
        {
          create: (input) => Effect.map(keys.create(input), ({ key, ...info }) => ({ info, secret: key })),
          list: keys.list,
          revoke: keys.revoke
        }
      )
    )
  )

/** `GET /admin/hmac?tenant=`, `POST /admin/tenants/:id/hmac`, `DELETE /admin/hmac/:keyId`. */
export const hmac = (env: AdminEnv) =>
  Layer.unwrap(
    Effect.flatMap(HmacCredentials, (credentials) =>
      routes(
        env,
        { area: "hmac", noun: "HMAC credential", listField: "credentials", secretField: "secret" },
        {
          create: (input) => Effect.map(credentials.create(input), ({ secret, ...info }) => ({ info, secret })),
          list: credentials.list,
          revoke: credentials.revoke
        }
      )
    )
  )
