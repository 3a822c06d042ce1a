/**
 * An in-memory network for engine unit tests: a fake signaling server where engines register,
 * and links whose frames arrive on the other side a microtask later. Tests can cut links,
 * make dials hang or fail, and hold back a side's frames to fake silence.
 */
import { ErrorType, PeerChatError } from '../../src/errors.js';
import type { Link, LinkListener, Signaling, SignalingListener, SignalingOptions } from '../../src/engine/link.js';
import { SignalingState, type Route } from '../../src/engine/types.js';

export class FakeLink implements Link {
  /** Frames that arrived before anyone listened (the network takes longer than that in life). */
  private readonly inbox: Array<(listener: LinkListener) => void> = [];
  private current: LinkListener | null = null;
  other!: FakeLink;
  open = false;
  /** Frames this side sent, in order (control frames as strings). */
  readonly sent: string[] = [];
  /** When true, nothing this side sends arrives (a frozen peer, a black hole). */
  mute = false;
  speaksProtocol = true;
  chunkSize = 16 * 1024;
  /** Set by a test; `switchRoute` changes it on an open link. */
  route: Route | null = null;
  relayedHello?: unknown;

  constructor(
    readonly peerId: string,
    readonly metadata: unknown,
    /** The same at both ends of a pair, as the real one (derived from both certificates). */
    readonly safetyCode: string,
    /** This side answered the dial. */
    private readonly answering: boolean,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  get listener(): LinkListener | null {
    return this.current;
  }

  set listener(listener: LinkListener | null) {
    this.current = listener;
    // Later, as the network would: the new listener's owner finishes setting up first.
    queueMicrotask(() => {
      while (this.current && this.inbox.length > 0) this.inbox.shift()!(this.current);
    });
  }

  /** Hands data to this side's listener, or keeps it until there is one. */
  private arrive(deliver: (listener: LinkListener) => void): void {
    if (!this.open) return;
    if (this.current) deliver(this.current);
    else this.inbox.push(deliver);
  }

  /** As the signaling server relays the answer: the dialing side has our `hello` when its link opens. */
  set answerHello(frame: string | undefined) {
    if (this.answering) this.other.relayedHello = frame;
  }

  get answerHello(): string | undefined {
    return this.answering ? (this.other.relayedHello as string | undefined) : undefined;
  }

  sendControl(frame: string): void {
    if (!this.open) throw new PeerChatError(ErrorType.notConnected, `Not connected to ${this.peerId}`, this.peerId);
    this.sent.push(frame);
    if (!this.mute) queueMicrotask(() => this.other.arrive((listener) => listener.onControl(frame)));
  }

  async sendBulk(frame: ArrayBuffer): Promise<void> {
    if (!this.open) throw new PeerChatError(ErrorType.notConnected, `Not connected to ${this.peerId}`, this.peerId);
    // A copy, as a data channel sends: the sender may reuse the frame.
    const sent = frame.slice(0);
    if (!this.mute) queueMicrotask(() => this.other.arrive((listener) => listener.onBulk(sent)));
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.listener?.onClose();
    queueMicrotask(() => this.other.cut());
  }

  /** The browser switched candidate pairs under this side. */
  switchRoute(route: Route): void {
    this.route = route;
    this.listener?.onRouteChange?.();
  }

  /** The connection broke under this side. */
  cut(): void {
    if (!this.open) return;
    this.open = false;
    this.listener?.onClose();
  }
}

/** A link pair between two peers; `dialer` is the side that called. */
function linkPair(dialerId: string, answererId: string, metadata: unknown): [FakeLink, FakeLink] {
  const safetyCode = `code of ${[dialerId, answererId].sort().join(' and ')}`;
  const dialer = new FakeLink(answererId, undefined, safetyCode, false);
  const answerer = new FakeLink(dialerId, metadata, safetyCode, true);
  dialer.other = answerer;
  answerer.other = dialer;
  return [dialer, answerer];
}

export class FakeNetwork {
  readonly registered = new Map<string, FakeSignaling>();
  readonly links: FakeLink[] = [];
  /** Dials so far, by caller and callee. */
  readonly dials: Array<{ from: string; to: string }> = [];
  /** The route new links take. */
  route: Route | null = null;
  /** The ICE servers each engine's signaling had when it last dialed, by engine id. */
  readonly iceServersAtDial = new Map<string, RTCIceServer[][]>();
  /** When set, decides each dial: 'hang' never answers, an Error rejects it, a promise delays it (rejecting fails it). */
  dialHook: ((from: string, to: string) => 'hang' | Error | Promise<void> | void) | null = null;
  /** When set, a link opens only once it resolves, after the side called has taken it (ICE and DTLS taking their time). */
  opening: Promise<void> | null = null;
  private nextId = 1;

