/**
 * The server's version, written in one place: `apps/server/package.json`. `--version` prints it, and the server
 * names itself with it to clients (`serverInfo`) and in the container image's label.
 *
 * @since 0.1.0
 */
import { createRequire } from "node:module"

/** The bundled server's version. */
export const version: string = (createRequire(import.meta.url)("../package.json") as { version: string }).version
