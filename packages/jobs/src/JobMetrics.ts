/**
 * The job system's Prometheus series: jobs submitted and runs ended (by tenant, job and how the run ended), how
 * long runs take (by job), and the runs in progress on this instance. `job_name` is the job's kind and name (e.g.
 * `tool generate_report`), a bounded set: what plugins declare. (Not `job`: Prometheus gives every scraped series
 * the `job` of its scrape target, and would rename ours to `exported_job`.)
 *
 * @since 0.1.0
 */
import { Metric } from "effect"

/** `bulwark_jobs_submitted_total{tenant_id,job_name}`. */
export const submitted: Metric.Counter<number> = Metric.counter("bulwark_jobs_submitted_total", {
  description: "Jobs submitted",
  incremental: true
})

/**
 * `bulwark_job_runs_total{tenant_id,job_name,outcome}`: runs that ended, by outcome (`completed`, `failed`, `cancelled`,
 * `input_required`, `retried`: failed unexpectedly and delivered again, `lost`: its claim was taken over).
 */
export const runs: Metric.Counter<number> = Metric.counter("bulwark_job_runs_total", {
  description: "Job runs that ended, by outcome",
  incremental: true
})

/** `bulwark_job_run_duration_seconds{job_name}`. */
export const duration: Metric.Histogram<number> = Metric.histogram("bulwark_job_run_duration_seconds", {
  description: "How long job runs take, in seconds",
  boundaries: Metric.boundariesFromIterable([0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800])
})

/** `bulwark_jobs_running`: runs in progress on this instance. */
export const running: Metric.Gauge<number> = Metric.gauge("bulwark_jobs_running", {
  description: "Job runs in progress on this instance"
})

/** The series' labels of a job. */
export const labelsOf = (job: { readonly tenantId: string; readonly kind: string; readonly name: string }) => ({
  tenant_id: job.tenantId,
  job_name: `${job.kind} ${job.name}`
})
