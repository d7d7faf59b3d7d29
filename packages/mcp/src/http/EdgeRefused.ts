/**
 * A request the HTTP edge refused before the pipeline (today: a credential authentication refused): the answer to
 * send as is, and why, for the server's log and audit only.
 */
import type { Principal } from "@bulwark/core"

/** A request refused at the edge. */
export interface EdgeRefused {
  readonly response: Response
  readonly reason: string
}

/** Whether authentication refused the request (rather than naming a principal, or not applying). */
export const isEdgeRefused = (value: Principal | EdgeRefused | undefined): value is EdgeRefused =>
  value !== undefined && "response" in value
