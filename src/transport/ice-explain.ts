/**
 * Why a dial found no route, in words a site owner can act on: loaded on demand by
 * {@link IceDiagnosis} (ice-route.ts), which gathers the facts, since few connections ever fail.
 */

/**
 * `turnUrls`: the TURN servers configured; `relayGathered`: the browser got a relay candidate
 * from one of them; `turnErrors`: the STUN error codes the browser reported for them (Chromium).
 */
export function explain(peerId: string, turnUrls: string[], relayGathered: boolean, turnErrors: number[]): string {
  const direct = `A direct connection to ${peerId} was not possible (a firewall or NAT is in the way)`;
  if (turnUrls.length === 0) return `${direct}, and no relay (TURN) server is configured: a relay is needed to reach this peer.`;
  if (relayGathered) return `${direct}, and the connection through the relay (TURN) server failed too: the peer may not reach it.`;
  // 401: the server refused the credentials; 7xx: the browser's own (no answer, unreachable).
  const refused = turnErrors.length > 0 && turnErrors.every((code) => code === 401 || code === 403 || code === 431 || code === 441);
  const unanswered = turnErrors.length > 0 && turnErrors.every((code) => code >= 700);
  const why = refused ? 'refused the credentials' : unanswered ? 'did not answer' : 'did not answer or refused the credentials';
  return `${direct}, and the relay (TURN) server (${turnUrls.join(', ')}) ${why}.`;
}
