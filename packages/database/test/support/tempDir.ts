/** A fresh temporary directory, removed with the scope. */

import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { Effect } from "effect"

/** Creates `$TMPDIR/bulwark-db-XXXXXX` and removes it (recursively) when the scope closes. */
export const tempDir = Effect.acquireRelease(
  Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "bulwark-db-"))),
  (dir) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
)
