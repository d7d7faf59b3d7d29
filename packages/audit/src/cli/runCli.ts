/**
 * Runs one CLI command against a database and returns the process exit code. Results go to stdout as JSON,
 * problems to stderr.
 *
 * @since 0.1.0
 */
import { Database, DatabaseConfig } from "@bulwark/database"
import { Console, Effect, Layer, Logger, References, Schema } from "effect"
import { toJson } from "../AuditRecord.ts"
import { describeError } from "../internal/describeError.ts"
import { query } from "../query.ts"
import { verifyChain } from "../verifyChain.ts"
import { type CliCommand, parseCliArgs, usage } from "./CliArgs.ts"

/** Exit codes: the chain verifies (or the query ran), is broken, the arguments are wrong, the database failed. */
export const ExitCode = { Ok: 0, Broken: 1, Usage: 2, Failed: 3 } as const

const print = (value: unknown) => Console.log(JSON.stringify(value, null, 2))

const problem = (code: number, message: string) => Effect.as(Console.error(JSON.stringify({ error: message })), code)

// PostgreSQL's "undefined_table": the database has never had an audit log.
const failure = (message: string) =>
  message.endsWith("[42P01]")
    ? `This database has no audit_log table (has a Bulwark server with the audit log run on it?): ${message}`
    : message

const execute = (command: Exclude<CliCommand, { readonly _tag: "Help" }>) =>
  Effect.gen(function* () {
    const config = yield* Schema.decodeUnknownEffect(DatabaseConfig)({ url: command.databaseUrl, poolSize: 1 }).pipe(
      Effect.mapError(() => "--database-url must be a postgres:// or postgresql:// URL")
    )
    const database = Database.layer(config)
    if (command._tag === "Verify") {
      const report = yield* verifyChain(command.fromId === undefined ? {} : { fromId: command.fromId }).pipe(
        Effect.provide(database)
      )
      yield* print(report)
      return report.ok ? ExitCode.Ok : ExitCode.Broken
    }
    const page = yield* query(command.query).pipe(Effect.provide(database))
    yield* print({ records: page.records.map(toJson), nextCursor: page.nextCursor })
    return ExitCode.Ok
  }).pipe(
    Effect.catch((error) =>
      typeof error === "string"
        ? problem(ExitCode.Usage, error)
        : error._tag === "AuditQueryInvalid"
          ? problem(ExitCode.Usage, error.message)
          : problem(ExitCode.Failed, failure(describeError(error)))
    )
  )

// Only warnings and errors, on stderr: stdout carries the JSON result.
const quietLogs = Layer.merge(
  Logger.layer([Logger.withConsoleError(Logger.formatJson)]),
  Layer.succeed(References.MinimumLogLevel, "Warn")
)

/** Runs the CLI for `argv` (the arguments after the script) and returns the exit code; never fails. */
export const runCli = (
  argv: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>> = process.env
): Effect.Effect<number> =>
  parseCliArgs(argv, env).pipe(
    Effect.matchEffect({
      onFailure: (error) => Effect.tap(problem(ExitCode.Usage, error.message), () => Console.error(usage)),
      onSuccess: (command) => (command._tag === "Help" ? Effect.as(Console.log(usage), ExitCode.Ok) : execute(command))
    }),
    Effect.catchDefect((defect) => problem(ExitCode.Failed, `unexpected failure: ${String(defect)}`)),
    Effect.provide(quietLogs)
  )
