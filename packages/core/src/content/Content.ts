/**
 * Content blocks of tool results and prompt messages (text, image, audio, embedded resources, resource links), with
 * binary data given as bytes or base64.
 */
import type {
  AudioContent,
  ContentBlock,
  EmbeddedResource,
  ImageContent,
  ResourceLink,
  TextContent
} from "@modelcontextprotocol/server"

/** One block of a tool result or prompt message: text, image, audio, an embedded resource or a resource link. */
export type Content = ContentBlock

const toBase64 = (data: Uint8Array | string): string =>
  typeof data === "string" ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64")

/** Plain text content. */
export const text = (value: string): TextContent => ({ type: "text", text: value })

/** Image content; `data` is raw bytes or base64 text. */
export const image = (data: Uint8Array | string, mimeType: string): ImageContent => ({
  type: "image",
  data: toBase64(data),
  mimeType
})

/** Audio content; `data` is raw bytes or base64 text. */
export const audio = (data: Uint8Array | string, mimeType: string): AudioContent => ({
  type: "audio",
  data: toBase64(data),
  mimeType
})

/** A resource embedded in the result, as text or as binary. */
export const embeddedResource = (
  uri: string,
  body: { readonly text: string; readonly mimeType?: string } | { readonly blob: Uint8Array; readonly mimeType: string }
): EmbeddedResource =>
  "text" in body
    ? { type: "resource", resource: { uri, text: body.text, ...(body.mimeType ? { mimeType: body.mimeType } : {}) } }
    : { type: "resource", resource: { uri, blob: toBase64(body.blob), mimeType: body.mimeType } }

/** A link to a resource the client can read later. */
export const resourceLink = (
  uri: string,
  name: string,
  options: { readonly description?: string; readonly mimeType?: string } = {}
): ResourceLink => ({ type: "resource_link", uri, name, ...options })
