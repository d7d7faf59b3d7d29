/**
 * A retry budget: retries may be at most a share of calls, so that a struggling backend is never sent more work
 * because it struggles. Every call deposits `share` of a token (up to `reserve` tokens kept), every retry takes a
 * whole one; with the budget spent a failure is answered as it is, without a retry. A full reserve at the start lets a
 * quiet service retry its first few failures. (Effect's `Schedule` decides when to retry one call; nothing in it
 * bounds retries across calls, hence this small counter.)
 */

/** The budget of one backend. */
export interface RetryBudget {
  /** Records a call (deposits `share` of a token). */
  readonly called: () => void
  /** Takes a token for a retry: true when there was one. */
  readonly tryRetry: () => boolean
}

/** A budget allowing retries of about `share` of calls, keeping at most `reserve` tokens. */
export const make = (share: number, reserve = 10): RetryBudget => {
  let tokens = reserve
  return {
    called: () => {
      tokens = Math.min(reserve, tokens + share)
    },
    tryRetry: () => {
      if (tokens < 1) return false
      tokens -= 1
      return true
    }
  }
}
