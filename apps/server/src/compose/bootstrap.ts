import { ensureBootstrapKey } from "@bulwark/identity"
import { Effect, Option, Redacted } from "effect"
import type { ServerConfig } from "../config/ServerConfig.ts"

/** The tenant a fresh server creates and gives its first API key. */
export const BOOTSTRAP_TENANT = "default"

/**
 * On the first start with an empty key store: create an API key for the default tenant (or import the one given in
 * `BULWARK_API_KEY`) and print a generated key once on stderr, where the operator starting the server sees it.
 */
export const bootstrapKey = (config: ServerConfig) =>
  Effect.gen(function* () {
    const created = yield* ensureBootstrapKey({
      tenantId: BOOTSTRAP_TENANT,
      name: "bootstrap",
      ...(config.bootstrapApiKey === undefined ? {} : { presetKey: config.bootstrapApiKey })
    })
    if (Option.isSome(created) && created.value.source === "generated") {
      yield* Effect.sync(() =>
        process.stderr.write(
          [
            "",
            `Bulwark created an API key for tenant "${created.value.tenantId}". It is shown only this once:`,
            "",
            `    ${Redacted.value(created.value.key)}`,
            "",
            "Send it as `Authorization: Bearer <key>` (see README.md). Store it now; only its hash is kept.",
            "",
            ""
          ].join("\n")
        )
      )
    }
  })
