/**
 * Start-up refusal of a declaration the catalog cannot serve as written (e.g. a cache policy on a tool that does not
 * only read).
 */
import { Data } from "effect"

/** A declaration the catalog refuses at start-up (e.g. a cache policy on a tool that does not only read). */
export class CatalogInvalid extends Data.TaggedError("CatalogInvalid")<{
  readonly plugin: string
  readonly item: string
  readonly problem: string
}> {
  override get message() {
    return `${this.item} of plugin "${this.plugin}": ${this.problem}`
  }
}
