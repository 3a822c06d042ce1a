/**
 * The transport: the only module that talks to PeerJS. It registers with the signaling
 * server (re-registering with backoff when the server goes away), dials and accepts data
 * connections, and gives each remote peer a {@link Link} with two data channels:
 * - control: the PeerJS data channel, for chat and protocol frames, never queued behind files;
 * - bulk: a second, pre-negotiated channel on the same peer connection, for file bytes,
 *   sent with flow control on `bufferedAmount`.
 */
import { Peer, type DataConnection, type PeerError } from 'peerjs';
import { ErrorType, PeerChatError } from '../errors.js';
import type { Link as EngineLink, LinkListener, Signaling, SignalingListener, SignalingOptions } from '../engine/link.js';
import { safetyCode } from '../engine/safety-code.js';
import { SignalingState, type Route } from '../engine/types.js';
import { IceDiagnosis, selectedRoute } from './ice-route.js';


/** Flow control for the bulk channel, chosen from measurements (see docs/performance.md). */
export const BULK = {
  /**
   * Stop queueing file data above this many buffered bytes. A chat frame sent meanwhile waits
   * longer the more file data is queued: 256 KiB instead of 1 MiB cut its median delay from 26
   * to 19 ms at the same throughput; 128 KiB cut it further but cost throughput (docs/performance.md).
   */
  highWaterMark: 256 * 1024,
  /** Resume when the buffer drains to this. */
  lowWaterMark: 64 * 1024,
  /** Preferred message size (256 KiB cost chat messages more delay than they saved CPU: docs/performance.md); capped by the connection's SCTP max message size. */
  chunkSize: 64 * 1024,
  /** Stream id of the pre-negotiated bulk channel (PeerJS's own channel gets 0 or 1). */
  channelId: 64,
} as const;

const RECONNECT_DELAYS_MS = [500, 1000, 2000, 4000, 8000] as const;

/** What the transport reads of the signaling server's messages (PeerJS does not export its type). */
type SignalingMessage = { type: string; src: string; dst: string; payload?: { connectionId?: string; hello?: unknown } };

/** One remote peer: a PeerJS data connection plus our bulk channel on its peer connection. */
export class Link implements EngineLink {
  #current: LinkListener | null = null;
  #bulk: RTCDataChannel | null = null;
  #closed = false;
  /** The listener heard `onOpen`. */
  #reportedOpen = false;
  /** Control frames that arrived before `onOpen` reached the session that takes them (the peer's `hello`). */
  #early: unknown[] | null = [];
  #currentRoute: Route | null = null;
  #code = '';
  /** The safety code being computed (see `#prepare`). */
  #codeReady: Promise<void> | null = null;
  /** Where we answer: our `hello`, which goes with the answer (see `Transport.#withHello`). */
  answerHello?: string;
  /** Where we dialed: the `hello` field of the answer (see `Transport.#createPeer`). */
  relayedHello?: unknown;

