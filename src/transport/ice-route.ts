/**
 * Which way a connection's data goes (straight, or through a TURN relay), read from the
 * browser's selected ICE candidate pair; and, when no route was found, why, in words a site
 * owner can act on.
 */
import { Route } from '../engine/types.js';

/** Either end relayed means the data goes through a TURN server. */
const routeOf = (types: Array<string | null | undefined>) => (types.includes('relay') ? Route.relay : Route.direct);

/** The route of the selected candidate pair, or null while there is none. */
export async function selectedRoute(peerConnection: RTCPeerConnection): Promise<Route | null> {
  // Chromium's ICE transport names its pair at once, as the connection opens; reading the
  // stats instead would hold the `hello` back by a millisecond or more.
  const named = peerConnection.sctp?.transport.iceTransport?.getSelectedCandidatePair?.();
  if (named) return routeOf([named.local.type, named.remote.type]);
  const stats = await peerConnection.getStats();
  let pair: RTCIceCandidatePairStats | undefined;
  // Firefox marks the selected pair; elsewhere it is the nominated pair that succeeded.
  stats.forEach((report) => {
    if (report.type === 'candidate-pair' && (report.selected || (report.nominated && report.state === 'succeeded'))) pair ??= report;
  });
  if (!pair) return null;
  const ends = [stats.get(pair.localCandidateId), stats.get(pair.remoteCandidateId)] as Array<{ candidateType?: string } | undefined>;
  return routeOf(ends.map((candidate) => candidate?.candidateType));
}

const isTurnUrl = (url: string) => /^turns?:/i.test(url);

/**
 * Watches one dialing peer connection's ICE gathering, so that when it finds no route the
 * reason can be told: no TURN server configured, the TURN server not answering or refusing
 * the credentials, or the relay not reaching the peer either.
 */
export class IceDiagnosis {
  #failed = false;
  #relayGathered = false;
  /** TURN errors the browser reported (Chromium; Firefox reports none): STUN code by URL. */
  readonly #turnErrors = new Map<string, number>();

  constructor(
    private readonly peerConnection: RTCPeerConnection,
    private readonly iceServers: RTCIceServer[],
  ) {
    peerConnection.addEventListener('iceconnectionstatechange', () => {
      if (peerConnection.iceConnectionState === 'failed') this.#failed = true;
    });
    peerConnection.addEventListener('icecandidate', (event) => {
      if (event.candidate?.type === 'relay' || / typ relay /.test(event.candidate?.candidate ?? '')) this.#relayGathered = true;
    });
    peerConnection.addEventListener('icecandidateerror', (event) => {
      const { url, errorCode } = event as RTCPeerConnectionIceErrorEvent;
      if (url && isTurnUrl(url)) this.#turnErrors.set(url, errorCode);
    });
  }

  /** ICE tried every candidate pair and none worked (PeerJS's own listener, which closes the connection, may run before ours). */
  get iceFailed(): boolean {
    return this.#failed || this.peerConnection.iceConnectionState === 'failed';
  }

  /** Why no route to `peerId` was found, for people: in words loaded on demand (ice-explain.ts), rarely needed; rejects if they cannot be loaded. */
  async explain(peerId: string): Promise<string> {
    const turnUrls = this.iceServers.flatMap((server) => [server.urls].flat()).filter(isTurnUrl);
    return (await import('./ice-explain.js')).explain(peerId, turnUrls, this.#relayGathered, [...this.#turnErrors.values()]);
  }
}
