/**
 * Answers finished in one turn of the event loop, written together at its end. A turn of a busy server reads many
 * requests and finishes most of them before it ends (the pipeline of a call that waits for nothing runs to its answer
 * in the turn that read it); written one by one as each finishes, every write to a client that has gone to sleep in
 * the meantime wakes it, and on a virtual machine a wake-up on another core is the most expensive part of a write
 * (`pnpm bench`: 15-30 µs of the kernel's time a call on this machine's loopback, with the load generator or a local
 * proxy as the client). Written together, the first write wakes the client and the rest find it awake.
 *
 * The batch is written from `setImmediate`: an answer finished while Node serves I/O (the common case: a request's
 * body was read, or a backend answered) goes out in the same turn, after the other I/O the turn had; one finished in
 * an immediate (an effect the scheduler resumed) in the next. A response the client closed meanwhile is skipped. The
 * durations logged and measured end when the answer is ready, not when the write is made.
 */
import type { ServerResponse } from "node:http"
import type { Answer } from "../responses.ts"

/** Writes an answer (its status, headers and body) to Node's response, now. */
export const writeAnswer = (response: ServerResponse, answer: Answer): void => {
  response
    .writeHead(answer.status, { ...answer.headers, "content-length": Buffer.byteLength(answer.body) })
    .end(answer.body)
}

/** Writes answers at the end of the turn they were finished in. */
export interface TurnWriter {
  /** Writes the answer at the end of this turn, with the turn's others. */
  readonly write: (response: ServerResponse, answer: Answer) => void
  /**
   * Writes the answers the turn has finished so far, now. For a turn that has turned to refusing (load shedding
   * under a flood, see `LoopPressure.ts`): the rest of it is refusals, each written at once, and the calls it admitted
   * should not wait behind them.
   */
  readonly flush: () => void
}

/** Makes a writer with a batch of its own. */
export const makeTurnWriter = (): TurnWriter => {
  let batch: Array<readonly [ServerResponse, Answer]> = []
  let scheduled = false
  const flush = () => {
    const toWrite = batch
    batch = []
    for (const [response, answer] of toWrite) {
      if (!response.destroyed && !response.headersSent) writeAnswer(response, answer)
    }
  }
  const endOfTurn = () => {
    scheduled = false
    flush()
  }
  return {
    write: (response, answer) => {
      batch.push([response, answer])
      if (scheduled) return
      scheduled = true
      setImmediate(endOfTurn)
    },
    flush: () => {
      if (batch.length > 0) flush()
    }
  }
}
