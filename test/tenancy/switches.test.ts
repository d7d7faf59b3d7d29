import { TestDatabase } from "@bulwark/database/testing"
import { Switches, TenantDirectory } from "@bulwark/tenancy"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Queue } from "effect"
import {
  buildInstance,
  callTool,
  countChanges,
  handle,
  type Instance,
  makeGate,
  outcome,
  principal,
  quiet,
  request,
  tenant,
  ticketStore,
  unique,
  waitFor,
  withInstance
} from "./support/Fixtures.ts"

const upsert = (config: ReturnType<typeof tenant>) =>
  TenantDirectory.TenantDirectory.use((directory) => directory.upsert(config))

const set = (kind: Switches.SwitchKind, target: string, reason = "incident 42") =>
  Switches.Switches.use((switches) => switches.set({ kind, target, reason, actor: "ops@example.com" }))

const clear = (kind: Switches.SwitchKind, target: string) =>
  Switches.Switches.use((switches) => switches.clear({ kind, target, actor: "ops@example.com" }))

const toolNames = (who: ReturnType<typeof principal>) =>
  Effect.map(handle(request("tools/list", {}, who)), (result) =>
    (result.tools as Array<{ name: string }>).map((tool) => tool.name).sort()
  )

const everything = (id: string) => tenant({ id, name: "Everything", tools: ["*"], resources: ["*"], prompts: ["*"] })

describe("kill switches", () => {
  it.layer(TestDatabase.layer("switch"), { excludeTestServices: true })((it) => {
    it.effect("turns a tool off and on, returning each change as an auditable value", () =>
      withInstance(
        Effect.gen(function* () {
          const id = unique("tool-off")
          yield* upsert(everything(id))
          const who = principal(id)
          const target = "search_tickets"

          const changed = yield* set("tool", target)
          expect(changed).toMatchObject({
            _tag: "SwitchChange",
            action: "set",
            kind: "tool",
            target: "search_tickets",
            actor: "ops@example.com",
            reason: "incident 42",
            previous: undefined
          })
          expect(outcome(yield* callTool(who, "search_tickets"))).toBe(-32003)
          expect(yield* toolNames(who)).toEqual(["create_ticket", "generate_report", "hold"])
          expect((yield* set("tool", target)).action).toBe("unchanged")

          const cleared = yield* clear("tool", target)
          expect(cleared).toMatchObject({ action: "cleared", previous: { reason: "incident 42" } })
          expect(outcome(yield* callTool(who, "search_tickets"))).toBe("ok")
          expect((yield* clear("tool", target)).action).toBe("unchanged")
        })
      )
    )

    it.effect("turns off everything of a plugin, and nothing else", () =>
      withInstance(
        Effect.gen(function* () {
          const id = unique("plugin-off")
          yield* upsert(everything(id))
          const who = principal(id)
          yield* set("plugin", "reports")
          expect(outcome(yield* callTool(who, "generate_report"))).toBe(-32003)
          expect(outcome(yield* Effect.exit(handle(request("resources/read", { uri: "reports://latest" }, who))))).toBe(
            -32002
          )
          expect(outcome(yield* Effect.exit(handle(request("prompts/get", { name: "summarize" }, who))))).toBe(-32003)
          const prompts = yield* handle(request("prompts/list", {}, who))
          expect((prompts.prompts as Array<{ name: string }>).map((p) => p.name)).toEqual(["triage"])
          const resources = yield* handle(request("resources/list", {}, who))
          expect((resources.resources as Array<{ uri: string }>).map((r) => r.uri)).toEqual(["tickets://stats"])
          expect(outcome(yield* callTool(who, "search_tickets"))).toBe("ok")
          yield* clear("plugin", "reports")
          expect(outcome(yield* callTool(who, "generate_report"))).toBe("ok")
        })
      )
    )

    it.effect("turns off the tools of a backend, by name", () => {
      const backend = ticketStore
      return withInstance(
        Effect.gen(function* () {
          const id = unique("backend-off")
          yield* upsert(everything(id))
          const who = principal(id)
          yield* set("backend", backend)
          // Only the tools declaring that backend are off.
          expect(outcome(yield* callTool(who, "create_ticket", { title: "x" }))).toBe(-32003)
          expect(outcome(yield* callTool(who, "search_tickets"))).toBe("ok")
          yield* clear("backend", backend)
          expect(outcome(yield* callTool(who, "create_ticket", { title: "x" }))).toBe("ok")
        })
      )
    })

    it.effect("turns a whole tenant off at once, without dropping the call in flight", () =>
      Effect.gen(function* () {
        const gate = yield* makeGate
        yield* withInstance(
          Effect.gen(function* () {
            const id = unique("tenant-off")
            yield* upsert(everything(id))
            const who = principal(id)
            const held = yield* Effect.forkChild(callTool(who, "hold"))
            yield* Queue.take(gate.entered)
            yield* set("tenant", id)
            expect(outcome(yield* Effect.exit(handle(request("tools/list", {}, who))))).toBe(-32003)
            yield* gate.release.open
            expect(outcome(yield* Fiber.join(held))).toBe("ok")
            yield* clear("tenant", id)
            expect(outcome(yield* callTool(who, "search_tickets"))).toBe("ok")
          }),
          { gate }
        )
      })
    )

    it.effect("persists switches and propagates them to another instance within a second", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const a = yield* buildInstance()
          const id = unique("spread")
          yield* upsert(everything(id)).pipe(Effect.provideContext(a))
          const b = yield* buildInstance()
          const notified = countChanges(b)
          const who = principal(id)
          const onB = <X, E>(effect: Effect.Effect<X, E, Instance>) => Effect.provideContext(effect, b)
          expect(outcome(yield* onB(callTool(who, "generate_report")))).toBe("ok")

          const tool = "generate_report"
          yield* set("tool", tool).pipe(Effect.provideContext(a))
          const seenOnB = yield* waitFor(
            onB(
              Effect.map(
                Switches.Switches.use((s) => s.current),
                (snapshot) => snapshot.isOff("tool", tool)
              )
            )
          )
          expect(seenOnB).toBeLessThan(1000)
          expect(outcome(yield* onB(callTool(who, tool)))).toBe(-32003)
          // B's clients are told to list again.
          expect(notified).toEqual({ tools: 1, resources: 1, prompts: 1 })

          // A new instance (a restart) loads it from PostgreSQL.
          const c = yield* buildInstance()
          expect(outcome(yield* Effect.provideContext(callTool(who, tool), c))).toBe(-32003)
          const listed = yield* Effect.provideContext(
            Switches.Switches.use((s) => s.list),
            c
          )
          expect(listed).toEqual([expect.objectContaining({ kind: "tool", target: tool, actor: "ops@example.com" })])

          yield* clear("tool", tool).pipe(Effect.provideContext(a))
          const clearedOnB = yield* waitFor(
            onB(
              Effect.map(
                Switches.Switches.use((s) => s.current),
                (snapshot) => !snapshot.isOff("tool", tool)
              )
            )
          )
          expect(clearedOnB).toBeLessThan(1000)
          expect(outcome(yield* onB(callTool(who, tool)))).toBe("ok")
        })
      ).pipe(quiet)
    )
  })
})
