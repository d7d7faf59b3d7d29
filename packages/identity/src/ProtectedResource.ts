/**
 * RFC 9728 protected-resource metadata: how an OAuth client discovers which authorization server issues tokens for
 * this server, and the `resource_metadata` URL advertised in 401 challenges.
 *
 * The document is built here rather than with the SDK's `buildOAuthProtectedResourceMetadata`, which needs the
 * authorization server's full RFC 8414 metadata (authorization and token endpoints) that a resource server neither
 * has nor should invent; it would only read `issuer`. The SDK's `getOAuthProtectedResourceMetadataUrl` gives the URL.
 *
 * @since 0.1.0
 */
import { getOAuthProtectedResourceMetadataUrl, type OAuthProtectedResourceMetadata } from "@modelcontextprotocol/server"
import { Layer } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import type { OAuthConfig } from "./IdentityConfig.ts"

/** The well-known path prefix of RFC 9728. */
export const wellKnownPath = "/.well-known/oauth-protected-resource"

/** The metadata document for this resource. */
export const document = (config: OAuthConfig): OAuthProtectedResourceMetadata => ({
  resource: config.audience,
  authorization_servers: [config.issuer],
  bearer_methods_supported: ["header"],
  resource_signing_alg_values_supported: [...config.algorithms],
  ...(config.requiredScopes.length > 0 ? { scopes_supported: [...config.requiredScopes] } : {}),
  ...(config.resourceName === undefined ? {} : { resource_name: config.resourceName })
})

/** The URL of the document, path-aware: `https://host/mcp` gives `https://host/.well-known/oauth-protected-resource/mcp`. */
export const metadataUrl = (config: OAuthConfig): string =>
  getOAuthProtectedResourceMetadataUrl(new URL(config.audience))

/** The paths the document is served at: the root well-known path and the path-aware one for the resource's path. */
export const paths = (config: OAuthConfig): ReadonlyArray<`/${string}`> => {
  const pathAware = new URL(metadataUrl(config)).pathname as `/${string}`
  return pathAware === wellKnownPath ? [wellKnownPath] : [wellKnownPath, pathAware]
}

const corsHeaders = { "access-control-allow-origin": "*", "cache-control": "public, max-age=3600" }

/**
 * The routes serving the document (GET, and OPTIONS for browser preflight) at every path of `paths(config)`; the
 * app mounts them next to the MCP route. Discovery documents are public and carry permissive CORS.
 */
export const routes = (config: OAuthConfig): Layer.Layer<never, never, HttpRouter.HttpRouter> => {
  const body = document(config)
  const layers = paths(config).flatMap((path) => [
    HttpRouter.add("GET", path, HttpServerResponse.jsonUnsafe(body, { headers: corsHeaders })),
    HttpRouter.add(
      "OPTIONS",
      path,
      HttpServerResponse.empty({
        status: 204,
        headers: {
          "access-control-allow-origin": "*",
          "access-control-allow-methods": "GET, OPTIONS",
          "access-control-allow-headers": "*"
        }
      })
    )
  ])
  return Layer.mergeAll(Layer.empty, ...layers)
}
