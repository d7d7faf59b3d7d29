/**
 * What the principal of a request may see and use, as the authorization stage decided it. Lists are filtered with
 * it, a request for anything outside it is refused, and the stages after authorization find it in `CurrentAccess`.
 */
import { Context } from "effect"

/** What a principal may see and use; resources are named by their static URI or URI template. */
export interface Access {
  readonly tool: (name: string) => boolean
  readonly prompt: (name: string) => boolean
  readonly resource: (uriOrTemplate: string) => boolean
}

/** The access the authorization stage decided for the request in flight; undefined where no such stage runs. */
export const CurrentAccess = Context.Reference<Access | undefined>("@bulwark/core/CurrentAccess", {
  defaultValue: () => undefined
})
