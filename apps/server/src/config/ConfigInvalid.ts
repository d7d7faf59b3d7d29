import { Data } from "effect"

/** The configuration could not be read or does not fit: names the source, the field and what was expected. */
export class ConfigInvalid extends Data.TaggedError("ConfigInvalid")<{
  readonly source: string
  readonly problems: ReadonlyArray<string>
}> {
  override get message() {
    return `Invalid configuration in ${this.source}:\n${this.problems.map((problem) => `  - ${problem}`).join("\n")}`
  }
}
