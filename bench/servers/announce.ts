// What every benchmark server built on `BulwarkServer` adds: it prints its port on stdout once it listens, for
// `processes.ts` to read.
import { Effect, Layer } from "effect"
import { HttpServer } from "effect/http"

/** Prints the bound port (0 for a Unix socket) once the HTTP server listens. */
export const announcePort = Layer.effectDiscard(
  Effect.flatMap(HttpServer.HttpServer, (server) =>
    Effect.sync(() => process.stdout.write(`${server.address._tag === "UnixPathAddress" ? 0 : server.address.port}\n`))
  )
)
