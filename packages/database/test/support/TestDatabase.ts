import { Effect } from "effect"
import { freePort } from "../../src/testing/freePort.ts"

export { TestDatabase } from "../../src/testing/TestDatabase.ts"

/** A TCP port on 127.0.0.1 that nothing listens on (bound, then closed). */
export const closedPort: Effect.Effect<number> = Effect.promise(freePort)
