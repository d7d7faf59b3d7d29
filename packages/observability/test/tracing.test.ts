import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { Config, ConfigProvider, Effect, Layer, Schedule } from "effect"
import { Tracing } from "../src/index.ts"

interface Received {
  readonly method: string
  readonly path: string
  readonly contentType: string
  readonly apiKey: string | undefined
  readonly body: Buffer
}

// A local OTLP/HTTP receiver on 127.0.0.1 that records every request and answers 200.
const collector = Effect.acquireRelease(
  Effect.callback<{ readonly url: string; readonly received: Array<Received>; readonly close: () => void }>(
    (resume) => {
      const received: Array<Received> = []
      const server = createServer((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          received.push({
            method: request.method ?? "",
            path: request.url ?? "",
            contentType: request.headers["content-type"] ?? "",
            apiKey: request.headers["x-api-key"]?.toString(),
            body: Buffer.concat(chunks)
          })
          response.writeHead(200, { "content-type": "application/json" }).end("{}")
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(
          Effect.succeed({
            url: `http://127.0.0.1:${port}`,
            received,
            close: () => {
              server.closeAllConnections()
              server.close()
            }
          })
        )
      })
    }
  ),
  (server) => Effect.sync(server.close)
)

const tracingWith = (env: Record<string, string>) =>
  Tracing.layer.pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env }))))

// Runs one span named `name` with the tracing layer built from `env`; the layer (and its exporter) closes after.
const traced = (env: Record<string, string>, name: string) =>
  Effect.tracer.pipe(Effect.withSpan(name), Effect.provide(tracingWith(env)))

interface JsonSpan {
  readonly name: string
}
interface JsonTraces {
  readonly resourceSpans: ReadonlyArray<{
    readonly resource: { readonly attributes: ReadonlyArray<{ key: string; value: { stringValue?: string } }> }
    readonly scopeSpans: ReadonlyArray<{ readonly spans: ReadonlyArray<JsonSpan> }>
  }>
}

const resourceAttribute = (traces: JsonTraces, key: string) =>
  traces.resourceSpans[0]?.resource.attributes.find((attribute) => attribute.key === key)?.value.stringValue

const spanNames = (traces: JsonTraces) =>
  traces.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans.map((s) => s.name)))

describe("Tracing", () => {
  it.live("exports spans as OTLP/JSON to <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces while running", () =>
    Effect.gen(function* () {
      const otlp = yield* collector
      const layer = tracingWith({
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=test,team=core%20platform",
        OTEL_BSP_SCHEDULE_DELAY: "50"
      })
      yield* Effect.gen(function* () {
        yield* Effect.void.pipe(Effect.withSpan("bulwark-json-span"))
        // Exported by the periodic batch, before shutdown.
        yield* Effect.suspend(() => (otlp.received.length > 0 ? Effect.void : Effect.fail("not yet"))).pipe(
          Effect.retry(Schedule.spaced("20 millis")),
          Effect.timeout("5 seconds")
        )
      }).pipe(Effect.provide(layer))

      const request = otlp.received[0]!
      expect(request.method).toBe("POST")
      expect(request.path).toBe("/v1/traces")
      expect(request.contentType).toContain("application/json")
      const traces = JSON.parse(request.body.toString("utf8")) as JsonTraces
      expect(spanNames(traces)).toContain("bulwark-json-span")
      expect(resourceAttribute(traces, "service.name")).toBe("bulwark")
      expect(resourceAttribute(traces, "deployment.environment")).toBe("test")
      expect(resourceAttribute(traces, "team")).toBe("core platform")
    })
  )

  it.live("flushes on shutdown, as protobuf by default, with OTEL_SERVICE_NAME", () =>
    Effect.gen(function* () {
      const otlp = yield* collector
      const env = { OTEL_EXPORTER_OTLP_ENDPOINT: `${otlp.url}/`, OTEL_SERVICE_NAME: "bulwark-proto-test" }
      yield* Effect.gen(function* () {
        yield* Effect.void.pipe(Effect.withSpan("bulwark-proto-span"))
        // The default batch delay is 5 s: nothing is sent while the layer is open.
        yield* Effect.sleep("200 millis")
        expect(otlp.received).toEqual([])
      }).pipe(Effect.provide(tracingWith(env)))

      expect(otlp.received.length).toBe(1)
      const request = otlp.received[0]!
      expect(request.path).toBe("/v1/traces")
      expect(request.contentType).toBe("application/x-protobuf")
      expect(request.body.includes(Buffer.from("bulwark-proto-span"))).toBe(true)
      expect(request.body.includes(Buffer.from("bulwark-proto-test"))).toBe(true)
    })
  )

  it.live("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as is and wins; OTEL_EXPORTER_OTLP_HEADERS are sent", () =>
    Effect.gen(function* () {
      const otlp = yield* collector
      yield* traced(
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9/unused",
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${otlp.url}/custom/traces`,
          OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=shared%20key",
          OTEL_TRACES_EXPORTER: "otlp"
        },
        "bulwark-custom-span"
      )
      expect(otlp.received.map((request) => request.path)).toEqual(["/custom/traces"])
      expect(otlp.received[0]!.apiKey).toBe("shared key")
      expect(otlp.received[0]!.body.includes(Buffer.from("bulwark-custom-span"))).toBe(true)
    })
  )

  it.live("installs nothing without an endpoint, with OTEL_TRACES_EXPORTER=none or OTEL_SDK_DISABLED", () =>
    Effect.gen(function* () {
      const otlp = yield* collector
      const defaultTracer = yield* Effect.tracer
      expect(yield* traced({}, "no-env")).toBe(defaultTracer)
      expect(yield* traced({ OTEL_TRACES_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url }, "off")).toBe(
        defaultTracer
      )
      expect(yield* traced({ OTEL_SDK_DISABLED: "true", OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url }, "off")).toBe(
        defaultTracer
      )
      expect(otlp.received).toEqual([])

      // The same setup with the exporter on does install a different tracer.
      expect(yield* traced({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url }, "on")).not.toBe(defaultTracer)
      expect(otlp.received.length).toBe(1)

      const settings = yield* Tracing.settings.pipe(
        Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env: {} })))
      )
      expect(settings).toBeUndefined()
    })
  )

  it.effect("rejects an unsupported protocol with a ConfigError", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Layer.build(
          tracingWith({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4317", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" })
        )
      )
      expect(error).toBeInstanceOf(Config.ConfigError)
    })
  )
})
