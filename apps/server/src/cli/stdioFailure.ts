/**
 * A stdio server that cannot start (a bad configuration, a database it cannot reach, a locked data directory) tells
 * its client why: it answers the client's next request on stdin with a JSON-RPC error naming the reason, then exits.
 * A desktop client otherwise only sees the pipe close ("Connection closed") and the reason stays in a log file.
 *
 * @since 0.1.0
 */

/** The JSON-RPC code of the answer: an internal error of the server. */
const INTERNAL_ERROR = -32603

/** Answers the next request read from stdin (waiting at most `waitMs` for one) with `reason`. */
export const answerStdioFailure = (reason: string, waitMs = 3000): Promise<void> =>
  new Promise((resolve) => {
    let buffered = ""
    const finish = () => {
      clearTimeout(timer)
      process.stdin.off("data", onData)
      process.stdin.pause()
      resolve()
    }
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString("utf8")
      for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
        const line = buffered.slice(0, end).trim()
        buffered = buffered.slice(end + 1)
        let message: unknown
        try {
          message = JSON.parse(line)
        } catch {
          continue
        }
        const id = (message as { readonly id?: unknown }).id
        if (typeof id !== "string" && typeof id !== "number") continue
        const error = { code: INTERNAL_ERROR, message: `Bulwark could not start: ${reason}` }
        process.stdout.write(`${JSON.stringify({ jsonrpc: "2.0", id, error })}\n`, () => finish())
        return
      }
    }
    const timer = setTimeout(finish, waitMs)
    process.stdin.on("data", onData)
    process.stdin.once("end", finish)
    process.stdin.resume()
  })
