/**
 * The admin CLI as an Effect: reads the command line and environment, makes one admin API request, prints the
 * answer, and returns the exit code. Never prints the admin token.
 *
 * @since 0.1.0
 */
import { readFile } from "node:fs/promises"
import { Data, Effect, Redacted, Result } from "effect"
import { parse as parseYaml } from "yaml"
import { send } from "./AdminClient.ts"
import { type ApiCall, parse } from "./CliArgs.ts"
import { usage } from "./usage.ts"

/** The CLI's exit codes. */
export const ExitCode = { ok: 0, failure: 1, usage: 2 } as const

/** Where the CLI writes. */
export interface CliOutput {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
}

/** The admin API's address when neither `--url` nor `BULWARK_ADMIN_URL` names one. */
export const defaultUrl = "http://127.0.0.1:3001"

class UsageProblem extends Data.TaggedError("UsageProblem")<{ readonly message: string }> {}

const readBody = (file: string) =>
  Effect.tryPromise({
    try: () => readFile(file, "utf8"),
    catch: (error) => new UsageProblem({ message: `Cannot read ${file}: ${(error as Error).message}` })
  }).pipe(
    Effect.flatMap((text) =>
      Effect.try({
        try: (): unknown => (/\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text)),
        catch: (error) =>
          new UsageProblem({ message: `${file} is not valid JSON or YAML: ${(error as Error).message}` })
      })
    )
  )

const baseUrl = (text: string) =>
  Effect.try({
    try: () => new URL(text),
    catch: () => new UsageProblem({ message: `--url ${JSON.stringify(text)} is not a URL` })
  }).pipe(
    Effect.filterOrFail(
      (url) => url.protocol === "http:" || url.protocol === "https:",
      () => new UsageProblem({ message: "--url must be an http:// or https:// URL" })
    )
  )

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`

const call = (request: ApiCall, url: string, token: Redacted.Redacted<string>, out: CliOutput) =>
  Effect.gen(function* () {
    const base = yield* baseUrl(url)
    const body = request.bodyFile === undefined ? request.body : yield* readBody(request.bodyFile)
    const answer = yield* send(base, token, {
      method: request.method,
      path: request.path,
      ...(body === undefined ? {} : { body })
    })
    if (answer.status < 200 || answer.status >= 300) {
      out.stderr(json({ status: answer.status, ...(typeof answer.body === "object" ? answer.body : {}) }))
      return ExitCode.failure
    }
    out.stdout(json(answer.body))
    const ok = (answer.body as { readonly ok?: unknown } | null)?.ok
    return request.requireOk === true && ok !== true ? ExitCode.failure : ExitCode.ok
  })

/** Runs the CLI for `argv` (without `node` and the script) in `env`, writing to `out`; returns the exit code. */
export const runCli = (
  argv: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>,
  out: CliOutput
): Effect.Effect<number> =>
  Effect.gen(function* () {
    const parsed = parse(argv)
    if (Result.isFailure(parsed)) {
      out.stderr(`${parsed.failure.message}\nRun with --help for usage.\n`)
      return ExitCode.usage
    }
    const command = parsed.success
    if (command._tag === "Help") {
      out.stdout(usage)
      return ExitCode.ok
    }
    const token = env.BULWARK_ADMIN_TOKEN
    if (token === undefined || token === "") {
      out.stderr("BULWARK_ADMIN_TOKEN is not set: the admin token is read from the environment only.\n")
      return ExitCode.usage
    }
    const url = command.url ?? env.BULWARK_ADMIN_URL ?? defaultUrl
    return yield* call(command.call, url, Redacted.make(token), out).pipe(
      Effect.catchTags({
        UsageProblem: (problem) =>
          Effect.sync(() => {
            out.stderr(`${problem.message}\n`)
            return ExitCode.usage
          }),
        AdminUnreachable: (problem) =>
          Effect.sync(() => {
            out.stderr(`${problem.message}\n`)
            return ExitCode.failure
          })
      })
    )
  })
