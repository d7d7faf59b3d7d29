import { TestDatabase } from "@bulwark/database/testing"
import { TenantDirectory } from "@bulwark/tenancy"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import {
  attempt,
  callTool,
  handle,
  outcome,
  principal,
  request,
  tenant,
  unique,
  withInstance
} from "./support/Fixtures.ts"

const names = (result: Record<string, unknown>, key: string, field: string) =>
  (result[key] as Array<Record<string, unknown>>).map((item) => item[field]).sort()

const messageOf = (exit: Exit.Exit<unknown, { readonly message: string }>) =>
  Exit.isFailure(exit) && exit.cause.reasons[0]?._tag === "Fail" ? exit.cause.reasons[0].error.message : undefined

describe("authorization", () => {
  it.layer(TestDatabase.layer("authz"), { excludeTestServices: true })((it) => {
    it.effect("denies everything by default: empty lists, every call forbidden", () =>
      withInstance(
        Effect.gen(function* () {
          const id = unique("bare")
          yield* TenantDirectory.TenantDirectory.use((d) => d.upsert(tenant({ id, name: "Bare" })))
          const who = principal(id, ["tickets:read", "tickets:write"])
          const tools = yield* handle(request("tools/list", {}, who))
          expect(tools).toEqual({ tools: [], cacheScope: "private" })
          expect(yield* handle(request("prompts/list", {}, who))).toEqual({ prompts: [], cacheScope: "private" })
          expect(yield* handle(request("resources/list", {}, who))).toEqual({ resources: [], cacheScope: "private" })
          expect(yield* handle(request("resources/templates/list", {}, who))).toEqual({
            resourceTemplates: [],
            cacheScope: "private"
          })
          expect(outcome(yield* callTool(who, "search_tickets"))).toBe(-32003)
          // A resource one may not read is answered as one that does not exist (-32002, the URI in data).
          expect(outcome(yield* attempt(request("resources/read", { uri: "ticket://1" }, who)))).toBe(-32002)
          expect(outcome(yield* attempt(request("prompts/get", { name: "triage", arguments: { id: "1" } }, who)))).toBe(
            -32003
          )
        })
      )
    )

    it.effect("filters every list per principal and marks it private", () =>
      withInstance(
        Effect.gen(function* () {
          const id = unique("acme")
          yield* TenantDirectory.TenantDirectory.use((d) =>
            d.upsert(
              tenant({
                id,
                name: "Acme",
                tools: ["create_ticket", "search_tickets"],
                resources: ["ticket://{id}", "reports://latest"],
                prompts: ["*"],
                toolScopes: { create_ticket: ["tickets:write"] },
                defaultScopes: { prompts: ["prompts:use"] },
                promptScopes: { summarize: [] }
              })
            )
          )
          const reader = principal(id, ["tickets:read"])
          const writer = principal(id, ["tickets:read", "tickets:write", "prompts:use"])

          const readerTools = yield* handle(request("tools/list", {}, reader))
          expect(names(readerTools, "tools", "name")).toEqual(["search_tickets"])
          expect(readerTools.cacheScope).toBe("private")
          expect(names(yield* handle(request("tools/list", {}, writer)), "tools", "name")).toEqual([
            "create_ticket",
            "search_tickets"
          ])
          // "*" is an explicit opt-in; the kind's default scope applies unless a prompt has its own entry.
          expect(names(yield* handle(request("prompts/list", {}, reader)), "prompts", "name")).toEqual(["summarize"])
          expect(names(yield* handle(request("prompts/list", {}, writer)), "prompts", "name")).toEqual([
            "summarize",
            "triage"
          ])
          const templates = yield* handle(request("resources/templates/list", {}, reader))
          expect(names(templates, "resourceTemplates", "uriTemplate")).toEqual(["ticket://{id}"])
          expect(templates.cacheScope).toBe("private")
          const resources = yield* handle(request("resources/list", {}, reader))
          expect(names(resources, "resources", "uri")).toEqual(["reports://latest"])
          expect(resources.cacheScope).toBe("private")

          // A 2025 client gets the same filtering, without cache fields.
          const legacy = yield* handle(request("tools/list", {}, reader, { era: "legacy" }))
          expect(legacy).toEqual({ tools: [expect.objectContaining({ name: "search_tickets" })] })
        })
      )
    )

    it.effect("refuses outside the allow-list and for a missing scope, exactly as for what does not exist", () =>
      withInstance(
        Effect.gen(function* () {
          const id = unique("acme")
          yield* TenantDirectory.TenantDirectory.use((d) =>
            d.upsert(
              tenant({
                id,
                name: "Acme",
                tools: ["create_ticket", "search_tickets"],
                resources: ["ticket://{id}"],
                prompts: ["triage"],
                toolScopes: { create_ticket: ["tickets:write"] },
                resourceScopes: { "ticket://{id}": ["tickets:read"] }
              })
            )
          )
          const reader = principal(id, ["tickets:read"])
          const nobody = principal(id, [])

          const allowed = yield* callTool(reader, "search_tickets")
          expect(Exit.isSuccess(allowed) && allowed.value.content).toEqual([{ type: "text", text: "no tickets" }])

          const missingScope = yield* callTool(reader, "create_ticket", { title: "x" })
          const notListed = yield* callTool(reader, "generate_report")
          const nonexistent = yield* callTool(reader, "drop_database")
          expect([outcome(missingScope), outcome(notListed), outcome(nonexistent)]).toEqual([-32003, -32003, -32003])
          expect(messageOf(missingScope)).toBe('Tool "create_ticket" is not available')
          expect(messageOf(nonexistent)).toBe('Tool "drop_database" is not available')

          // Checked whatever the client sent: invalid arguments of a forbidden tool are not even looked at.
          expect(outcome(yield* callTool(reader, "create_ticket", { title: 42 }))).toBe(-32003)

          const read = yield* attempt(request("resources/read", { uri: "ticket://7" }, reader))
          expect(Exit.isSuccess(read)).toBe(true)
          const readNoScope = yield* attempt(request("resources/read", { uri: "ticket://7" }, nobody))
          const readOther = yield* attempt(request("resources/read", { uri: "reports://latest" }, reader))
          const readMissing = yield* attempt(request("resources/read", { uri: "nothing://here" }, reader))
          // Not allowed, not listed, not existing: one answer, that of a resource that does not exist.
          expect([readNoScope, readOther, readMissing].map(outcome)).toEqual([-32002, -32002, -32002])
          expect(
            [readNoScope, readOther, readMissing].map((exit) =>
              Exit.isFailure(exit) && exit.cause.reasons[0]?._tag === "Fail" ? exit.cause.reasons[0].error.data : null
            )
          ).toEqual([{ uri: "ticket://7" }, { uri: "reports://latest" }, { uri: "nothing://here" }])
          for (const method of ["resources/subscribe", "resources/unsubscribe"]) {
            expect(outcome(yield* attempt(request(method, { uri: "ticket://7" }, reader)))).toBe("ok")
            expect(outcome(yield* attempt(request(method, { uri: "reports://latest" }, reader)))).toBe(-32002)
          }

          expect(
            outcome(yield* attempt(request("prompts/get", { name: "triage", arguments: { id: "1" } }, nobody)))
          ).toBe("ok")
          expect(outcome(yield* attempt(request("prompts/get", { name: "summarize", arguments: {} }, nobody)))).toBe(
            -32003
          )

          // Completions are checked by their ref.
          const complete = (ref: Record<string, unknown>, who = reader) =>
            attempt(request("completion/complete", { ref, argument: { name: "id", value: "1" } }, who))
          expect(outcome(yield* complete({ type: "ref/resource", uri: "ticket://{id}" }))).toBe("ok")
          expect(outcome(yield* complete({ type: "ref/resource", uri: "ticket://{id}" }, nobody))).toBe(-32003)
          expect(outcome(yield* complete({ type: "ref/prompt", name: "summarize" }))).toBe(-32003)
          expect(outcome(yield* complete({ type: "ref/prompt", name: "no_such_prompt" }))).toBe(-32003)
          expect(outcome(yield* complete({ type: "ref/prompt", name: "triage" }))).toBe("ok")
        })
      )
    )

    it.effect("refuses a request without a principal, and unknown or disabled tenants, alike", () =>
      withInstance(
        Effect.gen(function* () {
          const anonymous = yield* attempt(request("tools/list", {}, undefined))
          expect(outcome(anonymous)).toBe(-32003)
          expect(messageOf(anonymous)).toBe("Authentication required")

          const unknown = yield* attempt(request("tools/list", {}, principal(unique("ghost"))))
          expect(outcome(unknown)).toBe(-32003)

          const id = unique("gone")
          yield* TenantDirectory.TenantDirectory.use((d) =>
            d.upsert(tenant({ id, name: "Gone", enabled: false, tools: ["*"] }))
          )
          const disabled = yield* attempt(request("tools/list", {}, principal(id)))
          expect(outcome(disabled)).toBe(-32003)
          expect(messageOf(disabled)).toBe(`Tenant "${id}" is not available`)
        })
      )
    )

    it.effect("caps every call's timeout at the tenant's cap", () =>
      withInstance(
        Effect.gen(function* () {
          const id = unique("capped")
          yield* TenantDirectory.TenantDirectory.use((d) =>
            d.upsert(tenant({ id, name: "Capped", tools: ["hold"], limits: { timeoutCap: "100 millis" } }))
          )
          const started = Date.now()
          const result = yield* callTool(principal(id), "hold")
          expect(Date.now() - started).toBeLessThan(2000)
          expect(Exit.isSuccess(result) && result.value).toEqual({
            content: [{ type: "text", text: 'Tool "hold" timed out after 100 ms; it may succeed if retried later.' }],
            isError: true
          })
        })
      )
    )
  })
})
