/**
 * The addresses a request passed through that the gateway can vouch for, client first. With no
 * trusted proxy in front (TRUSTED_PROXY_HOPS=0) that is only the socket peer: X-Forwarded-For is
 * ignored, since any client can write it. Behind N trusted proxies it is the last N entries of
 * X-Forwarded-For plus the peer; the first of them was appended by the outermost trusted proxy
 * and is the real client. Entries further left were written by the client and are dropped.
 */
export function trustedForwardedChain(
  socketAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedHops: number,
): string[] {
  const peer = socketAddress ?? 'unknown';
  if (trustedHops === 0 || forwardedFor === undefined) {
    return [peer];
  }
  const forwarded = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const chain = [...forwarded, peer];
  return chain.slice(Math.max(0, chain.length - 1 - trustedHops));
}

/** The client's address (for rate limiting): the first address of the trusted chain. */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedHops: number,
): string {
  return trustedForwardedChain(socketAddress, forwardedFor, trustedHops)[0];
}
