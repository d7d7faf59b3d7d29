import { TestDatabase } from "@bulwark/database/testing"
import { TenancyMetrics, type TenantConfigInvalid, TenantDirectory, Tenants } from "@bulwark/tenancy"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Logger, Queue, Ref } from "effect"
import {
  buildInstance,
  callTool,
  counter,
  errorOf,
  handle,
  type Instance,
  makeGate,
  outcome,
  principal,
  quiet,
  request,
  tenant,
  unique,
  waitFor,
  withInstance
} from "./support/Fixtures.ts"

const directory = TenantDirectory.TenantDirectory
const upsert = (config: ReturnType<typeof tenant>) => directory.use((d) => d.upsert(config))
const live = Tenants.Tenants.use((tenants) => tenants.live)
/** The actor of a running tenant, looked at briefly. */
const actor = (id: string) => Effect.scoped(Tenants.Tenants.use((tenants) => tenants.get(id)))

describe("tenants", () => {
  it.layer(TestDatabase.layer("tenants"), { excludeTestServices: true })((it) => {
    it.effect("applies a changed configuration to a running tenant from the next request, in-flight calls finish", () =>
      Effect.gen(function* () {
        const gate = yield* makeGate
        yield* withInstance(
          Effect.gen(function* () {
            const id = unique("live-change")
            yield* upsert(
              tenant({
                id,
                name: "Before",
                tools: ["search_tickets", "hold"],
                limits: { rate: { requests: 100, per: "1 minute" }, concurrency: { permits: 3 } }
              })
            )
            const who = principal(id)
            const incarnation = (yield* actor(id)).incarnation
            const held = yield* Effect.forkChild(callTool(who, "hold"))
            const held2 = yield* Effect.forkChild(callTool(who, "hold"))
            yield* Queue.take(gate.entered)
            yield* Queue.take(gate.entered)
            expect(outcome(yield* callTool(who, "create_ticket", { title: "x" }))).toBe(-32003)

            const change = yield* upsert(
              tenant({
                id,
                name: "After",
                tools: ["search_tickets", "create_ticket"],
                limits: { rate: { requests: 2, per: "1 minute" }, concurrency: { permits: 1 } }
              })
            )
            expect(change).toMatchObject({ action: "updated", before: { name: "Before" }, after: { name: "After" } })

            // Same actor, new rules: the new allow-list, the lower rate, and "hold" is gone.
            expect((yield* actor(id)).incarnation).toBe(incarnation)
            expect(outcome(yield* callTool(who, "hold"))).toBe(-32003)
            // Two calls still hold permits under the new limit of one: refused until they finish.
            expect(errorOf(yield* callTool(who, "create_ticket", { title: "x" }))?.data).toMatchObject({
              limit: "concurrency"
            })
            yield* gate.release.open
            expect(outcome(yield* Fiber.join(held))).toBe("ok")
            expect(outcome(yield* Fiber.join(held2))).toBe("ok")
            // The rate of 2 a minute started fresh with the change; the refused call above used one token.
            expect(outcome(yield* callTool(who, "create_ticket", { title: "x" }))).toBe("ok")
            expect(errorOf(yield* callTool(who, "search_tickets"))?.data).toMatchObject({ limit: "tenant rate" })
          }),
          { gate }
        )
      })
    )

    it.effect("delivers a change to the running tenant of another instance within a second", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const a = yield* buildInstance()
          const b = yield* buildInstance()
          const onA = <X, E>(effect: Effect.Effect<X, E, Instance>) => Effect.provideContext(effect, a)
          const onB = <X, E>(effect: Effect.Effect<X, E, Instance>) => Effect.provideContext(effect, b)
          const id = unique("remote")
          yield* onA(upsert(tenant({ id, name: "Remote", tools: ["search_tickets"] })))
          const who = principal(id)
          expect(outcome(yield* onB(callTool(who, "search_tickets")))).toBe("ok")
          expect(yield* onB(live)).toContain(id)

          yield* onA(upsert(tenant({ id, name: "Remote", tools: ["generate_report"] })))
          const elapsed = yield* waitFor(
            onB(
              Effect.map(
                Effect.flatMap(actor(id), (t) => t.config),
                (config) => config.tools[0] === "generate_report"
              )
            )
          )
          expect(elapsed).toBeLessThan(1000)
          expect(outcome(yield* onB(callTool(who, "search_tickets")))).toBe(-32003)
          expect(outcome(yield* onB(callTool(who, "generate_report")))).toBe("ok")

          const disabled = yield* onA(directory.use((d) => d.disable(id)))
          expect(disabled.action).toBe("disabled")
          expect(
            yield* waitFor(
              onB(
                Effect.map(
                  Effect.flatMap(actor(id), (t) => t.config),
                  (config) => !config.enabled
                )
              )
            )
          ).toBeLessThan(1000)
          expect(outcome(yield* onB(callTool(who, "generate_report")))).toBe(-32003)
        })
      ).pipe(quiet)
    )

    it.effect("releases an idle tenant, interrupting its background work, and brings it back on use", () =>
      Effect.gen(function* () {
        const started = yield* Ref.make(0)
        const interrupted = yield* Ref.make(0)
        yield* withInstance(
          Effect.gen(function* () {
            const id = unique("idle")
            yield* upsert(tenant({ id, name: "Idle", tools: ["*"] }))
            const who = principal(id)
            expect(outcome(yield* callTool(who, "search_tickets"))).toBe("ok")
            const first = yield* actor(id)
            expect(first.cacheNamespace).toBe(`tenant/${id}/`)
            expect(yield* live).toContain(id)
            expect(yield* waitFor(Effect.map(Ref.get(started), (n) => n === 1))).toBeLessThan(1000)
            expect(yield* waitFor(Effect.map(live, (ids) => !ids.includes(id)))).toBeLessThan(2000)
            expect(yield* Ref.get(interrupted)).toBe(1)

            expect(outcome(yield* callTool(who, "search_tickets"))).toBe("ok")
            expect(yield* live).toContain(id)
            expect((yield* actor(id)).incarnation).toBeGreaterThan(first.incarnation)
            // The new incarnation starts its own background work.
            expect(yield* waitFor(Effect.map(Ref.get(started), (n) => n === 2))).toBeLessThan(1000)
          }),
          {
            tenants: {
              idleTimeToLive: "200 millis",
              background: [
                {
                  name: "heartbeat",
                  run: () =>
                    Ref.update(started, (n) => n + 1).pipe(
                      Effect.andThen(Effect.never),
                      Effect.onInterrupt(() => Ref.update(interrupted, (n) => n + 1))
                    )
                }
              ]
            }
          }
        )
      })
    )

    it.effect("keeps a tenant up while calls run past its idle time, and releases it after the last one", () =>
      Effect.gen(function* () {
        const gate = yield* makeGate
        yield* withInstance(
          Effect.gen(function* () {
            const id = unique("held")
            yield* upsert(tenant({ id, name: "Held", tools: ["*"] }))
            const who = principal(id)
            const first = yield* Effect.forkChild(callTool(who, "hold"))
            yield* Queue.take(gate.entered)
            const incarnation = (yield* actor(id)).incarnation
            // A second call joins the first one's hold on the same actor.
            const second = yield* Effect.forkChild(callTool(who, "hold"))
            yield* Queue.take(gate.entered)
            yield* Effect.sleep("500 millis")
            expect(yield* live).toContain(id)
            expect((yield* actor(id)).incarnation).toBe(incarnation)
            yield* gate.release.open
            expect(outcome(yield* Fiber.join(first))).toBe("ok")
            expect(outcome(yield* Fiber.join(second))).toBe("ok")
            expect(yield* waitFor(Effect.map(live, (ids) => !ids.includes(id)))).toBeLessThan(2000)
          }),
          { gate, tenants: { idleTimeToLive: "200 millis" } }
        )
      })
    )

    it.effect("restarts a crashing background fiber with backoff, counts and logs each crash", () =>
      Effect.gen(function* () {
        const runs = yield* Ref.make(0)
        const steady = yield* Deferred.make<void>()
        const logged: Array<string> = []
        yield* withInstance(
          Effect.gen(function* () {
            const id = unique("crashy")
            yield* upsert(tenant({ id, name: "Crashy", tools: ["*"] }))
            expect(outcome(yield* callTool(principal(id), "search_tickets"))).toBe("ok")
            yield* Deferred.await(steady).pipe(Effect.timeout("3 seconds"))
            expect(yield* Ref.get(runs)).toBe(3)
            expect(yield* counter(TenancyMetrics.backgroundRestarts, { tenant_id: id, task: "flaky" })).toBe(2)
            expect(logged.filter((line) => line.includes(`flaky of tenant "${id}" crashed`))).toHaveLength(2)
          }),
          {
            tenants: {
              backoff: { base: "20 millis", max: "100 millis" },
              background: [
                {
                  name: "flaky",
                  run: () =>
                    Effect.flatMap(
                      Ref.updateAndGet(runs, (n) => n + 1),
                      (run) =>
                        run === 1
                          ? Effect.fail("first failure")
                          : run === 2
                            ? Effect.die(new Error("second failure, a defect"))
                            : Deferred.succeed(steady, undefined).pipe(Effect.andThen(Effect.never))
                    )
                }
              ]
            }
          }
        ).pipe(
          Effect.provide(
            Logger.layer([
              Logger.make(({ message }) => logged.push(Array.isArray(message) ? String(message[0]) : String(message)))
            ])
          )
        )
      })
    )

    it.effect("serves a tenant created after it was refused as unknown", () =>
      withInstance(
        Effect.gen(function* () {
          const id = unique("late")
          const who = principal(id)
          expect(outcome(yield* Effect.exit(handle(request("tools/list", {}, who))))).toBe(-32003)
          yield* upsert(tenant({ id, name: "Late", tools: ["*"] }))
          expect(outcome(yield* callTool(who, "search_tickets"))).toBe("ok")
        })
      )
    )

    it.effect("syncs the config file: creates, updates, disables what it dropped, leaves admin tenants alone", () =>
      withInstance(
        Effect.gen(function* () {
          const [x, y, z] = [unique("file-x"), unique("file-y"), unique("admin-z")]
          const sync = (configs: ReadonlyArray<ReturnType<typeof tenant>>) => directory.use((d) => d.sync(configs))
          const created = yield* sync([tenant({ id: x, name: "X" }), tenant({ id: y, name: "Y" })])
          expect(created.map((c) => [c.tenantId, c.action, c.source])).toEqual([
            [x, "created", "config"],
            [y, "created", "config"]
          ])
          yield* upsert(tenant({ id: z, name: "Z" }))

          // Unchanged tenants are not reported; the record key order of jsonb does not matter.
          const again = yield* sync([
            tenant({ id: x, name: "X" }),
            tenant({ id: y, name: "Y", toolScopes: { b: ["s"], a: ["s"] } })
          ])
          expect(again.map((c) => [c.tenantId, c.action])).toEqual([[y, "updated"]])
          expect(
            yield* sync([
              tenant({ id: x, name: "X" }),
              tenant({ id: y, name: "Y", toolScopes: { a: ["s"], b: ["s"] } })
            ])
          ).toEqual([])

          const dropped = yield* sync([tenant({ id: x, name: "X" })])
          expect(dropped.map((c) => [c.tenantId, c.action])).toEqual([[y, "disabled"]])
          const stored = yield* directory.use((d) => d.list)
          const byId = new Map(stored.map((s) => [s.config.id, s]))
          expect(byId.get(y)?.config.enabled).toBe(false)
          expect(byId.get(z)).toMatchObject({ source: "admin", config: { enabled: true } })

          const duplicate = yield* Effect.exit(sync([tenant({ id: x, name: "X" }), tenant({ id: x, name: "X2" })]))
          expect(Exit.isFailure(duplicate) && errorTag(duplicate)).toBe("TenantConfigInvalid")
        })
      )
    )
  })
})

const errorTag = (exit: Exit.Exit<unknown, TenantConfigInvalid | { readonly _tag: string }>) =>
  Exit.isFailure(exit) && exit.cause.reasons[0]?._tag === "Fail" ? exit.cause.reasons[0].error._tag : undefined
