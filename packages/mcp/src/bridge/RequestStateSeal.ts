/**
 * The seal on a multi-round-trip `requestState`: a result that asks the client for input carries the state sealed
 * (HMAC, with an expiry), the client echoes it on its retry, and the state is verified before any handler runs. The
 * seal is bound to the request's method, so that a state minted for one kind of request is refused on another. One
 * seal serves both HTTP paths (the SDK's and the fast path), so a state minted on one verifies on the other.
 */
import { randomBytes } from "node:crypto"
import { createRequestStateCodec, type ServerContext } from "@modelcontextprotocol/server"

/** Mints and verifies `requestState` values. */
export interface RequestStateSeal {
  /** Seals `payload` for a request of `method`. */
  readonly mint: (payload: unknown, method: string) => Promise<string>
  /** Verifies an echoed state (the SDK's `requestState.verify` hook); throws when it is tampered with or expired. */
  readonly verify: (state: string, ctx: ServerContext) => Promise<unknown>
}

/**
 * A seal under `key` (at least 32 bytes; every process serving the same clients must share it), or under a random
 * key drawn for this process.
 */
export const makeRequestStateSeal = (key: string | Uint8Array | undefined): RequestStateSeal => {
  const codec = createRequestStateCodec<unknown>({
    key: key ?? randomBytes(32),
    bind: (ctx) => ctx.mcpReq.method
  })
  return {
    // The codec reads the binding from a context; the method is all `bind` reads of it.
    mint: (payload, method) => codec.mint(payload, { mcpReq: { method } } as ServerContext),
    verify: (state, ctx) => codec.verify(state, ctx)
  }
}
