/**
 * A TCP port on 127.0.0.1 that nothing listens on (bound, then closed): for a server a test starts, or for a
 * connection that must be refused.
 */
import { createServer } from "node:net"

/** A port that was free a moment ago. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
