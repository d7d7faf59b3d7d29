import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Logger } from "effect"
import { JsonLogs } from "../src/index.ts"

const fixture = fileURLToPath(new URL("./fixtures/log-child.ts", import.meta.url))
const burstFixture = fileURLToPath(new URL("./fixtures/log-burst.ts", import.meta.url))
const annotatedFixture = fileURLToPath(new URL("./fixtures/log-annotated.ts", import.meta.url))

interface Output {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

// Runs the fixture on the Node that runs the tests (Node 24 via `pnpm exec`), killed if the test is interrupted.
const runChild = (logLevel: string | undefined, script = fixture, extraEnv: NodeJS.ProcessEnv = {}) =>
  Effect.callback<Output, Error>((resume) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv }
    delete env.LOG_LEVEL
    if (logLevel !== undefined) env.LOG_LEVEL = logLevel
    const child = spawn(process.execPath, [script], { env, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8")
    })
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
    })
    child.on("error", (error) => resume(Effect.fail(error)))
    child.on("close", (code) => resume(Effect.succeed({ code, stdout, stderr })))
    return Effect.sync(() => child.kill("SIGKILL"))
  })

const parseLines = (stderr: string): Array<Record<string, unknown>> =>
  stderr
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>)

describe("JsonLogs", () => {
  it.live("writes one JSON object per line to stderr with annotations, span ids and cause; nothing to stdout", () =>
    Effect.gen(function* () {
      const output = yield* runChild("debug")
      expect(output.code).toBe(0)
      expect(output.stdout).toBe("")
      const lines = parseLines(output.stderr)
      expect(lines.map((line) => line.message)).toEqual([
        "debug line",
        "request done",
        "inside span",
        "failed",
        'two parts {"n":1}'
      ])
      for (const line of lines) {
        expect(typeof line.time === "string" && !Number.isNaN(Date.parse(line.time))).toBe(true)
      }
      expect(lines.map((line) => line.level)).toEqual(["debug", "info", "warn", "error", "info"])

      expect(lines[1]).toMatchObject({
        requestId: "r-1",
        traceId: "annotated-trace",
        spanId: "annotated-span",
        tool: "echo",
        durationMs: 12,
        tenantId: "t1",
        method: "tools/call"
      })
      expect(lines[1]).not.toHaveProperty("cause")

      const inSpan = lines[2]!
      expect(inSpan.traceId).toMatch(/^[0-9a-f]{32}$/)
      expect(inSpan.traceId).toBe(inSpan.expectedTraceId)
      expect(inSpan.spanId).toBe(inSpan.expectedSpanId)
      expect(lines[0]).not.toHaveProperty("traceId")

      expect(lines[3]!.cause).toEqual(expect.stringContaining("Error: kaput"))
      expect(lines[4]).toMatchObject({ level: "info", "annotation.level": "shadowed" })
    })
  )

  it.live("filters by level: info drops debug, error keeps only errors", () =>
    Effect.gen(function* () {
      const info = yield* runChild(undefined)
      expect(info.stdout).toBe("")
      expect(parseLines(info.stderr).map((line) => line.level)).toEqual(["info", "warn", "error", "info"])

      const error = yield* runChild("ERROR")
      expect(error.stdout).toBe("")
      expect(parseLines(error.stderr).map((line) => line.message)).toEqual(["failed"])
    })
  )

  it.live("an unknown level logs a warning and falls back to info", () =>
    Effect.gen(function* () {
      const output = yield* runChild("loud")
      expect(output.stdout).toBe("")
      const lines = parseLines(output.stderr)
      expect(lines[0]).toMatchObject({ level: "warn", setting: "loud" })
      expect(lines.map((line) => line.message)).not.toContain("debug line")
      expect(lines.map((line) => line.message)).toContain("request done")
    })
  )

  it.live(
    "writes lines in bulk after a short wait, an error line at once, and everything before the process exits",
    () =>
      Effect.gen(function* () {
        const turn = yield* runChild(undefined, burstFixture, { BURST_END: "turn" })
        expect(turn.code).toBe(0)
        const lines = parseLines(turn.stderr)
        expect(lines.map((line) => line.message)).toEqual([
          ...Array.from({ length: 20 }, (_, n) => `line ${n}`),
          "urgent",
          "later"
        ])
        // The burst and the error went out together at the error; the last line neither at once nor at the end of the
        // turn, but when the flush interval had passed.
        expect(JSON.parse(turn.stdout)).toEqual({ afterError: 1, afterLine: 1, nextTurn: 1, total: 2 })

        const exit = yield* runChild(undefined, burstFixture, { BURST_END: "exit" })
        expect(exit.code).toBe(0)
        expect(parseLines(exit.stderr)).toHaveLength(20)

        // More than flushBytes waiting goes out without waiting for the timer; the rest at exit.
        const size = yield* runChild(undefined, burstFixture, { BURST_END: "size" })
        const { lines: sizeLines, inTurn } = JSON.parse(size.stdout)
        expect(inTurn).toBe(1)
        expect(parseLines(size.stderr)).toHaveLength(sizeLines)
      })
  )

  it.effect("writes plain annotation values as JSON.stringify would, and a message of several parts joined", () =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      const capture = Logger.make((options) => {
        lines.push(JsonLogs.formatter.log(options))
      })
      const values = {
        n: 1.5,
        big: 1e21,
        neg: -0,
        inf: Number.POSITIVE_INFINITY,
        nan: Number.NaN,
        yes: true,
        none: null
      }
      yield* Effect.logInfo("values").pipe(
        Effect.annotateLogs({ ...values, text: 'a "quoted"\nline', "odd key": "x" }),
        Effect.andThen(Effect.logInfo("two", "parts")),
        Effect.provide(Logger.layer([capture]))
      )
      expect(lines.map((line) => JSON.parse(line))).toMatchObject([
        { message: "values", n: 1.5, big: 1e21, neg: 0, inf: null, nan: null, yes: true, none: null },
        { message: "two parts" }
      ])
      expect(lines[0]).toContain(`"big":1e+21,"neg":0,"inf":null,"nan":null,"yes":true,"none":null`)
      expect(JSON.parse(lines[0]!)).toMatchObject({ text: 'a "quoted"\nline', "odd key": "x" })
    })
  )

  it.effect("makes warnings and errors events of the current span, and info lines not", () =>
    Effect.gen(function* () {
      const span = yield* Effect.gen(function* () {
        yield* Effect.logInfo("request").pipe(Effect.annotateLogs({ outcome: "success" }))
        yield* Effect.logWarning("slow backend").pipe(Effect.annotateLogs({ backend: "db" }))
        yield* Effect.logError("failed")
        return yield* Effect.currentSpan
      }).pipe(Effect.withSpan("request span"), Effect.provide(Logger.layer([JsonLogs.spanEvents])))
      const events = (span as unknown as { readonly events: ReadonlyArray<[string, bigint, Record<string, unknown>]> })
        .events
      expect(events.map(([name, , attributes]) => [name, attributes["effect.logLevel"]])).toEqual([
        ["slow backend", "WARN"],
        ["failed", "ERROR"]
      ])
      expect(events[0]?.[2]).toMatchObject({ backend: "db" })
    })
  )

  it.live("logAnnotatedUnsafe writes the line Effect's logger would, and leaves a program's own logger its lines", () =>
    Effect.gen(function* () {
      const output = yield* runChild("info", annotatedFixture)
      expect(output.code).toBe(0)
      // JsonLogs' lines go out together after the turn; the program's own logger writes at once.
      const lines = parseLines(output.stderr)
      const [viaEffect, direct, withOwn] = lines.filter((line) => line.own === undefined)
      const { time: _t1, ...effectLine } = viaEffect ?? {}
      const { time: _t2, ...directLine } = direct ?? {}
      expect(effectLine).toEqual(directLine)
      expect(directLine).toMatchObject({
        level: "info",
        message: "request",
        requestId: "r-2",
        tenantId: "t1",
        outcome: "success",
        durationMs: 1.25,
        note: 'quote " and \\ backslash'
      })
      expect(directLine.traceId).toMatch(/^[0-9a-f]{32}$/)
      // With a logger of its own beside JsonLogs', both get the line.
      expect(withOwn).toMatchObject({ message: "with own logger", outcome: "success" })
      expect(lines.filter((line) => line.own !== undefined)).toEqual([{ own: ["with own logger"] }])
      // Below the minimum level, no line at all.
      const quiet = yield* runChild("warn", annotatedFixture)
      expect(quiet.stderr).toBe("")
    })
  )

  it("parseLevel reads LOG_LEVEL-style settings", () => {
    expect(JsonLogs.parseLevel(undefined)).toBe("Info")
    expect(JsonLogs.parseLevel("")).toBe("Info")
    expect(JsonLogs.parseLevel(" Debug ")).toBe("Debug")
    expect(JsonLogs.parseLevel("warning")).toBe("Warn")
    expect(JsonLogs.parseLevel("off")).toBe("None")
    expect(JsonLogs.parseLevel("verbose")).toBeUndefined()
  })
})
