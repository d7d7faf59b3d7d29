import type { Ticket, TicketWithComments } from "@bulwark/plugin-tickets"
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { seedDefaultTenant, testEnv } from "./support/env.ts"
import { callOk, handle } from "./support/requests.ts"

interface Contents {
  readonly contents: ReadonlyArray<{ readonly uri: string; readonly text: string; readonly mimeType?: string }>
}
interface Listed {
  readonly resources: ReadonlyArray<{ readonly uri: string; readonly name: string; readonly mimeType?: string }>
}
interface Completion {
  readonly completion: { readonly values: ReadonlyArray<string>; readonly hasMore: boolean }
}
interface PromptResult {
  readonly messages: ReadonlyArray<{ readonly role: string; readonly content: { readonly text: string } }>
}

const createTicket = (title: string, reporterId: number) => callOk<Ticket>("create_ticket", { title, reporterId })

layer(testEnv("resources"), { excludeTestServices: true })((it) => {
  describe("ticket://{id}", () => {
    it.effect("reads a ticket with its comments as JSON", () =>
      Effect.gen(function* () {
        const { ada } = yield* seedDefaultTenant
        const ticket = yield* createTicket("Readable", ada.id)
        yield* callOk("add_comment", { ticketId: ticket.id, authorId: ada.id, body: "First!" })
        const read = (yield* handle("resources/read", { uri: `ticket://${ticket.id}` })) as unknown as Contents
        expect(read.contents).toHaveLength(1)
        const [content] = read.contents
        expect(content).toMatchObject({ uri: `ticket://${ticket.id}`, mimeType: "application/json" })
        const body = JSON.parse(content!.text) as TicketWithComments
        expect(body).toMatchObject({ id: ticket.id, title: "Readable", status: "open" })
        expect(body.comments.map((comment) => comment.body)).toEqual(["First!"])
        expect(body).toEqual(yield* callOk<TicketWithComments>("get_ticket", { id: ticket.id }))
      })
    )

    it.effect("answers -32002 for a ticket that does not exist or an id that is not one", () =>
      Effect.gen(function* () {
        for (const uri of ["ticket://999999", "ticket://abc", "ticket://0", "ticket://99999999999"]) {
          const error = yield* Effect.flip(handle("resources/read", { uri }))
          expect(error.code).toBe(-32002)
          expect(error.message).toContain("does not exist")
        }
      })
    )

    it.effect("lists the tenant's 50 newest tickets", () =>
      Effect.gen(function* () {
        const { ada } = yield* seedDefaultTenant
        const created: Array<Ticket> = []
        for (let i = 0; i < 52; i++) created.push(yield* createTicket(`Listed ${i}`, ada.id))
        const listed = (yield* handle("resources/list", {})) as unknown as Listed
        expect(listed.resources).toHaveLength(50)
        expect(listed.resources[0]).toEqual({
          uri: `ticket://${created[51]!.id}`,
          name: `#${created[51]!.id} Listed 51`,
          description: "open, medium priority",
          mimeType: "application/json"
        })
        expect(listed.resources.map((resource) => resource.uri)).not.toContain(`ticket://${created[1]!.id}`)
      })
    )

    it.effect("completes ids by prefix from the tenant's tickets", () =>
      Effect.gen(function* () {
        const { ada } = yield* seedDefaultTenant
        const ticket = yield* createTicket("Completable", ada.id)
        const prefix = String(ticket.id).slice(0, 1)
        const result = (yield* handle("completion/complete", {
          ref: { type: "ref/resource", uri: "ticket://{id}" },
          argument: { name: "id", value: prefix }
        })) as unknown as Completion
        expect(result.completion.values).toContain(String(ticket.id))
        expect(result.completion.values.every((value) => value.startsWith(prefix))).toBe(true)
        const exact = (yield* handle("completion/complete", {
          ref: { type: "ref/resource", uri: "ticket://{id}" },
          argument: { name: "id", value: String(ticket.id) }
        })) as unknown as Completion
        expect(exact.completion.values).toEqual([String(ticket.id)])
        const none = (yield* handle("completion/complete", {
          ref: { type: "ref/resource", uri: "ticket://{id}" },
          argument: { name: "id", value: "x" }
        })) as unknown as Completion
        expect(none.completion.values).toEqual([])
      })
    )
  })

  describe("triage_ticket", () => {
    it.effect("asks the model to triage the ticket, with its content and the assignable users", () =>
      Effect.gen(function* () {
        const { ada, grace } = yield* seedDefaultTenant
        const ticket = yield* callOk<Ticket>("create_ticket", {
          title: "Checkout page times out",
          description: "Customers cannot pay since the 14:00 deploy.",
          reporterId: ada.id
        })
        yield* callOk("add_comment", { ticketId: ticket.id, authorId: grace.id, body: "Seeing 504s in the logs." })
        const result = (yield* handle("prompts/get", {
          name: "triage_ticket",
          arguments: { ticketId: String(ticket.id) }
        })) as unknown as PromptResult
        expect(result.messages).toHaveLength(1)
        const [message] = result.messages
        expect(message!.role).toBe("user")
        const text = message!.content.text
        expect(text).toContain(`Triage ticket #${ticket.id}`)
        expect(text).toContain("Checkout page times out")
        expect(text).toContain("Customers cannot pay since the 14:00 deploy.")
        expect(text).toContain("Seeing 504s in the logs.")
        expect(text).toContain(`id ${ada.id}: Ada Lovelace <ada@example.com>`)
        expect(text).toContain(`id ${grace.id}: Grace Hopper <grace@example.com>`)
        expect(text).toContain("Priority: one of low, medium, high, urgent")
        expect(text).toContain('keep "open" or move to one of in_progress, resolved, closed, deleted')
      })
    )

    it.effect("rejects an unknown ticket and a malformed id, and completes ticketId", () =>
      Effect.gen(function* () {
        const missing = yield* Effect.flip(
          handle("prompts/get", { name: "triage_ticket", arguments: { ticketId: "999999" } })
        )
        expect(missing.code).toBe(-32602)
        expect(missing.message).toBe("Ticket 999999 does not exist. Use list_tickets to find ticket ids.")
        const malformed = yield* Effect.flip(
          handle("prompts/get", { name: "triage_ticket", arguments: { ticketId: "forty-two" } })
        )
        expect(malformed.code).toBe(-32602)
        expect(malformed.message).toContain("ticketId: must be a ticket id such as 42")

        const { ada } = yield* seedDefaultTenant
        const ticket = yield* createTicket("Prompt completion", ada.id)
        const completion = (yield* handle("completion/complete", {
          ref: { type: "ref/prompt", name: "triage_ticket" },
          argument: { name: "ticketId", value: String(ticket.id) }
        })) as unknown as Completion
        expect(completion.completion.values).toEqual([String(ticket.id)])
        const listed = (yield* handle("prompts/list", {})) as {
          prompts: Array<{ name: string; arguments: Array<{ name: string; required: boolean }> }>
        }
        expect(listed.prompts.find((prompt) => prompt.name === "triage_ticket")?.arguments).toMatchObject([
          { name: "ticketId", required: true }
        ])
      })
    )
  })
})
