import { AuditLog } from "@bulwark/audit"
import { makeRequestId } from "@bulwark/core"
import { TenantConfig, TenantDirectory } from "@bulwark/tenancy"
import { Clock, Effect, Schema } from "effect"
import type { ServerConfig } from "../config/ServerConfig.ts"
import { DEFAULT_BOOTSTRAP_TENANT } from "./bootstrap.ts"

/** The tenant a fresh server with no tenants configured creates: everything allowed, explicitly. */
const bootstrapTenant = Schema.decodeUnknownSync(TenantConfig.TenantConfig)({
  id: DEFAULT_BOOTSTRAP_TENANT,
  name: "Default tenant",
  tools: ["*"],
  resources: ["*"],
  prompts: ["*"]
})

/**
 * Brings the stored tenants in line with the configuration file (at start and on every reload), audits what changed,
 * and gives a server that has no tenant at all its default tenant so that the quick start works.
 */
export const syncTenants = (config: ServerConfig) =>
  Effect.gen(function* () {
    const directory = yield* TenantDirectory.TenantDirectory
    const audit = yield* AuditLog
    const changes = [...(yield* directory.sync(config.tenancy.tenants))]
    if ((yield* directory.list).length === 0) changes.push(yield* directory.upsert(bootstrapTenant))
    const now = yield* Clock.currentTimeMillis
    for (const change of changes) {
      if (change.action === "unchanged") continue
      yield* Effect.logInfo(`tenant ${change.tenantId} ${change.action} from ${change.source}`)
      yield* audit.record({
        time: new Date(now),
        tenantId: change.tenantId,
        principal: { subject: "configuration", method: "configuration" },
        method: "admin/tenants.sync",
        target: change.tenantId,
        arguments: { action: change.action },
        outcome: "success",
        rejectedBy: null,
        errorCode: null,
        reason: null,
        durationMs: 0,
        requestId: makeRequestId(),
        traceId: null
      })
    }
  })
