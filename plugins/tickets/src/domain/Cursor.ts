/**
 * The opaque `list_tickets` cursor: base64url of `{"id":<last id>}`. Tickets are listed newest first (descending id),
 * so the next page holds the tickets with an id below the cursor's.
 */
import { Effect, Result, Schema } from "effect"
import { InvalidCursor } from "./Errors.ts"
import { maxId } from "./Id.ts"

const Payload = Schema.fromJsonString(
  Schema.Struct({ id: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: maxId })) })
)
const decodePayload = Schema.decodeUnknownResult(Payload)

/** The cursor that continues after the ticket with id `lastId`. */
export const encode = (lastId: number): string =>
  Buffer.from(JSON.stringify({ id: lastId }), "utf8").toString("base64url")

/** The last id a cursor continues after, or `InvalidCursor` when the string is not one of ours. */
export const decode = (cursor: string): Effect.Effect<number, InvalidCursor> => {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return Effect.fail(InvalidCursor.of())
  const decoded = decodePayload(Buffer.from(cursor, "base64url").toString("utf8"))
  return Result.isSuccess(decoded) ? Effect.succeed(decoded.success.id) : Effect.fail(InvalidCursor.of())
}
