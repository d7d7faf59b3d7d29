/**
 * Reading a Node request's headers as the rest of the endpoint wants them: one value per name, lower-case names, and
 * what the headers say the request is.
 */
import type { IncomingHttpHeaders, IncomingMessage } from "node:http"
import { type Described, describeRequest } from "../describeRequest.ts"

/** One header's value, repeated ones joined with `, `. */
export const single = (value: string | Array<string> | undefined): string | undefined =>
  Array.isArray(value) ? value.join(", ") : value

/**
 * Headers with lower-case names, repeated ones joined with `, ` (as the authentication port wants them). Node's are
 * that already unless a request repeats `set-cookie` (the one header it keeps as a list): they are used as they are,
 * not copied, whenever every value is a string.
 */
export const flatHeaders = (headers: IncomingHttpHeaders): Readonly<Record<string, string>> => {
  for (const name in headers) {
    if (typeof headers[name] !== "string") return joined(headers)
  }
  return headers as Readonly<Record<string, string>>
}

const joined = (headers: IncomingHttpHeaders): Record<string, string> => {
  const flat: Record<string, string> = {}
  for (const name in headers) {
    const value = single(headers[name])
    if (value !== undefined) flat[name] = value
  }
  return flat
}

/** What the headers of a Node request say it is (its body unread). */
export const describeHeaders = (request: IncomingMessage): Described =>
  describeRequest({ get: (name) => single(request.headers[name]) ?? null }, undefined)
