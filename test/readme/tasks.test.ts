// #region readme
import { Plugin, Tool } from "@bulwark/core"
import { Effect, Schema } from "effect"

export const Exports = Plugin.make({
  name: "exports",
  version: "1.0.0",
  tools: [
    Tool.make("export_orders", {
      description: "Exports a month of orders as CSV (runs in the background).",
      input: Schema.Struct({ month: Schema.String }),
      task: { mode: "required", keep: "1 day" },
      handler: ({ month }, context) =>
        Effect.gen(function* () {
          for (let week = 1; week <= 4; week++) {
            yield* Effect.sleep("20 millis") // a query per week, say
            yield* context.progress(week, 4, `week ${week} of ${month}`)
          }
          // The job's id is the same on every run: key writes on it, and a run repeated after a crash writes once.
          return `orders-${month}.csv exported (job ${context.job?.id})`
        })
    })
  ]
})

// #endregion readme

import { Catalog, makeRequest, Notifier, Pipeline, type Principal } from "@bulwark/core"
import { appDatabase, TestDatabase } from "@bulwark/database/testing"
import { JobsConfig, layer as layerJobs, layerWorkers } from "@bulwark/jobs"
import { layerExecutor, methods, TasksExtension, ToolTasks, layer as toolTasks } from "@bulwark/tasks"
import { describe, expect, it } from "@effect/vitest"
import { Layer } from "effect"

/** A server composed from layers: the pipeline with the tasks stage and methods, jobs and their workers. */
const config = Schema.decodeUnknownSync(JobsConfig)({ pollInterval: "100 millis", checkInterval: "100 millis" })
const Live = Layer.mergeAll(
  Pipeline.layerWith(
    Effect.gen(function* () {
      const tasks = yield* ToolTasks
      return { ...Pipeline.defaultConfig, stages: [tasks.stage], methods: yield* methods }
    })
  ),
  layerWorkers(config).pipe(Layer.provide(layerExecutor))
).pipe(
  Layer.provideMerge(toolTasks),
  Layer.provideMerge(Catalog.layer([Exports])),
  Layer.provideMerge(Notifier.none),
  Layer.provideMerge(layerJobs(config)),
  Layer.provideMerge(appDatabase(4)),
  Layer.provide(TestDatabase.layer("readme_tasks"))
)

const principal: Principal = { tenantId: "acme", subject: "alice", scopes: [], method: "api-key" }
const declaring = { extensions: { [TasksExtension.EXTENSION_ID]: {} } }

const request = (method: string, params: Record<string, unknown>) =>
  Effect.flatMap(Pipeline.Pipeline, (pipeline) =>
    pipeline.handle(makeRequest(method, params, { principal, clientCapabilities: declaring }))
  )

describe("README: tools that run as tasks", () => {
  it.layer(Live, { timeout: 60_000, excludeTestServices: true })((it) => {
    it.effect("answers a task, which any worker runs to its result", () =>
      Effect.gen(function* () {
        const created = yield* request("tools/call", { name: "export_orders", arguments: { month: "2026-10" } })
        expect(created).toMatchObject({ resultType: "task", status: "working" })
        const taskId = created.taskId as string
        let task = yield* request("tasks/get", { taskId })
        while (task.status === "working") {
          yield* Effect.sleep("50 millis")
          task = yield* request("tasks/get", { taskId })
        }
        expect(task.status).toBe("completed")
        expect(task.result).toEqual({
          resultType: "complete",
          content: [{ type: "text", text: `orders-2026-10.csv exported (job ${taskId})` }]
        })
        expect(task._meta).toEqual({ "io.bulwark/progress": { progress: 4, total: 4 } })
      })
    )
  })
})
