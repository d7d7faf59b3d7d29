import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { demoUsers, seedDemoData, TicketStore, TicketsLive } from "../src/index.ts"
import { freshDatabase } from "./support/freshDatabase.ts"

const database = freshDatabase("store")

const seeded = (tenantId: string) =>
  Effect.gen(function* () {
    yield* seedDemoData(tenantId)
    const store = yield* TicketStore
    const [first, second] = yield* store.listUsers(tenantId, 2)
    return { first: first!, second: second! }
  })

layer(TicketsLive.pipe(Layer.provideMerge(database)), { excludeTestServices: true })((it) => {
  describe("TicketStore tenant isolation", () => {
    it.effect("hides tenant a's rows from tenant b, exactly like rows that do not exist", () =>
      Effect.gen(function* () {
        const store = yield* TicketStore
        const a = yield* seeded("tenant-a")
        const b = yield* seeded("tenant-b")
        const ticket = yield* store.createTicket("tenant-a", {
          title: "Tenant A secret",
          description: "only for a",
          priority: "high",
          assigneeId: a.second.id,
          reporterId: a.first.id
        })
        yield* store.addComment("tenant-a", { ticketId: ticket.id, authorId: a.first.id, body: "a's comment" })

        // Readable for a.
        expect((yield* store.getTicket("tenant-a", ticket.id)).comments).toHaveLength(1)

        // Not readable for b, and the error is the one for an id that never existed.
        const notFound = yield* Effect.flip(store.getTicket("tenant-b", ticket.id))
        expect(notFound._tag).toBe("TicketNotFound")
        expect(notFound.message).toBe(`Ticket ${ticket.id} does not exist. Use list_tickets to find ticket ids.`)
        const never = yield* Effect.flip(store.getTicket("tenant-b", 2_000_000_000))
        expect(never.message.replace("2000000000", String(ticket.id))).toBe(notFound.message)

        // Not listable, completable or findable for b.
        expect((yield* store.listTickets("tenant-b", { limit: 100 })).tickets.map((t) => t.id)).not.toContain(ticket.id)
        expect(
          (yield* store.listTickets("tenant-b", { limit: 100, search: "secret" })).tickets.map((t) => t.id)
        ).toEqual([])
        expect(yield* store.ticketIdsStartingWith("tenant-b", String(ticket.id), 10)).toEqual([])
        expect(yield* store.ticketIdsStartingWith("tenant-a", String(ticket.id), 10)).toEqual([ticket.id])
        expect((yield* Effect.flip(store.findUser("tenant-b", { id: a.first.id })))._tag).toBe("UserNotFound")
        expect((yield* store.findUser("tenant-b", { email: "ada@example.com" })).id).toBe(b.first.id)
        expect(b.first.id).not.toBe(a.first.id)

        // Not changeable by b.
        expect((yield* Effect.flip(store.setStatus("tenant-b", ticket.id, "deleted")))._tag).toBe("TicketNotFound")
        const comment = yield* Effect.flip(
          store.addComment("tenant-b", { ticketId: ticket.id, authorId: b.first.id, body: "b was here" })
        )
        expect(comment._tag).toBe("TicketNotFound")

        // b cannot reference a's users either (the foreign keys include the tenant).
        const foreign = yield* Effect.flip(
          store.createTicket("tenant-b", {
            title: "Borrowed reporter",
            description: "",
            priority: "low",
            assigneeId: null,
            reporterId: a.first.id
          })
        )
        expect(foreign).toMatchObject({ _tag: "UnknownUser", field: "reporterId", userId: a.first.id })

        // a's ticket is untouched.
        const after = yield* store.getTicket("tenant-a", ticket.id)
        expect(after).toMatchObject({ status: "open", title: "Tenant A secret" })
        expect(after.comments.map((c) => c.body)).toEqual(["a's comment"])
      })
    )
  })

  describe("seedDemoData", () => {
    it.effect("creates the demo users once per tenant, also when run concurrently", () =>
      Effect.gen(function* () {
        const store = yield* TicketStore
        const runs = yield* Effect.all([seedDemoData("seed-tenant"), seedDemoData("seed-tenant")], {
          concurrency: 2
        })
        expect(runs.map((created) => created.length).sort()).toEqual([0, demoUsers.length])
        expect(yield* seedDemoData("seed-tenant")).toEqual([])
        const users = yield* store.listUsers("seed-tenant", 10)
        expect(users.map((user) => user.email)).toEqual(demoUsers.map((user) => user.email))
      })
    )

    it.effect("maps check constraint violations to domain errors naming the field", () =>
      Effect.gen(function* () {
        const store = yield* TicketStore
        const { first } = yield* seeded("checks")
        const blank = yield* Effect.flip(
          store.createTicket("checks", {
            title: "   ",
            description: "",
            priority: "low",
            assigneeId: null,
            reporterId: first.id
          })
        )
        expect(blank).toMatchObject({ _tag: "ConstraintViolation", field: "title" })
        expect(blank.message).toBe("title: must have 1 to 200 characters, not all whitespace.")
        const comment = yield* Effect.flip(
          store.addComment("checks", { ticketId: 2_000_000_000, authorId: first.id, body: "x" })
        )
        expect(comment._tag).toBe("TicketNotFound")
      })
    )

    it.effect("leaves a tenant that already has users alone", () =>
      Effect.gen(function* () {
        const store = yield* TicketStore
        yield* store.createUser("own-users", { email: "owner@example.com", name: "Owner" })
        expect(yield* seedDemoData("own-users")).toEqual([])
        expect((yield* store.listUsers("own-users", 10)).map((user) => user.email)).toEqual(["owner@example.com"])
        const duplicate = yield* Effect.flip(
          store.createUser("own-users", { email: "OWNER@example.com", name: "Again" })
        )
        expect(duplicate).toMatchObject({ _tag: "ConstraintViolation", field: "email" })
      })
    )
  })

  describe("migrations", () => {
    it.effect("are recorded under owner tickets and building TicketsLive again applies nothing", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* Layer.build(TicketsLive)
        const rows = yield* sql<{ readonly id: string }>`SELECT id FROM bulwark_migrations WHERE owner = 'tickets'`
        expect(rows.map((row) => row.id)).toEqual(["0001"])
        const check = yield* Effect.flip(
          sql`INSERT INTO tickets (tenant_id, title, status, reporter_id) VALUES ('x', 'y', 'reopened', 1)`
        )
        expect(check._tag).toBe("SqlError")
      })
    )
  })
})
