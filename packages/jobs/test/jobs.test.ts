/**
 * Durable jobs on a real PostgreSQL (a database of this test's own), with an executor that records what it runs:
 * a job completes and only its owner sees it; a running job is cancelled within a second and its run interrupted;
 * one tenant runs at most `perTenant` jobs at once while another tenant's jobs go on; a run that dies is retried
 * and, past `maxAttempts`, fails with an internal error naming the job; a job that asks two questions waits until
 * both are answered, one at a time, then runs again with the answers.
 */
import type { JsonValue } from "@bulwark/core"
import { appDatabase, TestDatabase } from "@bulwark/database/testing"
import { Job, JobExecutor, type JobOwner, Jobs, JobsConfig, layer, layerWorkers } from "@bulwark/jobs"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"

/** What the executor saw. */
const seen = {
  running: new Map<string, number>(),
  maxRunning: new Map<string, number>(),
  interrupted: new Set<string>(),
  runs: new Map<string, number>()
}

const executor = Layer.succeed(JobExecutor)(
  JobExecutor.of({
    run: ({ job, attempt, progress }) => {
      const input = job.input as { readonly ms?: number; readonly dieUntil?: number }
      const tenant = job.tenantId
      const work = Effect.gen(function* () {
        seen.runs.set(job.id, (seen.runs.get(job.id) ?? 0) + 1)
        const now = (seen.running.get(tenant) ?? 0) + 1
        seen.running.set(tenant, now)
        seen.maxRunning.set(tenant, Math.max(seen.maxRunning.get(tenant) ?? 0, now))
        if (attempt <= (input.dieUntil ?? 0)) return yield* Effect.die(new Error(`run ${attempt} dies`))
        if (job.name === "ask") {
          const pending: Record<string, JsonValue> = {}
          for (const key of ["first", "second"]) {
            if (!(key in job.answers)) pending[key] = { method: "elicitation/create", params: { message: key } }
          }
          if (Object.keys(pending).length > 0) return Job.inputRequired(pending)
          return Job.completed({ content: [{ type: "text", text: JSON.stringify(job.answers) }] })
        }
        yield* progress(1, 2, "halfway")
        yield* Effect.sleep(input.ms ?? 0)
        return Job.completed({ content: [{ type: "text", text: `${job.name} done` }] })
      })
      return work.pipe(
        Effect.onInterrupt(() => Effect.sync(() => seen.interrupted.add(job.id))),
        Effect.ensuring(Effect.sync(() => seen.running.set(tenant, (seen.running.get(tenant) ?? 1) - 1)))
      )
    }
  })
)

const config = Schema.decodeUnknownSync(JobsConfig)({
  workers: 6,
  perTenant: 2,
  lease: "2 seconds",
  checkInterval: "100 millis",
  pollInterval: "100 millis"
})

const Live = layerWorkers(config).pipe(
  Layer.provide(executor),
  Layer.provideMerge(layer(config)),
  Layer.provideMerge(appDatabase(8)),
  Layer.provide(TestDatabase.layer("jobs"))
)

const alice: JobOwner = { tenantId: "acme", principal: "alice" }

/** Polls until the job ends (or `timeoutMs` passes) and returns it. */
const settled = (owner: JobOwner, id: string, timeoutMs = 15_000) =>
  Effect.gen(function* () {
    const jobs = yield* Jobs
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const job = yield* jobs.find(owner, id)
      if (job !== undefined && Job.isTerminal(job.status)) return job
      yield* Effect.sleep("50 millis")
    }
    return yield* Effect.die(new Error(`job ${id} did not end within ${timeoutMs} ms`))
  })

const waitFor = (owner: JobOwner, id: string, status: Job.JobStatus) =>
  Effect.gen(function* () {
    const jobs = yield* Jobs
    for (let i = 0; i < 200; i++) {
      const job = yield* jobs.find(owner, id)
      if (job?.status === status) return job
      yield* Effect.sleep("50 millis")
    }
    return yield* Effect.die(new Error(`job ${id} never became ${status}`))
  })

const submit = (owner: JobOwner, name: string, input: JsonValue, maxAttempts?: number) =>
  Effect.flatMap(Jobs, (jobs) =>
    jobs.submit({ ...owner, kind: "test", name, input, ...(maxAttempts === undefined ? {} : { maxAttempts }) })
  )

