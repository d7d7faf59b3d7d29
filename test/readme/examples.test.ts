/**
 * Every README example is real code: each fenced `ts` block of every README in the repository must be, verbatim, a
 * `// #region readme` of a test file under the README's folder (the root README's: under `test/`), where tsc checks
 * it and the test runs it. And every such region must still be shown by its README, so no example goes stale on
 * either side. This one test replaces a copy of the same check in each package.
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..")

const walk = (dir: string, keep: (path: string) => boolean): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    if (name === "node_modules" || name.startsWith(".")) return []
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path, keep) : keep(path) ? [path] : []
  })

const readmes = walk(root, (path) => path.endsWith("README.md"))
const testFiles = walk(root, (path) => /\/test\/.*\.ts$/.test(path))

/** The fenced `ts` blocks of a README. */
const blocksOf = (text: string): Array<string> => [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!.trim())

/** The `// #region readme` regions of a test file. */
const regionsOf = (text: string): Array<string> =>
  [...text.matchAll(/\/\/ #region readme\n([\s\S]*?)\/\/ #endregion readme/g)].map((m) => m[1]!.trim())

/** The folder whose test files hold a README's examples. */
const homeOf = (readme: string): string => (dirname(readme) === root ? join(root, "test") : dirname(readme))

const regions = testFiles.flatMap((file) => regionsOf(readFileSync(file, "utf8")).map((code) => ({ file, code })))

describe("README examples", () => {
  it("finds the READMEs and the test regions", () => {
    expect(readmes.length).toBeGreaterThan(10)
    expect(regions.length).toBeGreaterThan(5)
  })

  for (const readme of readmes) {
    const blocks = blocksOf(readFileSync(readme, "utf8"))
    if (blocks.length === 0) continue
    it(`${relative(root, readme)}: each ts block is the readme region of a test under ${relative(root, homeOf(readme)) || "."}`, () => {
      const home = homeOf(readme)
      const local = regions.filter((region) => region.file.startsWith(`${home}/`))
      for (const block of blocks) {
        expect(
          local.some((region) => region.code === block),
          `no test region under ${relative(root, home)} holds this block of ${relative(root, readme)}:\n${block}`
        ).toBe(true)
      }
    })
  }

  it("every readme region is shown by the README of its folder", () => {
    for (const region of regions) {
      const readme = readmes
        .filter((candidate) => region.file.startsWith(`${homeOf(candidate)}/`))
        .sort((a, b) => b.length - a.length)[0]
      expect(readme, `${relative(root, region.file)} has a readme region but no README above it`).toBeDefined()
      expect(
        blocksOf(readFileSync(readme!, "utf8")),
        `${relative(root, readme!)} does not show the readme region of ${relative(root, region.file)}`
      ).toContain(region.code)
    }
  })
})
