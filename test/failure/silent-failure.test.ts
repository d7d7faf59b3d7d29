/**
 * Silent failure (the article's scenario): with its database gone, no entry point of the tickets plugin answers as
 * if nothing happened. Every tool answers a tool error that names the backend, says what happened and when to retry
 * (`_meta["io.bulwark/degraded"]` says the same), the resource and the prompt answer -32031 with the backend in
 * `data`, a completion fails the same way; nothing is an empty or default result, nothing an internal error.
 */
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Answered, callTool, type Scenario, send, startScenario } from "./support/scenario.ts"

let scenario: Scenario

beforeAll(async () => {
  scenario = await startScenario("silent", ["audit: { flushInterval: 20 millis }"])
}, 60_000)

afterAll(async () => {
  await scenario.close()
})

const tools: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ["fetch_user", { id: 1 }],
  ["fetch_user", { email: "nobody@example.com" }],
  ["create_ticket", { title: "Printer on fire", reporterId: 1 }],
  ["get_ticket", { id: 1 }],
  ["list_tickets", {}],
  ["update_ticket_status", { id: 1, status: "closed" }],
  ["add_comment", { ticketId: 1, authorId: 1, body: "Still on fire" }]
]

/** Whether an answer says, explicitly, that tickets-db did not answer. */
const explicit = (answer: Answered): boolean => {
  const { message } = answer
  if (message.error !== undefined) {
    const data = message.error.data as { backend?: string } | undefined
    return message.error.code === -32031 && data?.backend === "tickets-db"
  }
  const meta = message.result?._meta as Record<string, { backend?: string }> | undefined
  return (
    message.result?.isError === true &&
    meta?.["io.bulwark/degraded"]?.backend === "tickets-db" &&
    /^Backend "tickets-db" (is failing|is failing and its circuit is open|timed out); retry in \d+ s\.$/.test(
      answer.text
    )
  )
}

describe("silent failure", () => {
  it("never answers as if the database were there", async () => {
    const { server, database } = scenario
    // Healthy first (the credential is known). Fresh cached answers would be right answers, not failures: the calls
    // below ask for what was never asked before.
    expect((await callTool(server, "fetch_user", { id: 2 })).reason).toBe("ok")

    await Effect.runPromise(database.stop)
    const answers: Array<readonly [string, Answered]> = []
    for (const [name, args] of tools) answers.push([name, await callTool(server, name, args)])
    answers.push(["ticket://1", await send(server, "resources/read", { uri: "ticket://1" })])
    answers.push([
      "triage_ticket",
      await send(server, "prompts/get", { name: "triage_ticket", arguments: { ticketId: "1" } })
    ])
    answers.push([
      "completion",
      await send(server, "completion/complete", {
        ref: { type: "ref/prompt", name: "triage_ticket" },
        argument: { name: "ticketId", value: "1" }
      })
    ])
    for (const [name, answer] of answers) console.info(`silent ${name}: ${answer.reason}: ${answer.text}`)
    expect(
      answers.filter(([, answer]) => !explicit(answer)).map(([name, answer]) => `${name}: ${answer.text}`)
    ).toEqual([])
  }, 60_000)
})
