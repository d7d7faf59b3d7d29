/**
 * Start-up refusal of a composition in which two plugins declare the same tool, prompt, resource URI, template or
 * backend.
 */
import { Data } from "effect"

/** Two plugins declare the same tool, prompt, resource URI or template: the composition is refused at start-up. */
export class CatalogConflict extends Data.TaggedError("CatalogConflict")<{
  readonly kind: "tool" | "prompt" | "resource" | "resource template" | "backend"
  readonly name: string
  readonly plugins: readonly [string, string]
}> {
  override get message() {
    return `${this.kind} "${this.name}" is declared by both plugin "${this.plugins[0]}" and plugin "${this.plugins[1]}"`
  }
}
