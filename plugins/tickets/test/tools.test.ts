import type { Comment, StatusChange, Ticket, TicketWithComments, User } from "@bulwark/plugin-tickets"
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { seedDefaultTenant, testEnv } from "./support/env.ts"
import { callOk, callTool, handle, textOf } from "./support/requests.ts"

interface Page {
  readonly tickets: ReadonlyArray<Ticket>
  readonly nextCursor?: string
}

type JsonObject = Record<string, unknown>

const property = (schema: JsonObject, name: string) => (schema.properties as Record<string, JsonObject>)[name]!

/** A property's constraints, with those of its `allOf` parts merged in (checks after the first land there). */
const constraints = (schema: JsonObject): JsonObject =>
  Object.assign({}, schema, ...((schema.allOf as Array<JsonObject> | undefined) ?? []))

const patterns = (schema: JsonObject): Array<unknown> =>
  [schema, ...((schema.allOf as Array<JsonObject> | undefined) ?? [])].flatMap((part) =>
    part.pattern === undefined ? [] : [part.pattern]
  )

const createTicket = (args: Record<string, unknown>) => callOk<Ticket>("create_ticket", args)

layer(testEnv("tools"), { excludeTestServices: true })((it) => {
  describe("tools/list", () => {
    it.effect("lists the six tools with accurate hints and constrained inputs", () =>
      Effect.gen(function* () {
        const result = (yield* handle("tools/list", {})) as { tools: Array<Record<string, unknown>> }
        const byName = new Map(result.tools.map((tool) => [tool.name as string, tool]))
        expect([...byName.keys()].sort()).toEqual(
          ["add_comment", "create_ticket", "fetch_user", "get_ticket", "list_tickets", "update_ticket_status"].sort()
        )
        for (const name of ["fetch_user", "get_ticket", "list_tickets"]) {
          expect(byName.get(name)?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false })
        }
        expect(byName.get("create_ticket")?.annotations).toMatchObject({
          readOnlyHint: false,
          destructiveHint: false,
          idempotentHint: false
        })
        expect(byName.get("update_ticket_status")?.annotations).toMatchObject({
          destructiveHint: true,
          idempotentHint: true
        })
        expect(byName.get("add_comment")?.annotations).toMatchObject({ destructiveHint: false, idempotentHint: false })
        const create = byName.get("create_ticket") as { inputSchema: JsonObject; outputSchema: JsonObject }
        expect(create.inputSchema).toMatchObject({ type: "object", required: ["title", "reporterId"] })
        expect(create.outputSchema).toMatchObject({ type: "object" })
        const title = property(create.inputSchema, "title")
        expect(title.description).toBe("A short summary of the problem (1-200 characters)")
        expect(constraints(title)).toMatchObject({ type: "string", minLength: 1, maxLength: 200 })
        expect(patterns(title)).toEqual(["\\S"])
        const list = byName.get("list_tickets") as { inputSchema: JsonObject }
        expect(constraints(property(list.inputSchema, "limit"))).toMatchObject({
          type: "integer",
          minimum: 1,
          maximum: 100
        })
        expect(property(list.inputSchema, "status")).toMatchObject({
          enum: ["open", "in_progress", "resolved", "closed", "deleted"]
        })
      })
    )
  })

  describe("fetch_user", () => {
    it.effect("finds a user by id and by email (case-insensitive)", () =>
      Effect.gen(function* () {
        const { ada } = yield* seedDefaultTenant
        expect(yield* callOk<User>("fetch_user", { id: ada.id })).toEqual(ada)
        expect(yield* callOk<User>("fetch_user", { email: "ADA@example.com" })).toEqual(ada)
      })
    )

    it.effect("says when no user matches, and asks for exactly one of id or email", () =>
      Effect.gen(function* () {
        yield* seedDefaultTenant
        const missing = yield* callTool("fetch_user", { email: "nobody@example.com" })
        expect(missing.isError).toBe(true)
        expect(textOf(missing)).toBe(
          'No user with email "nobody@example.com" exists. Check the id or email; user ids are positive integers.'
        )
        const neither = yield* callTool("fetch_user", {})
        expect(neither.isError).toBe(true)
        expect(textOf(neither)).toContain("pass exactly one of id or email")
        const both = yield* callTool("fetch_user", { id: 1, email: "ada@example.com" })
        expect(textOf(both)).toContain("pass exactly one of id or email")
      })
    )
  })

  describe("create_ticket and get_ticket", () => {
    it.effect("creates an open ticket with defaults and returns it with comments", () =>
      Effect.gen(function* () {
        const { ada, grace } = yield* seedDefaultTenant
        const created = yield* createTicket({ title: "  Printer on fire  ", reporterId: ada.id })
        expect(created).toMatchObject({
          title: "Printer on fire",
          description: "",
          status: "open",
          priority: "medium",
          assigneeId: null,
          reporterId: ada.id,
          deletedAt: null
        })
        expect(Date.parse(created.createdAt)).not.toBeNaN()
        const full = yield* createTicket({
          title: "VPN drops every hour",
          description: "Since Monday.",
          priority: "high",
          reporterId: ada.id,
          assigneeId: grace.id
        })
        expect(full).toMatchObject({ priority: "high", assigneeId: grace.id, description: "Since Monday." })

        const first = yield* callOk<Comment>("add_comment", { ticketId: full.id, authorId: grace.id, body: "Looking." })
        const second = yield* callOk<Comment>("add_comment", { ticketId: full.id, authorId: ada.id, body: "Thanks!" })
        expect(first).toMatchObject({ ticketId: full.id, authorId: grace.id, body: "Looking." })
        const read = yield* callOk<TicketWithComments>("get_ticket", { id: full.id })
        expect(read).toMatchObject({ id: full.id, title: "VPN drops every hour", status: "open" })
        expect(read.comments).toEqual([first, second])
        expect(Date.parse(read.updatedAt)).toBeGreaterThanOrEqual(Date.parse(full.updatedAt))
      })
    )

    it.effect("reports an unknown ticket with a message the agent can act on", () =>
      Effect.gen(function* () {
        const result = yield* callTool("get_ticket", { id: 999_999 })
        expect(result).toEqual({
          content: [{ type: "text", text: "Ticket 999999 does not exist. Use list_tickets to find ticket ids." }],
          isError: true
        })
      })
    )

    it.effect("turns an unknown assignee (foreign key violation) into a clear tool error", () =>
      Effect.gen(function* () {
        const { ada } = yield* seedDefaultTenant
        const result = yield* callTool("create_ticket", { title: "Orphan", reporterId: ada.id, assigneeId: 999_999 })
        expect(result.isError).toBe(true)
        expect(textOf(result)).toBe(
          "assigneeId: user 999999 does not exist. Use fetch_user (by email) to find the right user id."
        )
        const reporter = yield* callTool("create_ticket", { title: "Orphan", reporterId: 888_888 })
        expect(textOf(reporter)).toContain("reporterId: user 888888 does not exist")
        const page = yield* callOk<Page>("list_tickets", { search: "Orphan" })
        expect(page.tickets).toEqual([])
      })
    )

    it.effect("rejects invalid input, naming each field", () =>
      Effect.gen(function* () {
        const result = yield* callTool("create_ticket", { title: "", priority: "critical", reporterId: -1 })
        expect(result.isError).toBe(true)
        const text = textOf(result)
        expect(text).toMatch(/^Invalid arguments for tool "create_ticket": /)
        expect(text).toContain("title: ")
        expect(text).toContain("priority: ")
        expect(text).toContain("reporterId: ")
        const blank = yield* callTool("create_ticket", { title: "   ", reporterId: 1 })
        expect(textOf(blank)).toContain("title: must not be blank")
        const long = yield* callTool("create_ticket", { title: "x".repeat(201), reporterId: 1 })
        expect(textOf(long)).toContain("title: ")
        const nul = yield* callTool("create_ticket", { title: "bad\u0000byte", reporterId: 1 })
        expect(textOf(nul)).toContain("title: must not contain NUL characters")
        // No field declares it: the framework refuses NUL in every text argument, fetch_user's email included.
        const email = yield* callTool("fetch_user", { email: "a\u0000@example.com" })
        expect(email.isError).toBe(true)
        expect(textOf(email)).toContain("email: must not contain NUL characters")
        const huge = yield* callTool("get_ticket", { id: 2 ** 31 })
        expect(textOf(huge)).toContain("id: ")
      })
    )

    it.effect("refuses a misspelt argument instead of dropping it, naming the accepted ones", () =>
      Effect.gen(function* () {
        const before = (yield* callOk<Page>("list_tickets", { limit: 100 })).tickets.length
        const misspelt = yield* callTool("create_ticket", { title: "Unassigned?", reporterId: 1, assignee_id: 2 })
        expect(misspelt.isError).toBe(true)
        expect(textOf(misspelt)).toBe(
          'Invalid arguments for tool "create_ticket": assignee_id: unknown argument (accepted: title, description, priority, reporterId, assigneeId)'
        )
        // Nothing was created.
        expect((yield* callOk<Page>("list_tickets", { limit: 100 })).tickets).toHaveLength(before)
        const state = yield* callTool("list_tickets", { state: "closed" })
        expect(state.isError).toBe(true)
        expect(textOf(state)).toContain(
          "state: unknown argument (accepted: status, priority, assigneeId, search, limit, cursor)"
        )
      })
    )
  })

  describe("update_ticket_status", () => {
    it.effect("follows the lifecycle, is idempotent, and refuses to leave deleted", () =>
      Effect.gen(function* () {
        const { ada } = yield* seedDefaultTenant
        const ticket = yield* createTicket({ title: "Lifecycle", reporterId: ada.id })
        const started = yield* callOk<StatusChange>("update_ticket_status", { id: ticket.id, status: "in_progress" })
        expect(started).toMatchObject({ previousStatus: "open", changed: true, ticket: { status: "in_progress" } })
        const again = yield* callOk<StatusChange>("update_ticket_status", { id: ticket.id, status: "in_progress" })
        expect(again).toMatchObject({ previousStatus: "in_progress", changed: false })
        expect(again.ticket.updatedAt).toBe(started.ticket.updatedAt)

        const deleted = yield* callOk<StatusChange>("update_ticket_status", { id: ticket.id, status: "deleted" })
        expect(deleted.ticket.status).toBe("deleted")
        expect(deleted.ticket.deletedAt).not.toBeNull()
        const deletedAgain = yield* callOk<StatusChange>("update_ticket_status", { id: ticket.id, status: "deleted" })
        expect(deletedAgain.changed).toBe(false)

        const reopen = yield* callTool("update_ticket_status", { id: ticket.id, status: "open" })
        expect(reopen.isError).toBe(true)
        expect(textOf(reopen)).toBe(
          `Ticket ${ticket.id} cannot change from "deleted" to "open". "deleted" is final: no status change is possible.`
        )
        const comment = yield* callTool("add_comment", { ticketId: ticket.id, authorId: ada.id, body: "Hello?" })
        expect(textOf(comment)).toBe(
          `Ticket ${ticket.id} is deleted and no longer accepts comments. Create a new ticket instead.`
        )
        const read = yield* callOk<TicketWithComments>("get_ticket", { id: ticket.id })
        expect(read).toMatchObject({ status: "deleted", comments: [] })
      })
    )

    it.effect("names the allowed next statuses when a change is not allowed", () =>
      Effect.gen(function* () {
        const { ada } = yield* seedDefaultTenant
        const ticket = yield* createTicket({ title: "Closing", reporterId: ada.id })
        yield* callOk<StatusChange>("update_ticket_status", { id: ticket.id, status: "closed" })
        const result = yield* callTool("update_ticket_status", { id: ticket.id, status: "resolved" })
        expect(textOf(result)).toBe(
          `Ticket ${ticket.id} cannot change from "closed" to "resolved". From "closed" it can move to: open, deleted.`
        )
        const missing = yield* callTool("update_ticket_status", { id: 999_999, status: "closed" })
        expect(textOf(missing)).toBe("Ticket 999999 does not exist. Use list_tickets to find ticket ids.")
        const invalid = yield* callTool("update_ticket_status", { id: ticket.id, status: "reopened" })
        expect(textOf(invalid)).toContain("status: ")
      })
    )
  })

  describe("add_comment", () => {
    it.effect("reports an unknown author or ticket", () =>
      Effect.gen(function* () {
        const { ada } = yield* seedDefaultTenant
        const ticket = yield* createTicket({ title: "Comments", reporterId: ada.id })
        const author = yield* callTool("add_comment", { ticketId: ticket.id, authorId: 777_777, body: "Hi" })
        expect(textOf(author)).toBe(
          "authorId: user 777777 does not exist. Use fetch_user (by email) to find the right user id."
        )
        const missing = yield* callTool("add_comment", { ticketId: 999_999, authorId: ada.id, body: "Hi" })
        expect(textOf(missing)).toBe("Ticket 999999 does not exist. Use list_tickets to find ticket ids.")
        const empty = yield* callTool("add_comment", { ticketId: ticket.id, authorId: ada.id, body: "" })
        expect(textOf(empty)).toContain("body: ")
      })
    )
  })

  describe("list_tickets", () => {
    it.effect("filters by status, priority, assignee and title text", () =>
      Effect.gen(function* () {
        const { ada, grace } = yield* seedDefaultTenant
        const a = yield* createTicket({ title: "Filter alpha 100%", priority: "low", reporterId: ada.id })
        const b = yield* createTicket({
          title: "FILTER beta",
          priority: "urgent",
          reporterId: ada.id,
          assigneeId: grace.id
        })
        const c = yield* createTicket({ title: "filter gamma", priority: "urgent", reporterId: grace.id })
        yield* callOk("update_ticket_status", { id: c.id, status: "resolved" })
        const d = yield* createTicket({ title: "filter delta", reporterId: ada.id })
        yield* callOk("update_ticket_status", { id: d.id, status: "deleted" })

        const ids = (page: Page) => page.tickets.map((ticket) => ticket.id)
        const list = (args: Record<string, unknown>) => callOk<Page>("list_tickets", { search: "filter", ...args })
        expect(ids(yield* list({}))).toEqual([c.id, b.id, a.id])
        expect(ids(yield* list({ status: "resolved" }))).toEqual([c.id])
        expect(ids(yield* list({ status: "deleted" }))).toEqual([d.id])
        expect(ids(yield* list({ priority: "urgent" }))).toEqual([c.id, b.id])
        expect(ids(yield* list({ assigneeId: grace.id }))).toEqual([b.id])
        expect(ids(yield* list({ priority: "urgent", status: "open" }))).toEqual([b.id])
        expect(ids(yield* list({ search: "100%" }))).toEqual([a.id])
        expect(ids(yield* list({ search: "filter_" }))).toEqual([])
        expect((yield* list({})).nextCursor).toBeUndefined()
      })
    )

    it.effect("pages through every match once, newest first, with an opaque cursor", () =>
      Effect.gen(function* () {
        const { ada } = yield* seedDefaultTenant
        const created: Array<number> = []
        for (let i = 0; i < 23; i++) {
          created.push((yield* createTicket({ title: `Paging ${i}`, reporterId: ada.id })).id)
        }
        const seen: Array<number> = []
        const sizes: Array<number> = []
        let cursor: string | undefined
        do {
          const page: Page = yield* callOk<Page>("list_tickets", {
            search: "Paging",
            limit: 10,
            ...(cursor === undefined ? {} : { cursor })
          })
          sizes.push(page.tickets.length)
          seen.push(...page.tickets.map((ticket) => ticket.id))
          cursor = page.nextCursor
          if (cursor !== undefined) expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/)
        } while (cursor !== undefined)
        expect(sizes).toEqual([10, 10, 3])
        expect(seen).toEqual([...created].reverse())

        const exact = yield* callOk<Page>("list_tickets", { search: "Paging", limit: 23 })
        expect(exact.tickets).toHaveLength(23)
        expect(exact.nextCursor).toBeUndefined()
        const byDefault = yield* callOk<Page>("list_tickets", { search: "Paging" })
        expect(byDefault.tickets).toHaveLength(20)
        expect(byDefault.nextCursor).toBeDefined()
      })
    )

    it.effect("rejects a malformed cursor and an out-of-range limit", () =>
      Effect.gen(function* () {
        const cursor = yield* callTool("list_tickets", { cursor: "not a cursor!" })
        expect(cursor.isError).toBe(true)
        expect(textOf(cursor)).toContain("cursor: not a cursor returned by list_tickets")
        const forged = yield* callTool("list_tickets", { cursor: Buffer.from('{"id":-3}').toString("base64url") })
        expect(textOf(forged)).toContain("cursor: not a cursor returned by list_tickets")
        const huge = yield* callTool("list_tickets", {
          cursor: Buffer.from('{"id":99999999999}').toString("base64url")
        })
        expect(textOf(huge)).toContain("cursor: not a cursor returned by list_tickets")
        const limit = yield* callTool("list_tickets", { limit: 101 })
        expect(textOf(limit)).toContain("limit: ")
        const zero = yield* callTool("list_tickets", { limit: 0 })
        expect(textOf(zero)).toContain("limit: ")
      })
    )
  })
})
