import { createServer } from "node:net"
import { Effect } from "effect"

export { TestDatabase } from "../../src/testing/TestDatabase.ts"

/** A TCP port on 127.0.0.1 that nothing listens on (bound, then closed). */
export const closedPort: Effect.Effect<number> = Effect.promise(
  () =>
    new Promise<number>((resolve, reject) => {
      const server = createServer()
      server.once("error", reject)
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        const port = typeof address === "object" && address !== null ? address.port : 0
        server.close(() => resolve(port))
      })
    })
)
