/**
 * Who is at the other end of a request, for what is counted per client (failed logins): the peer of the connection,
 * unless that peer is a reverse proxy the operator trusts, in which case the `X-Forwarded-For` chain it appended to
 * says: the nearest address in it that is not itself a trusted proxy (read from the right, since everything left of
 * the last trusted hop is whatever the client claimed). Without trusted proxies the header is ignored: anyone can
 * send it.
 */

/** Normalizes an address for comparison (`::ffff:10.0.0.1` is `10.0.0.1`). */
const normalize = (address: string): string => {
  const trimmed = address.trim()
  return trimmed.startsWith("::ffff:") ? trimmed.slice(7) : trimmed
}

/** Resolves client addresses under a list of trusted proxies. */
export const make = (trustedProxies: ReadonlyArray<string>) => {
  const trusted = new Set(trustedProxies.map(normalize))
  return (peer: string | undefined, forwardedFor: string | undefined): string | undefined => {
    if (peer === undefined || trusted.size === 0) return peer
    const from = normalize(peer)
    if (!trusted.has(from) || forwardedFor === undefined) return peer
    const hops = forwardedFor
      .split(",")
      .map(normalize)
      .filter((hop) => hop !== "")
    for (let i = hops.length - 1; i >= 0; i--) if (!trusted.has(hops[i]!)) return hops[i]
    return hops[0] ?? peer
  }
}