describe("durable jobs", () => {
  it.layer(Live, { timeout: 60_000, excludeTestServices: true })((it) => {
    it.effect("complete, and are seen only by their owner", () =>
      Effect.gen(function* () {
        const jobs = yield* Jobs
        const job = yield* submit(alice, "quick", { ms: 10 })
        expect(job.status).toBe("queued")
        expect(job.id).toMatch(/^[A-Za-z0-9_-]{24}$/)
        const done = yield* settled(alice, job.id)
        expect(done.status).toBe("completed")
        expect(done.result).toEqual({ content: [{ type: "text", text: "quick done" }] })
        expect(done.progress).toEqual({ progress: 1, total: 2 })
        expect(yield* jobs.find({ tenantId: "acme", principal: "bob" }, job.id)).toBeUndefined()
        expect(yield* jobs.find({ tenantId: "globex", principal: "alice" }, job.id)).toBeUndefined()
        expect(yield* jobs.cancel({ tenantId: "globex", principal: "alice" }, job.id)).toBe(false)
        expect(yield* jobs.find(alice, "no-such-job")).toBeUndefined()
      })
    )

    it.effect("are cancelled while running within a second, their run interrupted", () =>
      Effect.gen(function* () {
        const jobs = yield* Jobs
        const job = yield* submit(alice, "long", { ms: 30_000 })
        yield* waitFor(alice, job.id, "working")
        const started = Date.now()
        expect(yield* jobs.cancel(alice, job.id)).toBe(true)
        const ended = yield* settled(alice, job.id)
        expect(ended.status).toBe("cancelled")
        expect(Date.now() - started).toBeLessThan(1000)
        expect(seen.interrupted.has(job.id)).toBe(true)
        // Cancelling again, once it ended, changes nothing.
        expect(yield* jobs.cancel(alice, job.id)).toBe(true)
        expect((yield* jobs.find(alice, job.id))?.status).toBe("cancelled")
      })
    )

    it.effect("run at most perTenant at once per tenant, without holding up other tenants", () =>
      Effect.gen(function* () {
        seen.maxRunning.clear()
        const busy = { tenantId: "busy", principal: "p" }
        const other = { tenantId: "other", principal: "p" }
        const many = yield* Effect.forEach(Array.from({ length: 5 }), () => submit(busy, "work", { ms: 400 }))
        const few = yield* Effect.forEach(Array.from({ length: 2 }), () => submit(other, "work", { ms: 400 }))
        const otherDone = yield* Effect.forEach(few, (job) => settled(other, job.id))
        const busyDone = yield* Effect.forEach(many, (job) => settled(busy, job.id))
        expect([...otherDone, ...busyDone].every((job) => job.status === "completed")).toBe(true)
        expect(seen.maxRunning.get("busy")).toBe(2)
        expect(seen.maxRunning.get("other")).toBeLessThanOrEqual(2)
        // The other tenant's jobs did not wait for the busy tenant's queue.
        const lastOther = Math.max(...otherDone.map((job) => job.updatedAt.getTime()))
        const lastBusy = Math.max(...busyDone.map((job) => job.updatedAt.getTime()))
        expect(lastOther).toBeLessThan(lastBusy)
      })
    )

    it.effect("retry a run that dies, and give up after maxAttempts with an internal error", () =>
      Effect.gen(function* () {
        const retried = yield* submit(alice, "flaky", { ms: 1, dieUntil: 1 }, 3)
        const done = yield* settled(alice, retried.id)
        expect(done.status).toBe("completed")
        expect(done.attempts).toBe(2)
        const hopeless = yield* submit(alice, "doomed", { dieUntil: 99 }, 2)
        const failed = yield* settled(alice, hopeless.id)
        expect(failed.status).toBe("failed")
        expect(failed.attempts).toBe(2)
        expect(failed.error?.code).toBe(-32603)
        expect(failed.error?.message).toContain(hopeless.id)
        expect(seen.runs.get(hopeless.id)).toBe(2)
      })
    )

    it.effect("wait for every answer, taken one at a time, then run with them", () =>
      Effect.gen(function* () {
        const jobs = yield* Jobs
        const job = yield* submit(alice, "ask", {})
        const asking = yield* waitFor(alice, job.id, "input_required")
        expect(Object.keys(asking.inputRequests ?? {}).sort()).toEqual(["first", "second"])
        expect(yield* jobs.respond(alice, job.id, { first: "one", unknown: "ignored" })).toBe("waiting")
        const half = yield* jobs.find(alice, job.id)
        expect(half?.status).toBe("input_required")
        expect(Object.keys(half?.inputRequests ?? {})).toEqual(["second"])
        expect(yield* jobs.respond({ tenantId: "acme", principal: "bob" }, job.id, { second: 2 })).toBe("not-found")
        expect(yield* jobs.respond(alice, job.id, { second: "two" })).toBe("resumed")
        const done = yield* settled(alice, job.id)
        expect(done.status).toBe("completed")
        expect(done.result).toEqual({
          content: [{ type: "text", text: JSON.stringify({ first: "one", second: "two" }) }]
        })
      })
    )
  })
})
