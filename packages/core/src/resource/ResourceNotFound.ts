import { Schema } from "effect"

/** Fails a resource read whose URI names nothing (answered as JSON-RPC -32002). */
export class ResourceNotFound extends Schema.TaggedError<ResourceNotFound>()("ResourceNotFound", {
  uri: Schema.String,
  message: Schema.String
}) {}
