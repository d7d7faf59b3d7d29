/**
 * The tickets plugin used end to end through the official client, once per negotiation mode (2026-07-28 and
 * 2025-11-25), against whatever server `server()` returns. Called from the test files of each database backend.
 *
 * Every run marks its tickets' titles with a random marker and filters on it, so runs on one database cannot see
 * each other's tickets.
 */
import { randomUUID } from "node:crypto"
import { Comment, StatusChange, Ticket, TicketWithComments, User } from "@bulwark/plugin-tickets"
import type { Client } from "@modelcontextprotocol/client"
import { Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { callError, callOk, closeAllClients, connectHttp, expectedRevision, negotiations } from "./clients.ts"
import type { ServerProcess } from "./server.ts"

const decode =
  <S extends Schema.Top & { readonly DecodingServices: never }>(schema: S) =>
  (value: unknown): S["Type"] =>
    Schema.decodeUnknownSync(schema)(value)

const asUser = decode(User)
const asTicket = decode(Ticket)
const asTicketWithComments = decode(TicketWithComments)
const asComment = decode(Comment)
const asStatusChange = decode(StatusChange)
const asPage = decode(Schema.Struct({ tickets: Schema.Array(Ticket), nextCursor: Schema.optionalKey(Schema.String) }))

const isoTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/

/** An id no row has (ids are serials starting at 1 in a fresh database). */
const missingId = 2_000_000_000

/** The bundled reports plugin's tool, and the job tools that come with it (it runs as a task). */
const bundledTools = ["generate_report", "job_cancel", "job_result", "job_status"]

const ticketTools = [
  "add_comment",
  "create_ticket",
  "fetch_user",
  "get_ticket",
  "list_tickets",
  "update_ticket_status"
] as const

/** Registers the tickets tests for both negotiation modes. */
export const describeTicketsSuite = (backend: string, server: () => ServerProcess): void => {
  describe.each(negotiations)(`tickets through the official client (${backend}, %s negotiation)`, (mode) => {
    const marker = `e2e-${mode}-${randomUUID().slice(0, 8)}`
    let client: Client
    let ada: User
    let grace: User

    const createTicket = async (args: Record<string, unknown>): Promise<Ticket> =>
      asTicket(await callOk(client, "create_ticket", { reporterId: ada.id, ...args }))

    beforeAll(async () => {
      client = await connectHttp(server().mcpUrl, mode)
      ada = asUser(await callOk(client, "fetch_user", { email: "ada@example.com" }))
      grace = asUser(await callOk(client, "fetch_user", { email: "grace@example.com" }))
    })
    afterAll(closeAllClients)

    it(`negotiates ${expectedRevision[mode]}`, () => {
      expect(client.getNegotiatedProtocolVersion()).toBe(expectedRevision[mode])
      expect(client.getProtocolEra()).toBe(mode === "auto" ? "modern" : "legacy")
      expect(client.getServerVersion()?.name).toBe("bulwark")
    })

    it("lists the six tickets tools, each with input and output schemas and hints, beside the reports and job tools", async () => {
      const { tools } = await client.listTools()
      expect(tools.map((tool) => tool.name).sort()).toEqual([...ticketTools, ...bundledTools].sort())
      for (const tool of tools.filter((tool) => (ticketTools as ReadonlyArray<string>).includes(tool.name))) {
        expect(tool.inputSchema.type, tool.name).toBe("object")
        expect(tool.outputSchema?.type, tool.name).toBe("object")
        expect(tool.description?.length ?? 0, tool.name).toBeGreaterThan(20)
      }
      const create = tools.find((tool) => tool.name === "create_ticket")
      expect(create?.inputSchema.required).toEqual(expect.arrayContaining(["title", "reporterId"]))
      expect(create?.inputSchema.required).not.toContain("priority")
      const update = tools.find((tool) => tool.name === "update_ticket_status")
      expect(update?.annotations).toMatchObject({ destructiveHint: true, idempotentHint: true, readOnlyHint: false })
      const list = tools.find((tool) => tool.name === "list_tickets")
      expect(list?.annotations).toMatchObject({ readOnlyHint: true })
    })

    it("lists lean schemas: no generated descriptions, allOf wrappers, ±2^53 bounds or $schema lines", async () => {
      const { tools } = await client.listTools()
      const listing = JSON.stringify(tools)
      for (const noise of ['"allOf"', "9007199254740991", '"a value ', '"an integer"', '"$schema"']) {
        expect(listing, noise).not.toContain(noise)
      }
      // What the official SDK with zod lists for the same create_ticket input: 834 bytes.
      const create = tools.find((tool) => tool.name === "create_ticket")!
      expect(Buffer.byteLength(JSON.stringify(create.inputSchema))).toBeLessThanOrEqual(834)
      expect(create.inputSchema.properties?.reporterId).toEqual({
        type: "integer",
        minimum: 1,
        maximum: 2147483647,
        description: "Id of the user reporting the problem (see fetch_user)"
      })
    })

    it("fetch_user finds a demo user by email (any case) and by id", async () => {
      expect(ada).toMatchObject({ email: "ada@example.com", name: "Ada Lovelace" })
      expect(ada.createdAt).toMatch(isoTimestamp)
      expect(grace).toMatchObject({ email: "grace@example.com", name: "Grace Hopper" })
      expect(grace.id).not.toBe(ada.id)
      expect(asUser(await callOk(client, "fetch_user", { id: ada.id }))).toEqual(ada)
      expect(asUser(await callOk(client, "fetch_user", { email: "Grace@Example.COM" }))).toEqual(grace)
    })

    it("fetch_user reports unknown users and ambiguous lookups as tool errors", async () => {
      expect(await callError(client, "fetch_user", { email: "nobody@example.com" })).toContain(
        'No user with email "nobody@example.com" exists'
      )
      expect(await callError(client, "fetch_user", { id: missingId })).toContain(`No user with id ${missingId}`)
      expect(await callError(client, "fetch_user", { id: ada.id, email: "ada@example.com" })).toContain(
        "exactly one of id or email"
      )
      expect(await callError(client, "fetch_user", {})).toContain("exactly one of id or email")
    })

    it("create_ticket opens a ticket with the given fields, or defaults", async () => {
      const full = await createTicket({
        title: `${marker} printer on fire`,
        description: "Smoke from tray 2",
        priority: "urgent",
        assigneeId: grace.id
      })
      expect(full).toMatchObject({
        title: `${marker} printer on fire`,
        description: "Smoke from tray 2",
        status: "open",
        priority: "urgent",
        reporterId: ada.id,
        assigneeId: grace.id,
        deletedAt: null
      })
      expect(full.id).toBeGreaterThan(0)
      expect(full.createdAt).toMatch(isoTimestamp)
      expect(full.updatedAt).toMatch(isoTimestamp)

      const minimal = await createTicket({ title: `${marker} minimal` })
      expect(minimal).toMatchObject({ description: "", priority: "medium", status: "open", assigneeId: null })
      expect(minimal.id).toBeGreaterThan(full.id)
    })

    it("create_ticket names the field of an unknown user", async () => {
      expect(
        await callError(client, "create_ticket", { title: `${marker} x`, reporterId: ada.id, assigneeId: missingId })
      ).toBe(`assigneeId: user ${missingId} does not exist. Use fetch_user (by email) to find the right user id.`)
      expect(await callError(client, "create_ticket", { title: `${marker} x`, reporterId: missingId })).toContain(
        `reporterId: user ${missingId} does not exist`
      )
      expect(await callError(client, "create_ticket", { title: "   ", reporterId: ada.id })).toContain("title")
      // Nothing was created by the failed calls.
      const page = asPage(await callOk(client, "list_tickets", { search: `${marker} x` }))
      expect(page.tickets).toEqual([])
    })

    it("get_ticket returns the ticket with its comments, and explains a missing id", async () => {
      const ticket = await createTicket({ title: `${marker} get me` })
      const read = asTicketWithComments(await callOk(client, "get_ticket", { id: ticket.id }))
      expect(read).toEqual({ ...ticket, comments: [] })
      expect(await callError(client, "get_ticket", { id: missingId })).toBe(
        `Ticket ${missingId} does not exist. Use list_tickets to find ticket ids.`
      )
    })

    it("add_comment appends comments oldest first, and refuses unknown authors and tickets", async () => {
      const ticket = await createTicket({ title: `${marker} discuss` })
      const first = asComment(
        await callOk(client, "add_comment", { ticketId: ticket.id, authorId: grace.id, body: "Looking into it" })
      )
      expect(first).toMatchObject({ ticketId: ticket.id, authorId: grace.id, body: "Looking into it" })
      expect(first.createdAt).toMatch(isoTimestamp)
      const second = asComment(
        await callOk(client, "add_comment", { ticketId: ticket.id, authorId: ada.id, body: "Thanks!" })
      )
      expect(second.id).toBeGreaterThan(first.id)
      const read = asTicketWithComments(await callOk(client, "get_ticket", { id: ticket.id }))
      expect(read.comments).toEqual([first, second])

      expect(
        await callError(client, "add_comment", { ticketId: ticket.id, authorId: missingId, body: "ghost" })
      ).toContain(`authorId: user ${missingId} does not exist`)
      expect(await callError(client, "add_comment", { ticketId: missingId, authorId: ada.id, body: "lost" })).toContain(
        `Ticket ${missingId} does not exist`
      )
      const after = asTicketWithComments(await callOk(client, "get_ticket", { id: ticket.id }))
      expect(after.comments).toHaveLength(2)
    })

    it("update_ticket_status follows the lifecycle; deleted is final", async () => {
      const ticket = await createTicket({ title: `${marker} lifecycle` })
      const started = asStatusChange(
        await callOk(client, "update_ticket_status", { id: ticket.id, status: "in_progress" })
      )
      expect(started).toMatchObject({
        previousStatus: "open",
        changed: true,
        ticket: { id: ticket.id, status: "in_progress" }
      })

      const again = asStatusChange(
        await callOk(client, "update_ticket_status", { id: ticket.id, status: "in_progress" })
      )
      expect(again).toMatchObject({ previousStatus: "in_progress", changed: false, ticket: { status: "in_progress" } })

      const closed = asStatusChange(await callOk(client, "update_ticket_status", { id: ticket.id, status: "closed" }))
      expect(closed.changed).toBe(true)
      expect(await callError(client, "update_ticket_status", { id: ticket.id, status: "resolved" })).toBe(
        `Ticket ${ticket.id} cannot change from "closed" to "resolved". From "closed" it can move to: open, deleted.`
      )

      const deleted = asStatusChange(await callOk(client, "update_ticket_status", { id: ticket.id, status: "deleted" }))
      expect(deleted.ticket.status).toBe("deleted")
      expect(deleted.ticket.deletedAt).toMatch(isoTimestamp)
      expect(await callError(client, "update_ticket_status", { id: ticket.id, status: "open" })).toBe(
        `Ticket ${ticket.id} cannot change from "deleted" to "open". "deleted" is final: no status change is possible.`
      )
      expect(
        await callError(client, "add_comment", { ticketId: ticket.id, authorId: ada.id, body: "still there?" })
      ).toContain(`Ticket ${ticket.id} is deleted and no longer accepts comments`)
      // get_ticket still shows it, with its final status.
      const read = asTicketWithComments(await callOk(client, "get_ticket", { id: ticket.id }))
      expect(read.status).toBe("deleted")
      expect(await callError(client, "update_ticket_status", { id: missingId, status: "open" })).toContain(
        `Ticket ${missingId} does not exist`
      )
    })

    it("list_tickets filters by status, priority, assignee and title, and pages with a cursor", async () => {
      const tag = `${marker} page`
      const created: Array<Ticket> = []
      for (const [index, priority] of (["low", "high", "high", "urgent", "low"] as const).entries()) {
        created.push(
          await createTicket({
            title: `${tag} ${index}`,
            priority,
            ...(index % 2 === 0 ? { assigneeId: grace.id } : {})
          })
        )
      }
      const newestFirst = created.map((ticket) => ticket.id).reverse()

      // Pages of two, newest first, until there is no nextCursor.
      const seen: Array<number> = []
      let cursor: string | undefined
      let pages = 0
      do {
        const page = asPage(
          await callOk(client, "list_tickets", { search: tag, limit: 2, ...(cursor === undefined ? {} : { cursor }) })
        )
        pages += 1
        expect(page.tickets.length).toBeLessThanOrEqual(2)
        seen.push(...page.tickets.map((ticket) => ticket.id))
        cursor = page.nextCursor
      } while (cursor !== undefined && pages < 10)
      expect(pages).toBe(3)
      expect(seen).toEqual(newestFirst)

      const byTitle = asPage(await callOk(client, "list_tickets", { search: tag.toUpperCase() }))
      expect(byTitle.tickets.map((ticket) => ticket.id)).toEqual(newestFirst)
      expect(byTitle.nextCursor).toBeUndefined()

      const high = asPage(await callOk(client, "list_tickets", { search: tag, priority: "high" }))
      expect(high.tickets.map((ticket) => ticket.id)).toEqual([created[2]!.id, created[1]!.id])

      const graces = asPage(await callOk(client, "list_tickets", { search: tag, assigneeId: grace.id }))
      expect(graces.tickets.map((ticket) => ticket.id)).toEqual([created[4]!.id, created[2]!.id, created[0]!.id])
      expect(graces.tickets.every((ticket) => ticket.assigneeId === grace.id)).toBe(true)

      await callOk(client, "update_ticket_status", { id: created[3]!.id, status: "resolved" })
      await callOk(client, "update_ticket_status", { id: created[0]!.id, status: "deleted" })
      const resolved = asPage(await callOk(client, "list_tickets", { search: tag, status: "resolved" }))
      expect(resolved.tickets.map((ticket) => ticket.id)).toEqual([created[3]!.id])
      const visible = asPage(await callOk(client, "list_tickets", { search: tag }))
      expect(visible.tickets.map((ticket) => ticket.id)).not.toContain(created[0]!.id)
      expect(visible.tickets).toHaveLength(4)
      const deleted = asPage(await callOk(client, "list_tickets", { search: tag, status: "deleted" }))
      expect(deleted.tickets.map((ticket) => ticket.id)).toEqual([created[0]!.id])
    })

    it("list_tickets rejects a cursor it did not produce, and a limit out of range", async () => {
      expect(await callError(client, "list_tickets", { cursor: "not-a-cursor" })).toContain(
        "cursor: not a cursor returned by list_tickets"
      )
      expect(await callError(client, "list_tickets", { limit: 0 })).toContain("limit")
      expect(await callError(client, "list_tickets", { limit: 101 })).toContain("limit")
    })

    it("ticket://{id} is listed, read as JSON and completed; an unknown id is -32002", async () => {
      const ticket = await createTicket({ title: `${marker} resource`, priority: "high" })
      await callOk(client, "add_comment", { ticketId: ticket.id, authorId: grace.id, body: "on it" })

      const { resourceTemplates } = await client.listResourceTemplates()
      expect(resourceTemplates).toContainEqual(
        expect.objectContaining({ uriTemplate: "ticket://{id}", name: "ticket", mimeType: "application/json" })
      )

      const { resources } = await client.listResources(undefined, { cacheMode: "bypass" })
      expect(resources).toContainEqual({
        uri: `ticket://${ticket.id}`,
        name: `#${ticket.id} ${ticket.title}`,
        description: "open, high priority",
        mimeType: "application/json"
      })

      const read = await client.readResource({ uri: `ticket://${ticket.id}` }, { cacheMode: "bypass" })
      expect(read.contents).toHaveLength(1)
      const content = read.contents[0]!
      expect(content).toMatchObject({ uri: `ticket://${ticket.id}`, mimeType: "application/json" })
      expect("text" in content).toBe(true)
      const fromResource = asTicketWithComments(JSON.parse("text" in content ? content.text : "null"))
      const fromTool = asTicketWithComments(await callOk(client, "get_ticket", { id: ticket.id }))
      expect(fromResource).toEqual(fromTool)
      expect(fromResource.comments.map((comment) => comment.body)).toEqual(["on it"])

      // Bulwark fails the read with -32002; the SDK answers -32602 on the wire in both eras, as SEP-2164 requires,
      // with the URI in `data`: that is how a client tells "resource not found" from other invalid params.
      const missingUri = `ticket://${missingId}`
      await expect(client.readResource({ uri: missingUri }, { cacheMode: "bypass" })).rejects.toMatchObject({
        code: -32602,
        message: expect.stringContaining(`Ticket ${missingId} does not exist`),
        data: { uri: missingUri }
      })
      // A URI no template matches is refused by authorization with the answer of a resource that does not exist
      // (the URI in data, as SEP-2164 asks), the same a resource the tenant may not read gets: a principal cannot
      // tell what exists from what it is not allowed.
      await expect(client.readResource({ uri: "nothing://1" }, { cacheMode: "bypass" })).rejects.toMatchObject({
        code: -32602,
        message: "Resource not found: nothing://1",
        data: { uri: "nothing://1" }
      })

      const prefix = String(ticket.id)
      const completion = await client.complete({
        ref: { type: "ref/resource", uri: "ticket://{id}" },
        argument: { name: "id", value: prefix }
      })
      expect(completion.completion.values).toContain(prefix)
      expect(completion.completion.values.every((value) => value.startsWith(prefix))).toBe(true)

      // Deleted tickets are not offered.
      await callOk(client, "update_ticket_status", { id: ticket.id, status: "deleted" })
      const afterDelete = await client.complete({
        ref: { type: "ref/resource", uri: "ticket://{id}" },
        argument: { name: "id", value: prefix }
      })
      expect(afterDelete.completion.values).not.toContain(prefix)
    })

    it("triage_ticket inlines the ticket and the users; ticketId completes; an unknown ticket is an error", async () => {
      const ticket = await createTicket({ title: `${marker} triage me`, description: "VPN drops every hour" })
      const { prompts } = await client.listPrompts()
      const triage = prompts.find((prompt) => prompt.name === "triage_ticket")
      expect(triage?.arguments).toEqual([expect.objectContaining({ name: "ticketId", required: true })])

      const prompt = await client.getPrompt({ name: "triage_ticket", arguments: { ticketId: String(ticket.id) } })
      expect(prompt.messages).toHaveLength(1)
      const message = prompt.messages[0]!
      expect(message.role).toBe("user")
      expect(message.content.type).toBe("text")
      const text = message.content.type === "text" ? message.content.text : ""
      expect(text).toContain(`Triage ticket #${ticket.id}.`)
      expect(text).toContain("VPN drops every hour")
      expect(text).toContain(`- id ${ada.id}: Ada Lovelace <ada@example.com>`)
      expect(text).toContain(`- id ${grace.id}: Grace Hopper <grace@example.com>`)
      expect(text).toContain('keep "open" or move to one of in_progress, resolved, closed, deleted')

      const completion = await client.complete({
        ref: { type: "ref/prompt", name: "triage_ticket" },
        argument: { name: "ticketId", value: String(ticket.id) }
      })
      expect(completion.completion.values).toContain(String(ticket.id))

      await expect(
        client.getPrompt({ name: "triage_ticket", arguments: { ticketId: String(missingId) } })
      ).rejects.toMatchObject({ code: -32602, message: expect.stringContaining(`Ticket ${missingId} does not exist`) })
      await expect(
        client.getPrompt({ name: "triage_ticket", arguments: { ticketId: "forty-two" } })
      ).rejects.toMatchObject({ code: -32602, message: expect.stringContaining("ticketId") })
    })
  })
}