  create = (options: SignalingOptions, listener: SignalingListener): FakeSignaling => new FakeSignaling(this, options, listener, options.peerId || `peer${this.nextId++}`);

  /** The connections between `a` and `b` break under both ends. */
  cut(a: string, b: string): void {
    for (const link of this.between(a, b)) link.cut();
  }

  /** Every link between `a` and `b`, both ends. */
  between(a: string, b: string): FakeLink[] {
    return this.links.filter((link) => (link.peerId === a && link.other.peerId === b) || (link.peerId === b && link.other.peerId === a));
  }
}

/**
 * A registered endpoint the test speaks for by hand: it gets the far end of every link to it.
 * `relayedHello`: what it answers dials with, as the signaling server relays it (see `Link.relayedHello`).
 */
export function handPeer(network: FakeNetwork, id: string, { relayedHello }: { relayedHello?: string } = {}): FakeLink[] {
  const links: FakeLink[] = [];
  handSignaling(network, id, (link) => {
    if (relayedHello !== undefined) link.answerHello = relayedHello;
    links.push(link as FakeLink);
  });
  return links;
}

/** The signaling of an endpoint the test speaks for by hand, registered as `id`: it can dial too. */
export function handSignaling(network: FakeNetwork, id: string, onIncoming: (link: Link) => void = () => {}): FakeSignaling {
  const ignore = () => {};
  const options = { host: '', port: 0, path: '', key: '', secure: false, peerId: id, iceServers: [], iceServersUrl: '', iceTransportPolicy: 'all' as const, metadata: {} };
  const signaling = new FakeSignaling(network, options, { onRegistered: ignore, onSignalingState: ignore, onError: ignore, onIncoming }, id);
  signaling.start();
  return signaling;
}

export class FakeSignaling implements Signaling {
  signalingState: SignalingState = SignalingState.closed;
  peerId = '';
  private iceServers: RTCIceServer[];

  constructor(
    private readonly network: FakeNetwork,
    private readonly options: SignalingOptions,
    readonly listener: SignalingListener,
    private readonly id: string,
  ) {
    this.iceServers = options.iceServers;
  }

  setIceServers(iceServers: RTCIceServer[]): void {
    this.iceServers = iceServers;
  }

  start(): void {
    this.signalingState = SignalingState.open;
    this.peerId = this.id;
    this.network.registered.set(this.id, this);
    queueMicrotask(() => {
      this.listener.onSignalingState(SignalingState.open);
      this.listener.onRegistered(this.id);
    });
  }

  stop(): void {
    this.signalingState = SignalingState.closed;
    if (this.network.registered.get(this.id) === this) this.network.registered.delete(this.id);
  }

  dial(remoteId: string): Promise<Link> {
    this.network.dials.push({ from: this.id, to: remoteId });
    this.network.iceServersAtDial.set(this.id, [...(this.network.iceServersAtDial.get(this.id) ?? []), this.iceServers]);
    const decision = this.network.dialHook?.(this.id, remoteId);
    if (decision === 'hang') return new Promise<Link>(() => {});
    if (decision instanceof Error) return Promise.reject(decision);
    if (decision instanceof Promise) return decision.then(() => this.answer(remoteId));
    return this.answer(remoteId);
  }

  private answer(remoteId: string): Promise<Link> {
    const remote = this.network.registered.get(remoteId);
    if (!remote) return Promise.reject(new PeerChatError(ErrorType.unknownPeer, `No peer with id "${remoteId}" is registered`, remoteId));
    const [ours, theirs] = linkPair(this.id, remoteId, this.options.metadata);
    ours.route = theirs.route = this.network.route;
    this.network.links.push(ours, theirs);
    remote.listener.onIncoming(theirs);
    return (this.network.opening ?? Promise.resolve()).then(() => {
      ours.open = true;
      theirs.open = true;
      theirs.listener?.onOpen();
      return ours;
    });
  }
}
