/**
 * What the principal of a request may see and use, decided by the authorization stage. Lists are filtered with it,
 * and a request for anything outside it is refused. Resources are named by their static URI or URI template.
 */
export interface Access {
  readonly tool: (name: string) => boolean
  readonly prompt: (name: string) => boolean
  readonly resource: (uriOrTemplate: string) => boolean
}
