/**
 * Whether the event loop is overloaded, for load shedding. A Node server reads the requests waiting on its sockets in
 * batches, one batch per turn of the event loop, and serves each one it admits before it reads the next batch: every
 * request waits for the turn before it and for the requests ahead of it in its own. A limit on requests in flight does
 * not see that wait (a call that completes in the turn it arrived in holds its slot for microseconds), so under a flood
 * of clients the turns grow with the number of clients, and every answer with them.
 *
 * This watch times each turn that takes requests or accepts connections, from the first of them to its end (a
 * `setImmediate`), and refuses the requests that arrive late in a long turn of a crowd: past twice the budget in a turn
 * that has seen a crowd of requests and new connections (more than the admission's slots and queue hold together, 128
 * by default and {@link smallestCrowd} at the least: a burst they could hold is not a crowd; a storm of new clients is
 * one before any of their requests is read), and past the budget itself in any turn once two crowded turns in a row ran
 * over it (the overload is sustained, not a garbage collection or a burst; a quarter second without a crowded turn past
 * the budget ends it: the refusals themselves keep some crowded turns within it, and ending the overload on one of
 * those let the next two turns run to twice the budget again, every few turns, under a flood that had not ended). A
 * turn that is long because of a few slow requests (a tool that computes, a cold start) refuses nothing: refusing would
 * shorten nobody's wait by much, and the slots bound the work in flight. Under a flood, turns stay near the budget plus
 * the cost of the refusals, and the wait of the admitted requests with them; a server whose clients fit in its slots
 * and queue refuses nothing here.
 *
 * Measured with `pnpm bench`'s spike (500 clients that resend the moment they are answered, against a server that
 * serves 50 at full speed): see `bench/README.md`.
 *
 * @since 0.1.0
 */

/** Watches the event loop's turns. */
export interface LoopPressure {
  /**
   * Counts a request arriving now in its turn (the first of a turn starts the watch of that turn), and says whether
   * it is late: past the budget of a crowded turn. Called once for every request the server admits or refuses.
   */
  readonly arrive: () => boolean
  /** Whether the request that arrived last is late (without counting another). */
  readonly late: () => boolean
  /**
   * Counts a connection accepted now in its turn, like a request: accepting is the turn's work too, and a storm of new
   * clients (hundreds accepted in one turn, before any of their requests is read) makes a long, crowded turn whose
   * requests have waited all of it.
   */
  readonly accept: () => void
}

/**
 * The fewest requests a turn is crowded with, whatever the slots and the queue hold: a turn of a few dozen requests
 * past the budget is slow requests (a cold start compiling its first calls, a tool that computes), not a flood of
 * clients, and a server with two slots and one place in the queue refused the fourth call of a cold turn.
 */
export const smallestCrowd = 64

/** Turns past the budget in a row after which the overload is sustained. */
const SUSTAINED = 2

/** How long without a crowded turn past the budget ends a sustained overload. */
const QUIET_MS = 250

/**
 * A watch with `budgetMs` per turn, where a turn is crowded from `crowd` requests on (the server-wide admission gives
 * its slots and queue together, {@link smallestCrowd} at the least: a burst they could hold is not a crowd).
 */
export const make = (budgetMs: number, crowd: number): LoopPressure => {
  let turnStartedAt = -1
  // Requests the current turn has seen, taken or refused.
  let seen = 0
  // Crowded turns in a row that ran past the budget (once sustained, until a quiet quarter second).
  let overTurns = 0
  // When the last crowded turn past the budget ended.
  let overAt = Number.NEGATIVE_INFINITY

  const endTurn = () => {
    // Only crowded turns say whether the overload lasts: under a flood, the loop also runs a few short turns between
    // its crowded ones (sockets that became readable while it was busy), and they say nothing about the crowd.
    if (seen >= crowd) {
      const now = performance.now()
      if (now - turnStartedAt > budgetMs) {
        overTurns += 1
        overAt = now
      } else if (overTurns < SUSTAINED) overTurns = 0
    }
    turnStartedAt = -1
    seen = 0
  }

  // A sustained overload refuses past the budget in any turn; otherwise a crowded turn refuses past twice the budget.
  const late = () => {
    if (turnStartedAt < 0) return false
    const sustained = overTurns >= SUSTAINED
    if (!sustained && seen <= crowd) return false
    return performance.now() - turnStartedAt > (sustained ? budgetMs : 2 * budgetMs)
  }

  const count = () => {
    if (turnStartedAt < 0) {
      turnStartedAt = performance.now()
      setImmediate(endTurn)
      // A quarter second without a crowded turn past the budget (a flood brings one every few dozen milliseconds):
      // the overload is over.
      if (turnStartedAt - overAt > QUIET_MS) overTurns = 0
    }
    seen += 1
  }

  return {
    arrive: () => {
      count()
      return late()
    },
    late,
    accept: count
  }
}

/** A watch that never refuses (bulkheads, servers that shed load elsewhere). */
export const off: LoopPressure = { arrive: () => false, late: () => false, accept: () => undefined }
