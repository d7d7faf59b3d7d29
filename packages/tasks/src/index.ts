/**
 * `@bulwark/tasks`: the MCP Tasks extension (`io.modelcontextprotocol/tasks`, 2026-07-28) on durable jobs. A tool
 * that declares `task` is answered with a task once the call is stored as a job; `tasks/get`, `tasks/update` and
 * `tasks/cancel` follow, answer and stop it; 2025 clients reach the same jobs through the job tools.
 *
 * Wiring: `layer` (needs `Jobs`, the catalog and the notifier), its `stage` in the pipeline's stages, `methods` in
 * its methods; the job workers with `layerExecutor`; `jobToolsPlugin` among the plugins. The bundled server does all
 * of it.
 *
 * @since 0.1.0
 */

/** The extension's identifier, and how a client declares it. */
export * as TasksExtension from "./Extension.ts"
/** The 2025 clients' way to the same jobs. */
export { jobToolsPlugin } from "./JobTools.ts"
/** The `tasks/*` methods. */
export { make as methods } from "./TaskMethods.ts"
/** A job as a task on the wire. */
export * as TaskWire from "./TaskWire.ts"
/** Tools as tasks: the stage, the executor of tool jobs. */
export { JOB_META_KEY, KIND, layer, layerExecutor, ToolTasks } from "./ToolTasks.ts"
