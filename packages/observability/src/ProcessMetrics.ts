/**
 * What the process uses, sampled when metrics are scraped: the standard `process_*` series every Prometheus client
 * library exports (CPU seconds, resident memory, open file descriptors, start time), the `nodejs_*` heap series, the
 * event loop's utilization, and the limits an alert divides by (`bulwark_memory_limit_bytes`: the container's
 * cgroup limit, else the machine's memory; `bulwark_heap_limit_bytes`: V8's old-space limit).
 *
 * Hand-written rather than `prom-client`'s default collectors: those live in a second registry beside Effect's, keep
 * a 10 ms event-loop timer and a GC observer running, and bring `@opentelemetry/api` 1.10 against the 1.9 the
 * OpenTelemetry SDKs here require. Sampling here costs nothing between scrapes.
 *
 * @since 0.1.0
 */
import { readdirSync, readFileSync } from "node:fs"
import { totalmem } from "node:os"
import { performance } from "node:perf_hooks"
import { getHeapStatistics } from "node:v8"
import { Effect, Metric } from "effect"

const counter = (name: string, description: string) => Metric.counter(name, { description, incremental: true })
const gauge = (name: string, description: string) => Metric.gauge(name, { description })

/** `process_cpu_user_seconds_total`, `process_cpu_system_seconds_total`, `process_cpu_seconds_total`. */
export const cpuUser = counter("process_cpu_user_seconds_total", "User CPU time spent in seconds")
export const cpuSystem = counter("process_cpu_system_seconds_total", "System CPU time spent in seconds")
export const cpuTotal = counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds")
/** `process_resident_memory_bytes`. */
export const residentMemory = gauge("process_resident_memory_bytes", "Resident memory size in bytes")
/** `process_start_time_seconds`: since the Unix epoch. */
export const startTime = gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds")
/** `process_open_fds`, `process_max_fds` (Linux). */
export const openFds = gauge("process_open_fds", "Number of open file descriptors")
export const maxFds = gauge("process_max_fds", "Maximum number of open file descriptors")
/** `nodejs_heap_size_used_bytes`, `nodejs_heap_size_total_bytes`, `nodejs_external_memory_bytes`. */
export const heapUsed = gauge("nodejs_heap_size_used_bytes", "V8 heap used in bytes")
export const heapTotal = gauge("nodejs_heap_size_total_bytes", "V8 heap allocated in bytes")
export const external = gauge("nodejs_external_memory_bytes", "Memory of C++ objects bound to JavaScript in bytes")
/** `nodejs_eventloop_utilization_ratio`: the share of time the event loop was busy since the previous scrape. */
export const eventLoopUtilization = gauge(
  "nodejs_eventloop_utilization_ratio",
  "Share of time the event loop was busy since the previous scrape"
)
/** `bulwark_heap_limit_bytes`: the V8 heap's limit (`--max-old-space-size` and the rest). */
export const heapLimit = gauge("bulwark_heap_limit_bytes", "V8 heap size limit in bytes")
/** `bulwark_memory_limit_bytes`: the cgroup (container) memory limit, else the machine's memory. */
export const memoryLimit = gauge("bulwark_memory_limit_bytes", "Memory the process may use: cgroup limit or total")

const readNumber = (path: string): number | undefined => {
  try {
    const text = readFileSync(path, "utf8").trim()
    const value = Number(text)
    return text === "max" || !Number.isFinite(value) ? undefined : value
  } catch {
    return undefined
  }
}

/** The container's memory limit (cgroup v2, then v1; v1's "unlimited" is a huge number), else the machine's. */
const memoryLimitBytes = (): number => {
  const machine = totalmem()
  const limit = readNumber("/sys/fs/cgroup/memory.max") ?? readNumber("/sys/fs/cgroup/memory/memory.limit_in_bytes")
  return limit !== undefined && limit < machine ? limit : machine
}

const maxFdsOf = (): number | undefined => {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((row) => row.startsWith("Max open files"))
    const soft = line === undefined ? Number.NaN : Number(line.split(/\s+/)[3])
    return Number.isFinite(soft) ? soft : undefined
  } catch {
    return undefined
  }
}

const openFdsOf = (): number | undefined => {
  try {
    return readdirSync("/proc/self/fd").length
  } catch {
    return undefined
  }
}

/** Values that do not change while the process runs, read on the first scrape. */
interface Fixed {
  readonly startTime: number
  readonly memoryLimit: number
  readonly heapLimit: number
  readonly maxFds: number | undefined
}

let fixed: Fixed | undefined
let lastCpu: NodeJS.CpuUsage = { user: 0, system: 0 }
let lastLoop = performance.eventLoopUtilization()

/** Updates the process series in the current registry: run it right before rendering. */
export const sample: Effect.Effect<void> = Effect.suspend(() => {
  fixed ??= {
    startTime: Math.round(Date.now() / 1000 - process.uptime()),
    memoryLimit: memoryLimitBytes(),
    heapLimit: getHeapStatistics().heap_size_limit,
    maxFds: maxFdsOf()
  }
  const cpu = process.cpuUsage()
  const user = (cpu.user - lastCpu.user) / 1e6
  const system = (cpu.system - lastCpu.system) / 1e6
  lastCpu = cpu
  const loop = performance.eventLoopUtilization()
  const busy = performance.eventLoopUtilization(loop, lastLoop).utilization
  lastLoop = loop
  const memory = process.memoryUsage()
  const fds = openFdsOf()
  const updates: Array<Effect.Effect<void>> = [
    Metric.update(cpuUser, user),
    Metric.update(cpuSystem, system),
    Metric.update(cpuTotal, user + system),
    Metric.update(residentMemory, memory.rss),
    Metric.update(startTime, fixed.startTime),
    Metric.update(heapUsed, memory.heapUsed),
    Metric.update(heapTotal, memory.heapTotal),
    Metric.update(external, memory.external),
    Metric.update(eventLoopUtilization, busy),
    Metric.update(heapLimit, fixed.heapLimit),
    Metric.update(memoryLimit, fixed.memoryLimit)
  ]
  if (fds !== undefined) updates.push(Metric.update(openFds, fds))
  if (fixed.maxFds !== undefined) updates.push(Metric.update(maxFds, fixed.maxFds))
  return Effect.all(updates, { discard: true })
})

/** `bulwark_build_info{version,node_version}`: always 1; its labels say what runs. */
export const buildInfo = gauge("bulwark_build_info", "The running Bulwark's version and Node.js version (always 1)")

/** Records {@link buildInfo} for `version`. */
export const recordBuildInfo = (version: string): Effect.Effect<void> =>
  Metric.update(Metric.withAttributes(buildInfo, { version, node_version: process.versions.node }), 1)
