/**
 * Request ids: the id a request gets as it enters the pipeline (or as it ends at the edge), which its log lines
 * carry, an internal error shows the client, and its audit row is found by. They are UUIDv7 (RFC 9562): 74 random
 * bits, led by the time in milliseconds. Time-ordered ids keep the audit table's request-id index growing at its
 * right edge, as its primary key does: a random (v4) id lands on a random page of the index, and that index alone
 * was half of PostgreSQL's work per appended row (see bench/README.md, thirteenth session).
 */
import { randomUUIDv7 } from "node:crypto"

/** A new request id (a UUIDv7: unique, and ordered by the time it was made to the millisecond). */
export const makeRequestId = (): string => randomUUIDv7()
