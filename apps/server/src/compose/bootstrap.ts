/**
 * The first API key of a fresh server. On the first start with an empty key store, an API key is created for the
 * bootstrap tenant (or the one in `BULWARK_API_KEY` imported). A generated key is shown once where only the operator
 * sees it, never in the log stream a container ships: as a banner when stderr is a terminal, else in a file only the
 * server's user may read (`<dataDir>/bootstrap-api-key`, mode 0600), whose path the log names.
 */
import { chmod, mkdir, writeFile } from "node:fs/promises"
import { join, resolve } from "node:path"
import { ensureBootstrapKey } from "@bulwark/identity"
import { Effect, Option, Redacted } from "effect"
import type { ServerConfig } from "../config/ServerConfig.ts"

/** The tenant a fresh server with no tenants configured creates. */
export const DEFAULT_BOOTSTRAP_TENANT = "default"

/** The tenant the first API key belongs to: the configured one, else the first declared tenant, else `default`. */
export const bootstrapTenantOf = (config: Pick<ServerConfig, "bootstrapTenant" | "tenancy">): string =>
  config.bootstrapTenant ?? config.tenancy.tenants[0]?.id ?? DEFAULT_BOOTSTRAP_TENANT

/** Where a generated key is written when stderr is not a terminal. */
export const bootstrapKeyFile = (config: Pick<ServerConfig, "dataDir">): string =>
  resolve(config.dataDir, "bootstrap-api-key")

const banner = (tenantId: string, key: string) =>
  [
    "",
    `Bulwark created an API key for tenant "${tenantId}". It is shown only this once:`,
    "",
    `    ${key}`,
    "",
    "Send it as `Authorization: Bearer <key>` (see README.md). Store it now; only its hash is kept.",
    "",
    ""
  ].join("\n")

/** Writes the key to its file, readable by the server's user only. */
const writeKeyFile = (file: string, key: string) =>
  Effect.promise(async () => {
    await mkdir(join(file, ".."), { recursive: true, mode: 0o700 })
    await writeFile(file, `${key}\n`, { mode: 0o600 })
    await chmod(file, 0o600)
  })

/** Creates (or imports) the first API key on an empty key store, and hands a generated one to the operator. */
export const bootstrapKey = (config: ServerConfig) =>
  Effect.gen(function* () {
    const created = yield* ensureBootstrapKey({
      tenantId: bootstrapTenantOf(config),
      name: "bootstrap",
      ...(config.bootstrapApiKey === undefined ? {} : { presetKey: config.bootstrapApiKey })
    })
    if (Option.isNone(created) || created.value.source !== "generated") return
    const { tenantId, key } = created.value
    if (process.stderr.isTTY === true) {
      yield* Effect.sync(() => process.stderr.write(banner(tenantId, Redacted.value(key))))
      return
    }
    const file = bootstrapKeyFile(config)
    yield* writeKeyFile(file, Redacted.value(key))
    yield* Effect.logWarning(
      `The first API key (tenant "${tenantId}") is in ${file}, readable by this user only: store it, then delete the file`
    )
  })
