/**
 * A request the HTTP edge refused before the pipeline (a credential authentication refused, a foreign Host, a body
 * too large, ...): the answer to send as is, and, for the server's log and audit only, why, which step refused it and
 * what a refused credential claimed to be.
 */
import type { Claimed, Principal } from "@bulwark/core"

/** A request refused at the edge. */
export interface EdgeRefused {
  readonly response: Response
  readonly reason: string
  /** The refusing step; `authentication` unless said otherwise. */
  readonly refusedBy?: string
  readonly claimed?: Claimed
  /** Refused because the client's address is throttled: counted with its like rather than recorded alone. */
  readonly throttled?: boolean
}

/** Whether authentication refused the request (rather than naming a principal, or not applying). */
export const isEdgeRefused = (value: Principal | EdgeRefused | undefined): value is EdgeRefused =>
  value !== undefined && "response" in value
