/**
 * The V8 heap settings the bundled server runs with (`pnpm start`): young-generation semi-spaces of 8 MiB and an
 * old generation of at most 768 MiB. Left to its defaults, V8 sizes both for a machine's whole memory and lets a
 * busy server's heap grow to 450-600 MiB of RSS around some 50 MiB of live objects; with these it stays near 220 MiB
 * under sustained load at no measurable CPU cost (see `bench/README.md`). The old-generation limit leaves room for
 * the audit buffer's worst case during a database outage; raise it with `NODE_OPTIONS` if you raise
 * `audit.capacity` or `audit.maxArgumentBytes`.
 */
export const nodeFlags: ReadonlyArray<string> = ["--max-semi-space-size=8", "--max-old-space-size=768"]
