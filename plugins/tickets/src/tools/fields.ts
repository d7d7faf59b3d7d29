/**
 * Input field schemas shared by the tickets tools: what the agent sees as JSON Schema and what is validated.
 * Each puts its description before its checks, so that the description is the field's top-level one.
 */
import { Schema } from "effect"
import { maxId } from "../domain/Id.ts"

const notBlank = Schema.isPattern(/\S/u, { message: "must not be blank" })

/** A positive id that fits the database's integer ids. */
export const id = (description: string) =>
  Schema.Int.annotate({ description }).check(Schema.isBetween({ minimum: 1, maximum: maxId }))

/** The id of a ticket. */
export const TicketId = id("The ticket's id (see list_tickets)")

/** The id of a user, described for the field it fills. */
export const userId = (description: string) => id(description)

/** Free text of at most `max` characters. */
export const text = (max: number, description: string) =>
  Schema.String.annotate({ description }).check(Schema.isMaxLength(max))

/** Text of 1 to `max` characters, not all whitespace. */
export const nonBlankText = (max: number, description: string) =>
  Schema.String.annotate({ description }).check(Schema.isBetweenLength(1, max), notBlank)

/** A ticket title: 1 to 200 characters, not all whitespace. */
export const Title = nonBlankText(200, "A short summary of the problem (1-200 characters)")

/** A ticket description: free text up to 10000 characters. */
export const Description = text(
  10_000,
  "Details: what happened, what was expected, how to reproduce (up to 10000 characters)"
)

/** A comment body: 1 to 10000 characters, not all whitespace. */
export const Body = nonBlankText(10_000, "The comment text (1-10000 characters)")

/** An email address as users are stored. */
export const Email = Schema.String.annotate({ description: "The user's email address (case-insensitive)" }).check(
  Schema.isMaxLength(320),
  Schema.isPattern(/^[^\s@]+@[^\s@]+$/u, { message: "must be an email address such as ada@example.com" })
)
