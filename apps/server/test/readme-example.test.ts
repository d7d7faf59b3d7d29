// #region readme
import { BulwarkServer, loadConfig } from "@bulwark/server"
import { Effect, Layer } from "effect"

// The bundled server from your own entry point: the same configuration rules as `pnpm start`
// (a YAML/JSON file, then PORT, HOST, DATABASE_URL, LOG_LEVEL, BULWARK_DATA_DIR from the environment).
export const runBundledServer = (file: string | undefined, env: Record<string, string | undefined>) =>
  Effect.gen(function* () {
    const config = yield* loadConfig({ file, env })
    return yield* Layer.launch(BulwarkServer.http(config, { inMemory: true }))
  })

// #endregion readme

import { freePort } from "@bulwark/database/testing"
import { generateApiKey } from "@bulwark/identity"
import { describe, expect, it } from "@effect/vitest"
import { Fiber, Redacted } from "effect"

describe("README example", () => {
  it.live(
    "serves /readyz and /mcp from the bundled composition, then stops",
    () =>
      Effect.gen(function* () {
        const port = yield* Effect.promise(freePort)
        const key = Redacted.value(generateApiKey().key)
        const fiber = yield* Effect.forkChild(
          runBundledServer(undefined, { PORT: String(port), LOG_LEVEL: "error", BULWARK_API_KEY: key })
        )
        let ready = false
        // The embedded database boots in about 3 s, several times that on a machine busy with the rest of the suite.
        for (let attempt = 0; attempt < 400 && !ready; attempt++) {
          yield* Effect.sleep("100 millis")
          const response = yield* Effect.promise(() => fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))
          ready = response?.status === 200
        }
        expect(ready).toBe(true)
        const listed = yield* Effect.promise(() =>
          fetch(`http://127.0.0.1:${port}/mcp`, {
            method: "POST",
            headers: {
              authorization: `Bearer ${key}`,
              "content-type": "application/json",
              accept: "application/json, text/event-stream"
            },
            body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" })
          }).then((response) => response.text())
        )
        expect(listed).toContain('"name":"create_ticket"')
        yield* Fiber.interrupt(fiber)
        const after = yield* Effect.promise(() => fetch(`http://127.0.0.1:${port}/healthz`).catch(() => "closed"))
        expect(after).toBe("closed")
      }),
    60_000
  )

  it.effect("refuses a bad setting with the field and what was expected", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(loadConfig({ file: undefined, env: { PORT: "http" } }))
      expect(error.message).toBe("Invalid configuration in environment (PORT):\n  - http.port: Expected number")
    })
  )
})
