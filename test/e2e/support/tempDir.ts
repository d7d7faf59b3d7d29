/**
 * Temporary directories outside the repository, removed by `removeTempDirs` (call it in `afterAll`).
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"

const created = new Set<string>()

/** A fresh directory under the OS temp dir, named `bulwark-e2e-<label>-…`. */
export const makeTempDir = async (label: string): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), `bulwark-e2e-${label}-`))
  created.add(dir)
  return dir
}

/** Removes every directory made by `makeTempDir` in this test file. */
export const removeTempDirs = async (): Promise<void> => {
  const dirs = [...created]
  created.clear()
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
}
