/**
 * The plugin refuses to start on a database whose role could change anything: agents' SQL is checked by the parser
 * and run read-only, but the role is the layer that holds when both of those are wrong.
 */
import { Data } from "effect"

/** The configured role of a database can write, owns tables, or has server-level powers. */
export class UnsafeRole extends Data.TaggedError("UnsafeRole")<{
  readonly database: string
  readonly role: string
  readonly problems: ReadonlyArray<string>
}> {
  override get message(): string {
    return (
      `The postgres plugin will not use database "${this.database}": its role ${this.role} ${this.problems.join("; ")}. ` +
      "Connect as a role with SELECT only (see the postgres plugin's README: CREATE ROLE ... and GRANT SELECT ...)."
    )
  }
}

/** A configured database could not be reached or inspected at start-up. */
export class TargetUnreachable extends Data.TaggedError("TargetUnreachable")<{
  readonly database: string
  readonly reason: string
}> {
  override get message(): string {
    return `The postgres plugin cannot reach database "${this.database}": ${this.reason}`
  }
}
