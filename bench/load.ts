/**
 * The load generator, run as its own process by `run.ts` so that its CPU is never the server's: `autocannon`
 * sending one request (URL, headers, body) over N keep-alive connections for a while, then one JSON line on stdout
 * with the outcome. Latencies are kept per status class, so that a run with refusals (the spike) reports the
 * admitted requests' latency apart from the refused ones', and the admitted ones' again once the run's first second
 * (when a spike's new connections are being opened) is over. The first answer's body (refusals aside) must contain
 * `expect`: a server that answers fast but wrongly fails the run.
 *
 * With `uniqueHeader`, every request carries that header with a value of its own (e.g. a fresh idempotency key).
 *
 *   node load.ts '<json: { url, headers, body, connections, seconds, expect, uniqueHeader? }>'
 */
import autocannon from "autocannon"

interface Job {
  readonly url: string
  readonly headers: Record<string, string>
  readonly body: string
  readonly connections: number
  readonly seconds: number
  readonly expect: string
  readonly uniqueHeader?: string
}

/** What one run measured. */
export interface LoadResult {
  readonly requests: number
  readonly seconds: number
  readonly perSecond: number
  /** Answers by HTTP status. */
  readonly statuses: Record<string, number>
  /** Latency percentiles of 2xx answers, in milliseconds. */
  readonly ok: Percentiles
  /** The same for the 2xx answers after the run's first second (its connections open by then). */
  readonly okAfterFirstSecond: Percentiles
  /** Latency percentiles of every other answer (refusals), in milliseconds; undefined when there were none. */
  readonly refused: Percentiles | undefined
  readonly errors: number
  readonly timeouts: number
}

export interface Percentiles {
  readonly count: number
  readonly p50: number
  readonly p99: number
  readonly max: number
}

const percentiles = (values: Array<number>): Percentiles => {
  values.sort((a, b) => a - b)
  const at = (q: number) => values[Math.min(values.length - 1, Math.floor(q * values.length))] ?? 0
  return { count: values.length, p50: at(0.5), p99: at(0.99), max: values[values.length - 1] ?? 0 }
}

/** The JSON-RPC code of a request shed at capacity. */
const OVERLOADED = -32030

const job = JSON.parse(process.argv[2] ?? "{}") as Job
const okTimes: Array<number> = []
const okTimesAfterFirstSecond: Array<number> = []
const refusedTimes: Array<number> = []
const statuses: Record<string, number> = {}
let checked = false
let sent = 0
let wrong: string | undefined

const started = performance.now()

const finish = (error: Error | null, result: autocannon.Result) => {
  const seconds = (performance.now() - started) / 1000
  if (error !== null || wrong !== undefined) {
    process.stderr.write(`${error === null ? `unexpected answer: ${wrong}` : error.message}\n`)
    process.exit(1)
  }
  const requests = okTimes.length + refusedTimes.length
  const outcome: LoadResult = {
    requests,
    seconds,
    perSecond: requests / seconds,
    statuses,
    ok: percentiles(okTimes),
    okAfterFirstSecond: percentiles(okTimesAfterFirstSecond),
    refused: refusedTimes.length === 0 ? undefined : percentiles(refusedTimes),
    errors: result.errors,
    timeouts: result.timeouts
  }
  process.stdout.write(`${JSON.stringify(outcome)}\n`)
}

const instance = autocannon(
  {
    url: job.url,
    method: "POST",
    headers: job.headers,
    body: job.body,
    connections: job.connections,
    duration: job.seconds,
    timeout: 30,
    ...(job.uniqueHeader === undefined
      ? {}
      : {
          requests: [
            {
              setupRequest: (request: autocannon.Request) => {
                request.headers = { ...request.headers, [job.uniqueHeader as string]: `${process.pid}-${++sent}` }
                return request
              }
            }
          ]
        }),
    setupClient: (client) => {
      client.on("body", (body: Buffer) => {
        if (checked) return
        const text = body.toString("utf8")
        // A refusal (503 under the spike) is counted by its status; the first real answer must be right.
        if (text.includes(`"code":${OVERLOADED}`)) return
        checked = true
        if (!text.includes(job.expect)) wrong = text.slice(0, 500)
      })
    }
  },
  finish
)
instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
  statuses[statusCode] = (statuses[statusCode] ?? 0) + 1
  if (statusCode < 200 || statusCode >= 300) return void refusedTimes.push(responseTime)
  okTimes.push(responseTime)
  if (performance.now() - started >= 1000) okTimesAfterFirstSecond.push(responseTime)
})