  constructor(private readonly connection: DataConnection) {
    connection.peerConnection?.addEventListener('signalingstatechange', this.#prepareSoon);
    connection.on('open', () => {
      // Open once the route and the safety code are known, so that `peer-chat-connect` can tell them.
      void Promise.allSettled([this.#watchRoute(), this.#prepare()]).then(() => {
        if (this.#closed) return;
        this.#reportedOpen = true;
        this.#current?.onOpen();
        this.#deliverEarly();
      });
    });
    connection.on('data', (data) => this.#control(data));
    connection.on('close', () => this.#handleClose());
    connection.on('error', () => this.#handleClose());
    // PeerJS closes a connection that is not open yet without a `close` (on the signaling server's
    // LEAVE for its peer, a repeated offer): it ends the link all the same, once PeerJS is done.
    // Nothing here or in PeerJS closes with `flush`, which would only ask the peer to close.
    const close = connection.close.bind(connection);
    connection.close = () => {
      close();
      queueMicrotask(() => this.#handleClose());
    };
  }

  get listener(): LinkListener | null {
    return this.#current;
  }

  /** A listener set once the link is open gets the frames that came first, after its owner finished setting up. */
  set listener(listener: LinkListener | null) {
    this.#current = listener;
    this.#deliverEarly();
  }

  get peerId(): string {
    return this.connection.peer;
  }

  get metadata(): unknown {
    return this.connection.metadata;
  }

  /** True when the remote speaks our protocol (it dialed with our serialization), or we dialed it. */
  get speaksProtocol(): boolean {
    return this.connection.serialization === 'raw';
  }

  get isOpen(): boolean {
    return this.connection.open && !this.#closed;
  }

  /** Largest bulk payload worth sending in one message on this connection. */
  get chunkSize(): number {
    const max = this.connection.peerConnection?.sctp?.maxMessageSize ?? BULK.chunkSize;
    return Math.max(16 * 1024, Math.min(BULK.chunkSize, max > 0 ? max : BULK.chunkSize) - 64);
  }

  get safetyCode(): string {
    return this.#code;
  }

  get route(): Route | null {
    return this.#currentRoute;
  }

  /** A control frame; held until the session that takes it has heard `onOpen`. */
  #control(data: unknown): void {
    if (this.#early) this.#early.push(data);
    else this.#current?.onControl(data);
  }

  #deliverEarly(): void {
    if (!this.#reportedOpen || !this.#current || !this.#early) return;
    queueMicrotask(() => {
      const early = this.#early;
      if (!early || !this.#current) return;
      this.#early = null;
      for (const data of early) this.#current?.onControl(data);
    });
  }

  /**
   * After the task that set a description, whose promise PeerJS awaits to send its offer or
   * answer: the blocking work of `#prepare` then never holds those back.
   */
  readonly #prepareSoon = (): void => void setTimeout(this.#prepare);

  /**
   * Well before the channel opens (or, failing that, as it opens): creates the bulk channel once
   * our description is set, which costs the page a blocking call into WebRTC, and computes the
   * safety code once both are, so that neither holds the `hello` back. Resolves once the code is
   * known.
   *
   * The safety code comes from the DTLS certificate fingerprints of both ends as each side
   * announced them in its SDP. The browser checks the remote certificate against its
   * fingerprint, so these name the two ends of the encrypted channel.
   */
  readonly #prepare = (): Promise<void> => {
    if (this.#codeReady) return this.#codeReady;
    const peerConnection = this.connection.peerConnection;
    if (this.#closed) return Promise.resolve();
    if (peerConnection?.localDescription || this.connection.open) this.#openBulkChannel();
    const local = fingerprintIn(peerConnection?.localDescription?.sdp);
    const remote = fingerprintIn(peerConnection?.remoteDescription?.sdp);
    if (!(local && remote)) {
      if (!this.connection.open || !peerConnection || peerConnection.signalingState === 'closed') return Promise.resolve();
      // Open, and the page does not see the peer's description yet: a busy Chromium can report
      // the channel open first (the dialer, 11 of 200 connects with both cores busy). Computed
      // now, the code would stay empty for good: it waits for the description instead.
      return new Promise((resolve) => peerConnection.addEventListener('signalingstatechange', resolve, { once: true })).then(this.#prepare);
    }
    peerConnection?.removeEventListener('signalingstatechange', this.#prepareSoon);
    this.#codeReady = safetyCode({ local, remote }).then((code) => void (this.#code = code));
    return this.#codeReady;
  };

  /** Reads the route now, and again whenever the browser may have switched candidate pairs. */
  async #watchRoute(): Promise<void> {
    const peerConnection = this.connection.peerConnection;
    if (!peerConnection) return;
    const reread = () => {
      void this.#readRoute(peerConnection).then((changed) => {
        if (changed && !this.#closed) this.#current?.onRouteChange?.();
      });
    };
    peerConnection.addEventListener('iceconnectionstatechange', reread);
    // Not in Firefox, where the ICE connection state change covers a switch.
    peerConnection.sctp?.transport.iceTransport?.addEventListener?.('selectedcandidatepairchange', reread);
    // The answering side may open a moment before its stats name the selected pair.
    for (let attempt = 0; attempt < 20 && !(await this.#readRoute(peerConnection)) && !this.#closed; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** True when the route changed. */
  async #readRoute(peerConnection: RTCPeerConnection): Promise<boolean> {
    const route = await selectedRoute(peerConnection).catch(() => null);
    if (!route || route === this.#currentRoute) return false;
    this.#currentRoute = route;
    return true;
  }

  /** Sends a control frame (text) at once: chat never waits behind file data. */
  sendControl(frame: string): void {
    if (!this.isOpen) throw new PeerChatError(ErrorType.notConnected, `Not connected to ${this.peerId}`, this.peerId);
    const channel = this.connection.dataChannel;
    // PeerJS's raw connections would buffer in their own queue; send on the channel directly.
    if (this.speaksProtocol && channel?.readyState === 'open') channel.send(frame);
    else this.connection.send(frame);
  }

  /** Queues file data on the bulk channel (`send` copies it), waiting while its buffer is above the high-water mark. */
  async sendBulk(frame: ArrayBuffer): Promise<void> {
    const channel = this.#bulk;
    if (!channel || channel.readyState !== 'open' || !this.isOpen) {
      throw new PeerChatError(ErrorType.notConnected, `The file channel to ${this.peerId} is not open`, this.peerId);
    }
    while (channel.bufferedAmount > BULK.highWaterMark) {
      await new Promise<void>((resolve) => {
        const done = () => {
          channel.removeEventListener('bufferedamountlow', done);
          channel.removeEventListener('close', done);
          resolve();
        };
        channel.addEventListener('bufferedamountlow', done);
        channel.addEventListener('close', done);
      });
      if (channel.readyState !== 'open') throw new PeerChatError(ErrorType.notConnected, `The file channel to ${this.peerId} closed`, this.peerId);
    }
    channel.send(frame);
  }

  close(): void {
    this.connection.close();
    this.#handleClose();
  }

  #openBulkChannel(): void {
    const peerConnection = this.connection.peerConnection;
    if (!this.speaksProtocol || !peerConnection || this.#bulk) return;
    // Pre-negotiated: both sides create it with the same id, no signaling round trip needed;
    // it opens with the connection's SCTP association.
    // Lowest priority, where the browser supports it: SCTP then sends chat frames first.
    const init = { negotiated: true, id: BULK.channelId, ordered: true, priority: 'very-low' } as RTCDataChannelInit;
    const channel = peerConnection.createDataChannel('peer-chat-bulk', init);
    channel.binaryType = 'arraybuffer';
    channel.bufferedAmountLowThreshold = BULK.lowWaterMark;
    channel.onmessage = (event) => this.#current?.onBulk(event.data);
    this.#bulk = channel;
  }

  #handleClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#bulk?.close();
    this.#current?.onClose();
  }
}

function fingerprintIn(sdp: string | undefined): string | null {
  const match = sdp?.match(/^a=fingerprint:(\S+) ([0-9A-Fa-f:]+)\s*$/m);
  return match ? `${match[1].toLowerCase()} ${match[2].toUpperCase()}` : null;
}

/** Registration with the signaling server and the connections made through it. */
export class Transport implements Signaling {
  #peer: Peer | null = null;
  #state: SignalingState = SignalingState.closed;
  #reconnectAttempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #pendingDials = new Map<string, (error: PeerChatError) => void>();
  /** Our links, by their PeerJS connection: the messages of the signaling server name only that. */
  readonly #links = new WeakMap<DataConnection, Link>();
  #stopped = false;
  #registeredId = '';
  /** The ICE servers new connections get; `setIceServers` brings fresh TURN credentials. */
  #iceServers: RTCIceServer[];
  /**
   * One DTLS certificate for all of this session's connections, so the safety code a person
   * checked stays the same when a connection is re-established.
   */
  #certificates: RTCCertificate[] = [];

  constructor(
    private readonly options: SignalingOptions,
    private readonly listener: SignalingListener,
  ) {
    this.#iceServers = options.iceServers;
  }

  /** The registered id; kept while re-registering, as peers still know us by it. Not one asked for and not registered yet: it may be another's. */
  get peerId(): string {
    return this.#registeredId;
  }

  get signalingState(): SignalingState {
    return this.#state;
  }

  get certificate(): RTCCertificate | null {
    return this.#certificates[0] ?? null;
  }

  start(): void {
    this.#stopped = false;
    this.#setState(SignalingState.connecting);
    const stored = this.options.certificate;
    // A stored certificate (persist) keeps the fingerprint, so the safety codes survive a reload.
    // Not one about to expire: a connection made with an expired one fails, and a page may stay open for a day.
    const certificate = stored && stored.expires > Date.now() + 864e5 ? Promise.resolve(stored) : RTCPeerConnection.generateCertificate({ name: 'ECDSA', namedCurve: 'P-256' } as EcKeyGenParams);
    certificate
      .then((certificate) => (this.#certificates = [certificate]))
      .catch(() => {}) // The browser then makes one per connection; codes change on reconnection.
      .finally(() => {
        if (!this.#stopped) this.#createPeer(this.options.peerId);
      });
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#reconnectTimer);
    this.#peer?.destroy();
    this.#peer = null;
    this.#setState(SignalingState.closed);
  }

  setIceServers(iceServers: RTCIceServer[]): void {
    this.#iceServers = iceServers;
    // PeerJS hands `options.config` to each new RTCPeerConnection: no need to register again.
    if (this.#peer) this.#peer.options.config = this.#rtcConfig();
  }

  #rtcConfig(): RTCConfiguration {
    return { iceServers: this.#iceServers, iceTransportPolicy: this.options.iceTransportPolicy, certificates: this.#certificates };
  }

  /** Opens a data connection to `remoteId`; resolves when it is open. */
  dial(remoteId: string, timeoutMs: number): Promise<Link> {
    const peer = this.#peer;
    if (!peer || this.#state !== SignalingState.open) {
      return Promise.reject(new PeerChatError(ErrorType.signaling, 'Not registered with the signaling server', remoteId));
    }
    return new Promise<Link>((resolve, reject) => {
      const connection = peer.connect(remoteId, { serialization: 'raw', reliable: true, metadata: this.options.metadata });
      const link = this.#linkFor(connection);
      const peerConnection = connection.peerConnection;
      const diagnosis = peerConnection ? new IceDiagnosis(peerConnection, this.#iceServers) : null;
      let settled = false;
      const settle = (error: PeerChatError | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (this.#pendingDials.get(remoteId) === settle) this.#pendingDials.delete(remoteId);
        link.listener = null;
        if (!error) return resolve(link);
        connection.close();
        reject(error);
      };
      /**
       * Fails the dial: when the peer answered and ICE found no route between us, with a
       * connection error that says why (once its words are loaded; `otherwise` if they fail to).
       */
      const fail = (noRoute: boolean, otherwise: PeerChatError) => {
        if (!noRoute || !diagnosis || !peerConnection?.remoteDescription) return settle(otherwise);
        diagnosis.explain(remoteId).then(
          (why) => settle(new PeerChatError(ErrorType.connection, why, remoteId)),
          () => settle(otherwise),
        );
      };
      const timer = setTimeout(
        () => fail(true, new PeerChatError(ErrorType.timeout, `No answer from peer ${remoteId} within ${Math.round(timeoutMs / 1000)} s`, remoteId)),
        timeoutMs,
      );
      this.#pendingDials.set(remoteId, settle);
      link.listener = {
        onOpen: () => settle(null),
        // PeerJS closes the connection when ICE fails: all candidate pairs tried, none worked.
        onClose: () => fail(!!diagnosis?.iceFailed, new PeerChatError(ErrorType.connection, `The connection to ${remoteId} closed before it opened`, remoteId)),
        onControl: () => {},
        onBulk: () => {},
      };
    });
  }

  #createPeer(id: string): void {
    const { host, port, path, key, secure } = this.options;
    const peer = new Peer(id, { host, port, path, key, secure, config: this.#rtcConfig(), debug: 0 });
    this.#peer = peer;
    peer.on('open', (registeredId) => {
      this.#registeredId = registeredId;
      this.#reconnectAttempt = 0;
      this.#setState(SignalingState.open);
      this.listener.onRegistered(registeredId);
    });
    peer.on('connection', (connection) => this.listener.onIncoming(this.#linkFor(connection)));
    const { socket } = peer;
    // PeerJS sends the answer to a connection itself: ours carries our `hello` too.
    const send = socket.send.bind(socket);
    socket.send = (message: SignalingMessage) => send(message.type === 'ANSWER' ? this.#withHello(peer, message) : message);
    socket.on('message', (message: SignalingMessage) => {
      // The server answers a dial to an id nobody holds with EXPIRE naming that id: read it
      // there, not out of the English text of PeerJS's error.
      if (message.type === 'EXPIRE' && message.src) this.#unknownPeer(message.src);
      const link = message.type === 'ANSWER' && this.#linkOf(peer, message.src, message.payload);
      if (link) link.relayedHello = message.payload?.hello;
    });
    peer.on('disconnected', () => this.#scheduleReconnect());
    peer.on('close', () => {
      // PeerJS destroys a peer that never registered; start over unless we were stopped.
      if (this.#peer === peer) this.#scheduleReconnect();
    });
    peer.on('error', (error) => this.#handleError(error as PeerError<string>));
  }

  /** A new link over `connection`, known to the signaling messages that name it (see `#linkOf`). */
  #linkFor(connection: DataConnection): Link {
    const link = new Link(connection);
    this.#links.set(connection, link);
    return link;
  }

  #linkOf(peer: Peer, remoteId: string, payload: SignalingMessage['payload']): Link | undefined {
    const connection = peer.getConnection(remoteId, payload?.connectionId ?? '');
    return connection ? this.#links.get(connection as DataConnection) : undefined;
  }

  /**
   * Our answer, with our `hello` in its payload: our control channel opens only once the
   * dialer's request to open it arrives, and our `hello` on it reaches the dialer half a round
   * trip after that; with the answer, the dialer has it when its own channel opens.
   */
  #withHello(peer: Peer, answer: SignalingMessage): SignalingMessage {
    const hello = this.#linkOf(peer, answer.dst, answer.payload)?.answerHello;
    return hello ? { ...answer, payload: { ...answer.payload, hello } } : answer;
  }

  #handleError(error: PeerError<string>): void {
    const message = String(error.message ?? error);
    switch (error.type) {
      case 'peer-unavailable':
        return; // Handled from the server's EXPIRE message, with the peer's id (see createPeer).
      case 'unavailable-id':
        this.listener.onError({ type: ErrorType.idTaken, message });
        return;
      case 'invalid-id':
        this.#stopped = true;
        this.listener.onError({ type: ErrorType.invalidAttribute, message: `peer-id: ${message}` });
        return;
      case 'invalid-key':
        this.listener.onError({ type: ErrorType.invalidAttribute, message: `key: ${message}` });
        return;
      case 'network':
      case 'socket-error':
      case 'socket-closed':
      case 'server-error':
        // Loss of the server is reported once, as a state; the retry loop handles the rest.
        if (this.#state === SignalingState.open || this.#state === SignalingState.connecting) {
          this.listener.onError({ type: ErrorType.signaling, message: `Signaling server: ${message}` });
        }
        return;
      default:
        // Every other PeerJS error (webrtc, browser-incompatible, ...) is about making connections.
        this.listener.onError({ type: ErrorType.connection, message });
    }
  }

  #unknownPeer(remoteId: string): void {
    // Not ours to tell when no dial waits: the server also expires our answer to a dialer that left.
    this.#pendingDials.get(remoteId)?.(new PeerChatError(ErrorType.unknownPeer, `No peer with id "${remoteId}" is registered`, remoteId));
  }

  #scheduleReconnect(): void {
    if (this.#stopped || !this.#peer) return;
    this.#setState(SignalingState.reconnecting);
    clearTimeout(this.#reconnectTimer);
    const delay = RECONNECT_DELAYS_MS[Math.min(this.#reconnectAttempt, RECONNECT_DELAYS_MS.length - 1)];
    this.#reconnectAttempt++;
    this.#reconnectTimer = setTimeout(() => this.#reconnect(), delay);
  }

  #reconnect(): void {
    const peer = this.#peer;
    if (this.#stopped || !peer) return;
    if (peer.destroyed) {
      // Never registered: a fresh Peer, with the id we asked for (or a new one from the server).
      this.#createPeer(this.options.peerId);
    } else if (peer.disconnected) {
      // Registered before: PeerJS re-registers with the same id and token; connections stay up.
      peer.reconnect();
    }
  }

  #setState(state: SignalingState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.listener.onSignalingState(state);
  }
}
