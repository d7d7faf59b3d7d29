/**
 * The audit CLI's command line: `verify` and `query`, their flags, and what a mistake in them says.
 *
 * @since 0.1.0
 */
import { parseArgs } from "node:util"
import { Data, Effect } from "effect"
import { type AuditOutcome, isOutcome, outcomes } from "../AuditRecord.ts"
import { type AuditQuery, maxLimit } from "../query.ts"

/** How to call the CLI. */
export const usage = `Usage:
  node packages/audit/src/cli.ts verify [--database-url URL] [--from-id N]
  node packages/audit/src/cli.ts query  [--database-url URL] [--tenant ID] [--tool NAME] [--outcome OUTCOME]
                                        [--since DATE] [--until DATE] [--limit N] [--cursor CURSOR]

--database-url defaults to the DATABASE_URL environment variable.
Outcomes: ${outcomes.join(", ")}. Dates are ISO 8601 (2026-01-01 or 2026-01-01T12:00:00Z).
Exit codes: 0 ok (chain verifies), 1 chain broken, 2 bad arguments, 3 database unavailable or failed.`

/** A command line the CLI does not accept; the message says what is wrong. */
export class CliUsageError extends Data.TaggedError("CliUsageError")<{ readonly message: string }> {}

/** What the command line asks for. */
export type CliCommand =
  | { readonly _tag: "Help" }
  | { readonly _tag: "Verify"; readonly databaseUrl: string; readonly fromId?: number }
  | { readonly _tag: "Query"; readonly databaseUrl: string; readonly query: AuditQuery }

const options = {
  "database-url": { type: "string" },
  "from-id": { type: "string" },
  tenant: { type: "string" },
  tool: { type: "string" },
  outcome: { type: "string" },
  since: { type: "string" },
  until: { type: "string" },
  limit: { type: "string" },
  cursor: { type: "string" },
  help: { type: "boolean", short: "h" }
} as const

const fail = (message: string) => Effect.fail(new CliUsageError({ message }))

const positiveInt = (flag: string, text: string | undefined, fallback: number) => {
  if (text === undefined) return Effect.succeed(fallback)
  const value = Number(text)
  return /^[0-9]+$/.test(text) && Number.isSafeInteger(value) && value > 0
    ? Effect.succeed(value)
    : fail(`--${flag} must be a positive whole number, got "${text}"`)
}

const date = (flag: string, text: string | undefined) => {
  if (text === undefined) return Effect.succeed(undefined)
  const value = new Date(text)
  return /^\d{4}-\d{2}-\d{2}/.test(text) && Number.isFinite(value.getTime())
    ? Effect.succeed(value)
    : fail(`--${flag} must be an ISO 8601 date such as 2026-01-01, got "${text}"`)
}

const outcome = (text: string | undefined): Effect.Effect<AuditOutcome | undefined, CliUsageError> => {
  if (text === undefined) return Effect.succeed(undefined)
  return isOutcome(text) ? Effect.succeed(text) : fail(`--outcome must be one of ${outcomes.join(", ")}, got "${text}"`)
}

const onlyFor = (command: string, values: Readonly<Record<string, unknown>>, allowed: ReadonlyArray<string>) => {
  const extra = Object.keys(values).filter((key) => values[key] !== undefined && !allowed.includes(key))
  return extra.length === 0 ? Effect.void : fail(`${command} does not take --${extra.join(", --")}`)
}

/** Reads the arguments after the script name; `env` supplies `DATABASE_URL`. */
export const parseCliArgs = (
  argv: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>
): Effect.Effect<CliCommand, CliUsageError> =>
  Effect.gen(function* () {
    const parsed = yield* Effect.try({
      try: () => parseArgs({ args: [...argv], options, allowPositionals: true, strict: true }),
      catch: (error) => new CliUsageError({ message: error instanceof Error ? error.message : String(error) })
    })
    const { values, positionals } = parsed
    if (values.help === true) return { _tag: "Help" } as const
    const [command, ...rest] = positionals
    if (rest.length > 0) return yield* fail(`unexpected arguments: ${rest.join(" ")}`)
    if (command !== "verify" && command !== "query") {
      return yield* fail(command === undefined ? "name a command: verify or query" : `unknown command "${command}"`)
    }
    const databaseUrl = values["database-url"] ?? env.DATABASE_URL
    if (databaseUrl === undefined || databaseUrl === "") {
      return yield* fail("--database-url is required (or set DATABASE_URL)")
    }
    if (command === "verify") {
      yield* onlyFor("verify", values, ["database-url", "from-id"])
      const fromId = yield* positiveInt("from-id", values["from-id"], 1)
      return { _tag: "Verify", databaseUrl, fromId } as const
    }
    yield* onlyFor("query", values, ["database-url", "tenant", "tool", "outcome", "since", "until", "limit", "cursor"])
    const limit = yield* positiveInt("limit", values.limit, 50)
    if (limit > maxLimit) return yield* fail(`--limit must be at most ${maxLimit}, got ${limit}`)
    const from = yield* date("since", values.since)
    const to = yield* date("until", values.until)
    const wanted = yield* outcome(values.outcome)
    const query: AuditQuery = {
      limit,
      ...(values.tenant === undefined ? {} : { tenantId: values.tenant }),
      ...(values.tool === undefined ? {} : { tool: values.tool }),
      ...(wanted === undefined ? {} : { outcome: wanted }),
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
      ...(values.cursor === undefined ? {} : { cursor: values.cursor })
    }
    return { _tag: "Query", databaseUrl, query } as const
  })
