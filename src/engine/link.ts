/**
 * What the engine needs from the network, as interfaces: the transport (PeerJS) implements
 * them, and unit tests use in-memory fakes. The engine never imports the transport.
 */
import type { ErrorDetail, Route, SignalingState } from './types.js';

export interface LinkListener {
  onOpen(): void;
  onControl(data: unknown): void;
  onBulk(data: unknown): void;
  onClose(): void;
  /** The route of an open link changed (the browser switched candidate pairs). */
  onRouteChange?(): void;
}

/** A data connection to one remote peer: a control channel for frames, a bulk channel for file bytes. */
export interface Link {
  readonly peerId: string;
  /** What the dialing side attached to the connection (our elements send their name). */
  readonly metadata: unknown;
  /** True when the remote speaks our protocol; false for a plain PeerJS app that sends strings. */
  readonly speaksProtocol: boolean;
  readonly isOpen: boolean;
  /** Largest file payload worth sending in one bulk message. */
  readonly chunkSize: number;
  /** The safety code of both ends' DTLS certificates (see safety-code.ts), known once the link is open; empty if unknown. */
  readonly safetyCode: string;
  /** How the data travels, once the link is open and the browser has selected a candidate pair. */
  readonly route: Route | null;
  listener: LinkListener | null;
  /**
   * Our `hello` (encoded), set by the session: where we answer, it goes with the answer the
   * signaling server relays to the dialer, which then need not wait for it over the connection.
   * The session still sends `hello` on the control channel when that opens.
   */
  answerHello?: string;
  /**
   * Where we dialed, the peer's `hello` as the signaling server relayed it with its answer
   * (undefined when the answer had none). Untrusted: the session decodes it, and the peer's own
   * `hello` over the connection wins over it.
   */
  readonly relayedHello?: unknown;
  /** Sends a control frame at once; throws when the link is closed. */
  sendControl(frame: string): void;
  /** Queues file data (a copy: the frame may be reused once this resolves), resolving when the bulk channel can take more; rejects when it closed. */
  sendBulk(frame: ArrayBuffer): Promise<void>;
  close(): void;
}

export interface SignalingOptions {
  host: string;
  port: number;
  path: string;
  key: string;
  secure: boolean;
  /** Id to register; empty lets the server assign one. */
  peerId: string;
  iceServers: RTCIceServer[];
  /** A URL to fetch fresh `iceServers` from (short-lived TURN credentials); empty: none. */
  iceServersUrl: string;
  /** `relay`: only connect through TURN relays. */
  iceTransportPolicy: RTCIceTransportPolicy;
  /** Sent to peers we dial, so they can show who is calling. */
  metadata: Record<string, unknown>;
  /** The DTLS certificate to use (a stored one, with `persist`); null makes a new one. */
  certificate?: RTCCertificate | null;
}

export interface SignalingListener {
  onRegistered(peerId: string): void;
  onSignalingState(state: SignalingState): void;
  onIncoming(link: Link): void;
  onError(error: ErrorDetail): void;
}

/** Registration with a signaling server, and the connections made through it. */
export interface Signaling {
  /** The registered id (kept while re-registering); empty before the first registration. */
  readonly peerId: string;
  readonly signalingState: SignalingState;
  /** The DTLS certificate of this registration's connections, once made. */
  readonly certificate?: RTCCertificate | null;
  start(): void;
  stop(): void;
  /** Connections made from now on use these ICE servers (fresh TURN credentials); open ones keep theirs. */
  setIceServers(iceServers: RTCIceServer[]): void;
  /** Opens a link to `remoteId`; resolves when it is open, rejects with a `PeerChatError`. */
  dial(remoteId: string, timeoutMs: number): Promise<Link>;
}

export type CreateSignaling = (options: SignalingOptions, listener: SignalingListener) => Signaling;
