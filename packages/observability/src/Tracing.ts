/**
 * OTLP/HTTP trace export, configured by the standard OpenTelemetry environment variables.
 *
 * Built on effect's own `OtlpTracer` rather than `@effect/opentelemetry`'s `NodeSdk`: it needs no OpenTelemetry
 * SDK packages (the NodeSdk route pulls in sdk-trace-base/node, resources, an OTLP exporter, api-logs and
 * sdk-logs and bridges Effect spans into OTel spans), exports Effect spans directly over `fetch`, and flushes its
 * batch when its scope closes. Configuration is read here rather than through `OtlpTracer.layerFromConfig`
 * because that one (effect 4.1.0) exports nothing unless `OTEL_TRACES_EXPORTER` is set, while the specification
 * makes `otlp` the default, and it has no default service name.
 *
 * @since 0.1.0
 */
import { Config, Duration, Effect, Layer, Option, Schema } from "effect"
import { FetchHttpClient } from "effect/http"
import { OtlpSerialization, OtlpTracer } from "effect/observability"

/** Service name used when neither `OTEL_SERVICE_NAME` nor `service.name` in `OTEL_RESOURCE_ATTRIBUTES` is set. */
export const defaultServiceName = "bulwark"

/** The resolved exporter settings; `undefined` from {@link settings} means tracing is off. */
export interface Settings {
  readonly url: string
  readonly protocol: "http/protobuf" | "http/json"
  readonly serviceName: string
  /** Extra request headers; they often hold credentials, so do not log them. */
  readonly headers: Readonly<Record<string, string>> | undefined
  readonly compression: "gzip" | "none"
  readonly exportInterval: Duration.Duration
}

const traces = <A>(make: (name: string) => Config.Config<A>, suffix: string): Config.Config<Option.Option<A>> =>
  Config.option(make(`OTEL_EXPORTER_OTLP_TRACES_${suffix}`)).pipe(
    Config.flatMap((specific) =>
      Option.isSome(specific) ? Config.succeed(specific) : Config.option(make(`OTEL_EXPORTER_OTLP_${suffix}`))
    )
  )

const keyValues = (name: string) =>
  Config.Record(Schema.String, Schema.StringFromUriComponent, name, { trim: true, keepEmptyValues: true })

// `OTEL_EXPORTER_OTLP_ENDPOINT` is a base URL (`/v1/traces` is appended); the traces-specific one is used as is.
const endpoint: Config.Config<Option.Option<string>> = Config.option(
  Config.URL("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
).pipe(
  Config.flatMap((specific) =>
    Option.isSome(specific)
      ? Config.succeed(Option.some(specific.value.toString()))
      : Config.option(Config.URL("OTEL_EXPORTER_OTLP_ENDPOINT")).pipe(
          Config.map(
            Option.map((base) => {
              base.pathname = `${base.pathname.replace(/\/+$/, "")}/v1/traces`
              return base.toString()
            })
          )
        )
  )
)

/**
 * Reads the tracing settings: `OTEL_SDK_DISABLED`, `OTEL_TRACES_EXPORTER` (`otlp` by default, `none` turns it
 * off), `OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT`, `..._PROTOCOL` (`http/protobuf` by default or `http/json`;
 * `grpc` is a config error), `..._HEADERS`, `..._COMPRESSION`, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`
 * and `OTEL_BSP_SCHEDULE_DELAY` (ms). `undefined` when tracing is off or no endpoint is set.
 */
export const settings: Effect.Effect<Settings | undefined, Config.ConfigError> = Effect.gen(function* () {
  const disabled = yield* Config.Boolean("OTEL_SDK_DISABLED").pipe(Config.withDefault(false))
  const exporters = yield* Config.String("OTEL_TRACES_EXPORTER").pipe(Config.withDefault("otlp"))
  const url = yield* endpoint
  const names = exporters.split(",").map((name) => name.trim().toLowerCase())
  if (disabled || !names.includes("otlp") || Option.isNone(url)) return undefined
  const protocol = yield* traces((name) => Config.Literals(["http/protobuf", "http/json"], name), "PROTOCOL")
  const headers = yield* traces(keyValues, "HEADERS")
  const compression = yield* traces((name) => Config.Literals(["gzip", "none"], name), "COMPRESSION")
  const serviceName = yield* Config.option(Config.String("OTEL_SERVICE_NAME"))
  const attributes = yield* Config.option(keyValues("OTEL_RESOURCE_ATTRIBUTES"))
  const delay = yield* Config.option(Config.Int("OTEL_BSP_SCHEDULE_DELAY"))
  return {
    url: url.value,
    protocol: Option.getOrElse(protocol, () => "http/protobuf" as const),
    serviceName: Option.getOrElse(
      Option.orElse(serviceName, () =>
        Option.flatMap(attributes, (record) => Option.fromNullishOr(record["service.name"]))
      ),
      () => defaultServiceName
    ),
    headers: Option.getOrUndefined(headers),
    compression: Option.getOrElse(compression, () => "none" as const),
    exportInterval: Duration.millis(Option.getOrElse(delay, () => 5000))
  }
})

const exporter = (settings: Settings): Layer.Layer<never> =>
  OtlpTracer.layer({
    url: settings.url,
    // Other resource attributes and `service.version` are read from `OTEL_RESOURCE_ATTRIBUTES` by OtlpTracer.
    resource: { serviceName: settings.serviceName },
    headers: settings.headers,
    compression: settings.compression,
    exportInterval: settings.exportInterval
  }).pipe(
    Layer.provide(settings.protocol === "http/json" ? OtlpSerialization.layerJson : OtlpSerialization.layerProtobuf),
    Layer.provide(FetchHttpClient.layer)
  )

/**
 * Installs an OTLP/HTTP exporting tracer when an OTLP endpoint is configured (see {@link settings}), and nothing
 * otherwise. Ended spans are sent in batches every `OTEL_BSP_SCHEDULE_DELAY` ms (5 s by default) and flushed
 * when the layer's scope closes (up to 3 s). Fails with a `ConfigError` on malformed settings.
 */
export const layer: Layer.Layer<never, Config.ConfigError> = Layer.unwrap(
  Effect.map(settings, (resolved) => (resolved === undefined ? Layer.empty : exporter(resolved)))
)
