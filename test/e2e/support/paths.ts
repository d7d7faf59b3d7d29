/**
 * Where things are: the repository root, its Node 24 binary and the bundled server's entry point.
 */
import { existsSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

/** The repository root (`/work/main` on the project machines). */
export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..")

/**
 * The repo's Node 24: the real binary, so that signals reach the server (the `node_modules/.bin/node` shim does not
 * forward them). Falls back to the Node running the tests, which is the same binary under `pnpm test`.
 */
export const nodeBin = existsSync(join(root, "node_modules/node/bin/node"))
  ? join(root, "node_modules/node/bin/node")
  : process.execPath

/** The bundled server's entry point. */
export const serverMain = join(root, "apps/server/src/main.ts")
