/**
 * The ready-made domain error of a resource read whose URI names nothing: declare it (`errors: [ResourceNotFound]`)
 * and it is answered as JSON-RPC -32002 with the URI in `data`, as MCP asks.
 */
import { Schema } from "effect"

/** Fails a resource read whose URI names nothing (answered as JSON-RPC -32002). */
export class ResourceNotFound extends Schema.TaggedError<ResourceNotFound>()("ResourceNotFound", {
  uri: Schema.String,
  message: Schema.String
}) {}
