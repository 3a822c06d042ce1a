/**
 * The reactive controller behind `<peer-chat>`: it owns the transport, speaks the protocol
 * with every peer, keeps the chat history, delivers messages exactly once and in order
 * across reconnections, hands file transfers to `Transfers`, and fires the element's events.
 * The element only renders this state and forwards the person's actions.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { firePeerChatEvent, type PeerChatEventDetails } from '../events.js';
import { ErrorType, PeerChatError } from '../errors.js';
import { AcceptFiles, Direction, DisconnectReason, MessageStatus, PeerStatus, type ChatMessage, type PeerInfo } from '../engine/types.js';
import { LIMITS, PROTOCOL_VERSION, decodeControl, encodeControl, isTransferFrame, randomId, type ControlFrame, type HelloFrame } from '../engine/protocol.js';
import { TokenBucket } from '../engine/rate-limit.js';
import { Sha256 } from '../transfers/sha256.js';
import { Transfers, type TransferInfo } from '../transfers/registry.js';
import { Link, SignalingState, Transport, type TransportOptions } from '../transport/transport.js';

export { SignalingState, AcceptFiles, DisconnectReason, PeerStatus, type PeerInfo };

export interface ChatSettings extends Omit<TransportOptions, 'metadata'> {
  name: string;
  acceptFiles: AcceptFiles;
  maxFileSize: number;
  /** How long a dropped peer may take to come back before its queue fails, in ms. */
  reconnectTimeout: number;
}

const TIMING = {
  pingIntervalMs: 1000,
  /** A peer silent this long is gone (network cut or tab frozen): reported within 5 s. */
  silenceLimitMs: 3500,
  connectTimeoutMs: 20000,
  /** How long to wait for the `hello` that makes an open connection usable. */
  helloTimeoutMs: 10000,
  /** Re-dial delays after an unplanned drop; the last one repeats. */
  redialDelaysMs: [250, 1000, 2000, 4000],
} as const;

/** What one peer may send us, before we cut it off. */
const BUDGET = {
  frames: { capacity: 2000, perSecond: 300 },
  /** Characters of chat text: a burst of pasted text, then typing speed many times over. */
  text: { capacity: 1024 * 1024, perSecond: 64 * 1024 },
  /** Invalid frames: each is reported; a stream of them is an attack or a broken peer. */
  invalid: { capacity: 1000, perSecond: 50 },
} as const;

interface Outgoing {
  seq: number;
  message: ChatMessage;
}

interface PeerState {
  peerId: string;
  name: string;
  link: Link | null;
  /** The current link has exchanged `hello`: messages flow. */
  connected: boolean;
  /** `peer-chat-connect` fired and no `peer-chat-disconnect` since. */
  announced: boolean;
  /** In the peer list: connected, or dropped and being reconnected. */
  listed: boolean;
  remoteSession?: string;
  safetyCode: string;
  lastHeard: number;
  /** Sequence numbers of our messages to this peer, and the ones not yet acknowledged. */
  outSeq: number;
  unacked: Outgoing[];
  /** The last message delivered from this peer, for de-duplication after a re-send. */
  inSeq: number;
  waiters: Array<{ resolve: () => void; reject: (error: PeerChatError) => void }>;
  helloTimer?: ReturnType<typeof setTimeout>;
  redialTimer?: ReturnType<typeof setTimeout>;
  redialAttempt: number;
  giveUpTimer?: ReturnType<typeof setTimeout>;
  budget: { frames: TokenBucket; text: TokenBucket; invalid: TokenBucket };
}

export class ChatController implements ReactiveController {
  private transport: Transport | null = null;
  private settings: ChatSettings | null = null;
  /** Our session: peers tell a reloaded element from a reconnected one by it. */
  private session = randomId();
  private readonly peers = new Map<string, PeerState>();
  private readonly history: ChatMessage[] = [];
  /** Recipients of each outgoing message that have not acknowledged it / given up on it. */
  private readonly deliveries = new Map<ChatMessage, { pending: Set<string>; failed: Set<string> }>();
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  readonly transfers: Transfers;

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
    this.transfers = new Transfers({
      limits: () => ({ maxFileSize: this.settings?.maxFileSize ?? Infinity, acceptFiles: this.settings?.acceptFiles ?? AcceptFiles.ask }),
      sendFrame: (peerId, frame) => this.sendFrame(this.peers.get(peerId), frame),
      sendBulk: (peerId, frame) => {
        const link = this.peers.get(peerId)?.link;
        if (!link) return Promise.reject(new PeerChatError(ErrorType.notConnected, `Not connected to ${peerId}`, peerId));
        return link.sendBulk(frame);
      },
      chunkSize: (peerId) => this.peers.get(peerId)?.link?.chunkSize ?? 16 * 1024,
      displayName: (peerId) => this.peers.get(peerId)?.name || peerId,
      fire: (name, detail) => this.fire(name, detail),
      violation: (peerId, message) => this.violation(this.peers.get(peerId), message),
      changed: () => this.host.requestUpdate(),
    });
  }

  get peerId(): string {
    return this.transport?.peerId ?? '';
  }

  get signalingState(): SignalingState {
    return this.transport?.signalingState ?? SignalingState.closed;
  }

  /** Peers connected now, or being reconnected after a drop. */
  get peerList(): PeerInfo[] {
    return [...this.peers.values()]
      .filter((state) => state.listed)
      .map(({ peerId, name, connected, safetyCode }) => ({ peerId, name, safetyCode, status: connected ? PeerStatus.connected : PeerStatus.reconnecting }));
  }

  get connectedPeers(): PeerInfo[] {
    return this.peerList.filter((peer) => peer.status === PeerStatus.connected);
  }

  get messages(): readonly ChatMessage[] {
    return this.history;
  }

  get transferList(): readonly TransferInfo[] {
    return this.transfers.list;
  }

  hostDisconnected(): void {
    this.stop();
  }

  /** (Re)starts with new settings: a new registration and session; connections are dropped. */
  start(settings: ChatSettings): void {
    this.stop();
    this.settings = settings;
    this.session = randomId();
    this.transport = new Transport(
      { ...settings, metadata: { peerChat: PROTOCOL_VERSION, name: settings.name } },
      {
        onRegistered: (peerId) => {
          this.host.requestUpdate();
          this.fire('peer-chat-ready', { peerId });
        },
        onSignalingState: (state) => {
          this.host.requestUpdate();
          this.fire('peer-chat-signaling', { state });
        },
        onIncoming: (link) => this.adopt(link),
        onError: (error) => this.fire('peer-chat-error', error),
      },
    );
    this.transport.start();
    this.pingTimer = setInterval(() => this.checkLiveness(), TIMING.pingIntervalMs);
  }

  /** Applies settings that need no new registration. */
  update(settings: Pick<ChatSettings, 'name' | 'acceptFiles' | 'maxFileSize' | 'reconnectTimeout'>): void {
    if (this.settings) Object.assign(this.settings, settings);
  }

  stop(): void {
    clearInterval(this.pingTimer);
    for (const state of [...this.peers.values()]) this.end(state, DisconnectReason.local);
    this.transport?.stop();
    this.transport = null;
  }

  async connect(remoteId: string): Promise<void> {
    const id = String(remoteId ?? '').trim();
    if (!id) throw this.report(new PeerChatError(ErrorType.unknownPeer, 'Enter the id of the peer to connect to'));
    if (id === this.peerId) throw this.report(new PeerChatError(ErrorType.unknownPeer, 'That is your own id: enter the id of another peer', id));
    if (!this.transport) throw this.report(new PeerChatError(ErrorType.signaling, 'The element is not started', id));
    const state = this.peers.get(id);
    if (state?.connected) return;
    const ready = new Promise<void>((resolve, reject) => this.stateFor(id).waiters.push({ resolve, reject }));
    ready.catch(() => {}); // Awaited below; when dialing fails, the dial's error is the one thrown.
    if (!state?.link) {
      try {
        this.adopt(await this.transport.dial(id, TIMING.connectTimeoutMs));
      } catch (error) {
        const typed = error instanceof PeerChatError ? error : new PeerChatError(ErrorType.connection, String(error), id);
        const waiting = this.peers.get(id);
        if (waiting && !waiting.link && !waiting.listed) this.forget(waiting, typed);
        throw this.report(typed);
      }
    }
    await ready;
  }

  disconnect(remoteId?: string): void {
    const targets = remoteId === undefined ? [...this.peers.values()] : [this.peers.get(remoteId)].filter((state) => !!state);
    for (const state of targets) {
      this.sendFrame(state, { t: 'bye' });
      this.end(state, DisconnectReason.local);
    }
  }

  /**
   * Sends a chat message to one peer, or to every peer. A peer that dropped and is being
   * reconnected gets it when it is back; until every recipient acknowledges it, it is pending.
   */
  send(text: string, to?: string): ChatMessage {
    const body = String(text ?? '');
    if (!body.trim()) throw this.report(new PeerChatError(ErrorType.protocol, 'The message is empty'));
    if (body.length > LIMITS.maxTextLength) {
      throw this.report(new PeerChatError(ErrorType.protocol, `The message is ${body.length} characters long; the limit is ${LIMITS.maxTextLength}`));
    }
    const targets = this.recipients(to);
    const message: ChatMessage = { id: randomId(), from: this.peerId, text: body, time: Date.now(), direction: Direction.out };
    const delivery = { pending: new Set<string>(), failed: new Set<string>() };
    for (const state of targets) {
      if (state.link && !state.link.speaksProtocol) {
        state.link.sendControl(body); // A plain PeerJS app: no acknowledgements to wait for.
        continue;
      }
      const outgoing = { seq: ++state.outSeq, message };
      state.unacked.push(outgoing);
      delivery.pending.add(state.peerId);
      if (state.connected) this.sendMessage(state, outgoing);
    }
    this.deliveries.set(message, delivery);
    this.updateStatus(message);
    this.record(message);
    return message;
  }

  /** Offers `file` to one peer or to all; resolves when every receiver holds every byte. */
  async sendFile(file: File, to?: string): Promise<void> {
    if (!(file instanceof Blob)) throw this.report(new PeerChatError(ErrorType.transfer, 'sendFile needs a File'));
    const maxFileSize = this.settings?.maxFileSize ?? Infinity;
    if (file.size > maxFileSize) {
      throw this.report(new PeerChatError(ErrorType.fileTooLarge, `"${file.name}" is ${file.size} bytes; the limit is ${maxFileSize} bytes`));
    }
    const targets = this.recipients(to).filter((state) => {
      if (!state.link || state.link.speaksProtocol) return true;
      this.fire('peer-chat-error', { type: ErrorType.transfer, message: `${state.peerId} cannot receive files`, peerId: state.peerId });
      return false;
    });
    if (targets.length === 0) throw this.report(new PeerChatError(ErrorType.notConnected, 'No connected peer can receive files'));
    const results = await Promise.allSettled(targets.map((state) => this.transfers.send(file, state.peerId)));
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw (failure as PromiseRejectedResult).reason;
  }

  // ---- connections --------------------------------------------------------------------

  private stateFor(peerId: string): PeerState {
    let state = this.peers.get(peerId);
    if (!state) {
      state = {
        peerId,
        name: '',
        link: null,
        connected: false,
        announced: false,
        listed: false,
        safetyCode: '',
        lastHeard: Date.now(),
        outSeq: 0,
        unacked: [],
        inSeq: 0,
        waiters: [],
        redialAttempt: 0,
        budget: {
          frames: new TokenBucket(BUDGET.frames.capacity, BUDGET.frames.perSecond),
          text: new TokenBucket(BUDGET.text.capacity, BUDGET.text.perSecond),
          invalid: new TokenBucket(BUDGET.invalid.capacity, BUDGET.invalid.perSecond),
        },
      };
      this.peers.set(peerId, state);
    }
    return state;
  }

  private adopt(link: Link): void {
    const state = this.stateFor(link.peerId);
    // A newer connection from the same peer (it reconnected, or both dialed) replaces the old one.
    if (state.link && state.link !== link) {
      state.link.listener = null;
      state.link.close();
      state.connected = false;
    }
    const metadata = link.metadata as { name?: unknown } | undefined;
    if (typeof metadata?.name === 'string' && !state.name) state.name = metadata.name.slice(0, LIMITS.maxNameLength);
    state.link = link;
    state.lastHeard = Date.now();
    link.listener = {
      onOpen: () => this.handleOpen(state, link),
      onControl: (data) => this.handleControl(state, link, data),
      onBulk: (data) => {
        if (state.link !== link) return;
        state.lastHeard = Date.now();
        this.transfers.handleChunk(state.peerId, data);
      },
      onClose: () => {
        if (state.link === link) this.lost(state, DisconnectReason.closed);
      },
    };
    if (link.isOpen) this.handleOpen(state, link);
  }

  private handleOpen(state: PeerState, link: Link): void {
    state.lastHeard = Date.now();
    if (!link.speaksProtocol) return this.markConnected(state);
    this.sendFrame(state, { t: 'hello', v: PROTOCOL_VERSION, name: this.settings?.name ?? '', session: this.session });
    clearTimeout(state.helloTimer);
    state.helloTimer = setTimeout(() => {
      // Open but silent: a plain PeerJS app that dialed with our serialization, or a broken peer.
      if (state.link === link && !state.connected) this.lost(state, DisconnectReason.timeout);
    }, TIMING.helloTimeoutMs);
  }

  private handleHello(state: PeerState, frame: HelloFrame): void {
    clearTimeout(state.helloTimer);
    if (state.remoteSession && state.remoteSession !== frame.session) {
      // The peer reloaded: a new element with the same id. Its old transfers are gone, and
      // our unacknowledged messages are numbered afresh for it.
      this.transfers.abandon(state.peerId, 'The peer restarted');
      state.inSeq = 0;
      state.outSeq = 0;
      for (const outgoing of state.unacked) outgoing.seq = ++state.outSeq;
    }
    state.remoteSession = frame.session;
    state.name = frame.name;
    state.safetyCode = state.link ? safetyCode(state.link) : '';
    this.markConnected(state);
    // Catch up: re-send what was not acknowledged (the peer drops duplicates), resume files.
    for (const outgoing of state.unacked) this.sendMessage(state, outgoing);
    this.transfers.resume(state.peerId);
  }

  private markConnected(state: PeerState): void {
    if (state.connected) return;
    state.connected = true;
    state.redialAttempt = 0;
    clearTimeout(state.redialTimer);
    clearTimeout(state.giveUpTimer);
    state.listed = true;
    this.host.requestUpdate();
    if (!state.announced) {
      state.announced = true;
      this.fire('peer-chat-connect', {
        peerId: state.peerId,
        ...(state.name ? { name: state.name } : {}),
        ...(state.safetyCode ? { safetyCode: state.safetyCode } : {}),
      });
    }
    for (const waiter of state.waiters.splice(0)) waiter.resolve();
  }

  /** The link dropped without a goodbye: keep the peer's queue and try to get it back. */
  private lost(state: PeerState, reason: DisconnectReason): void {
    const link = state.link;
    if (link) {
      link.listener = null;
      link.close();
    }
    state.link = null;
    state.connected = false;
    clearTimeout(state.helloTimer);
    if (!state.listed) {
      // Never got going: nothing to resume.
      return this.forget(state, new PeerChatError(ErrorType.connection, `The connection to ${state.peerId} failed`, state.peerId));
    }
    // Still listed, as reconnecting, until it is back or we give up.
    this.transfers.pause(state.peerId);
    this.host.requestUpdate();
    if (state.announced) {
      state.announced = false;
      this.fire('peer-chat-disconnect', { peerId: state.peerId, reason });
    }
    this.scheduleRedial(state);
    clearTimeout(state.giveUpTimer);
    state.giveUpTimer = setTimeout(() => this.end(state, reason, 'The peer did not come back'), this.settings?.reconnectTimeout ?? 60_000);
  }

  /**
   * Re-dials a dropped peer with backoff. Only the side with the smaller id dials, so that
   * the two sides do not cross connections; the other waits for it.
   */
  private scheduleRedial(state: PeerState): void {
    clearTimeout(state.redialTimer);
    if (!(this.peerId < state.peerId)) return;
    const delay = TIMING.redialDelaysMs[Math.min(state.redialAttempt, TIMING.redialDelaysMs.length - 1)];
    state.redialAttempt++;
    state.redialTimer = setTimeout(async () => {
      if (this.peers.get(state.peerId) !== state || state.link || !this.transport) return;
      try {
        if (this.transport.signalingState !== SignalingState.open) throw new Error('signaling is down');
        this.adopt(await this.transport.dial(state.peerId, TIMING.connectTimeoutMs));
      } catch {
        if (this.peers.get(state.peerId) === state && !state.link) this.scheduleRedial(state);
      }
    }, delay);
  }

  /** The peer is gone for good: fail what is queued for it and forget it. */
  private end(state: PeerState, reason: DisconnectReason, why = reason === DisconnectReason.local ? 'Disconnected' : 'The peer left'): void {
    if (this.peers.get(state.peerId) !== state) return;
    if (state.link) {
      state.link.listener = null;
      state.link.close();
      state.link = null;
    }
    const wasAnnounced = state.announced;
    state.connected = false;
    state.announced = false;
    state.listed = false;
    this.transfers.abandon(state.peerId, why);
    for (const { message } of state.unacked) this.undeliverable(message, state.peerId, why);
    state.unacked = [];
    this.forget(state, new PeerChatError(ErrorType.connection, `${why}: ${state.peerId}`, state.peerId));
    if (wasAnnounced) this.fire('peer-chat-disconnect', { peerId: state.peerId, reason });
  }

  /** Drops all state about a peer; `connect()` calls still waiting for it fail with `error`. */
  private forget(state: PeerState, error: PeerChatError): void {
    for (const waiter of state.waiters.splice(0)) waiter.reject(error);
    clearTimeout(state.helloTimer);
    clearTimeout(state.redialTimer);
    clearTimeout(state.giveUpTimer);
    if (this.peers.get(state.peerId) === state) this.peers.delete(state.peerId);
    this.host.requestUpdate();
  }

  private checkLiveness(): void {
    const now = Date.now();
    for (const state of [...this.peers.values()]) {
      if (!state.link?.isOpen || !state.link.speaksProtocol) continue;
      if (now - state.lastHeard > TIMING.silenceLimitMs) {
        this.lost(state, DisconnectReason.timeout);
        continue;
      }
      this.sendFrame(state, { t: 'ping' });
    }
  }

  private recipients(to?: string): PeerState[] {
    const reachable = (state: PeerState | undefined): state is PeerState => !!state && state.listed;
    if (to !== undefined) {
      const state = this.peers.get(to);
      if (!reachable(state)) throw this.report(new PeerChatError(ErrorType.notConnected, `Not connected to ${to}`, to));
      return [state];
    }
    const all = [...this.peers.values()].filter(reachable);
    if (all.length === 0) throw this.report(new PeerChatError(ErrorType.notConnected, 'Not connected to any peer'));
    return all;
  }

  // ---- incoming frames -----------------------------------------------------------------

  private handleControl(state: PeerState, link: Link, data: unknown): void {
    if (state.link !== link) return;
    state.lastHeard = Date.now();
    if (!state.budget.frames.take()) return this.cutOff(state, 'sent too many frames (flooding)');
    const peerId = state.peerId;
    if (!link.speaksProtocol) {
      // A plain PeerJS app: strings are chat messages, anything else is not understood.
      if (typeof data === 'string' && data.length <= LIMITS.maxTextLength) {
        if (!state.budget.text.take(data.length)) return this.cutOff(state, 'sent too much text (flooding)');
        this.record({ id: randomId(), from: peerId, text: data, time: Date.now(), direction: Direction.in });
      } else {
        this.violation(state, `Unsupported data from ${peerId}`);
      }
      return;
    }
    const decoded = decodeControl(data);
    if (!decoded.ok) return this.violation(state, `Bad frame from ${peerId}: ${decoded.error}`);
    const frame = decoded.value;
    if (!state.connected && frame.t !== 'hello' && frame.t !== 'bye' && frame.t !== 'ping') {
      return this.violation(state, `${peerId} sent "${frame.t}" before "hello"`);
    }
    this.handleFrame(state, frame);
  }

  private handleFrame(state: PeerState, frame: ControlFrame): void {
    const peerId = state.peerId;
    if (isTransferFrame(frame)) return this.transfers.handleFrame(peerId, frame);
    switch (frame.t) {
      case 'hello':
        return this.handleHello(state, frame);
      case 'bye':
        return this.end(state, DisconnectReason.left);
      case 'ping':
        return;
      case 'msg': {
        if (!state.budget.text.take(frame.text.length)) return this.cutOff(state, 'sent too much text (flooding)');
        if (frame.seq <= state.inSeq) {
          // A re-send of something we have: acknowledge again, show once.
          this.sendFrame(state, { t: 'ack', seq: state.inSeq });
          return;
        }
        if (frame.seq !== state.inSeq + 1) return this.violation(state, `${peerId} skipped messages (got ${frame.seq} after ${state.inSeq})`);
        state.inSeq = frame.seq;
        this.sendFrame(state, { t: 'ack', seq: frame.seq });
        this.record({ id: frame.id, from: peerId, text: frame.text, time: frame.time, direction: Direction.in });
        return;
      }
      case 'ack': {
        if (frame.seq > state.outSeq) return this.violation(state, `${peerId} acknowledged a message never sent`);
        while (state.unacked.length > 0 && state.unacked[0].seq <= frame.seq) this.delivered(state.unacked.shift()!.message, peerId);
        return;
      }
      case 'offer':
        return this.transfers.receiveOffer(peerId, frame);
    }
  }

  /** One invalid frame: one `peer-chat-error`. A stream of them gets the peer cut off. */
  private violation(state: PeerState | undefined, message: string): void {
    if (!state) return;
    this.fire('peer-chat-error', { type: ErrorType.protocol, message, peerId: state.peerId });
    if (!state.budget.invalid.take()) this.cutOff(state, 'sent too much invalid data');
  }

  private cutOff(state: PeerState, why: string): void {
    if (this.peers.get(state.peerId) !== state) return;
    this.fire('peer-chat-error', { type: ErrorType.protocol, message: `Disconnected ${state.peerId}: it ${why}`, peerId: state.peerId });
    this.end(state, DisconnectReason.protocol, `Cut off: it ${why}`);
  }

  // ---- message delivery ------------------------------------------------------------------

  private sendMessage(state: PeerState, { seq, message }: Outgoing): void {
    this.sendFrame(state, { t: 'msg', id: message.id, text: message.text, time: message.time, seq });
  }

  private delivered(message: ChatMessage, peerId: string): void {
    this.deliveries.get(message)?.pending.delete(peerId);
    this.updateStatus(message);
  }

  private undeliverable(message: ChatMessage, peerId: string, why: string): void {
    const delivery = this.deliveries.get(message);
    if (!delivery?.pending.delete(peerId)) return;
    delivery.failed.add(peerId);
    this.updateStatus(message);
    this.fire('peer-chat-error', { type: ErrorType.delivery, message: `Not delivered to ${peerId}: "${message.text.slice(0, 40)}" (${why})`, peerId });
  }

  private updateStatus(message: ChatMessage): void {
    const delivery = this.deliveries.get(message);
    if (!delivery) return;
    message.status = delivery.pending.size > 0 ? MessageStatus.pending : delivery.failed.size > 0 ? MessageStatus.failed : MessageStatus.delivered;
    if (delivery.pending.size === 0) this.deliveries.delete(message);
    this.host.requestUpdate();
  }

  // ---- helpers -----------------------------------------------------------------------------

  private sendFrame(state: PeerState | undefined, frame: ControlFrame): boolean {
    const link = state?.link;
    if (!link?.isOpen) return false;
    try {
      link.sendControl(encodeControl(frame));
      return true;
    } catch (error) {
      this.fire('peer-chat-error', { type: ErrorType.connection, message: String(error), peerId: link.peerId });
      return false;
    }
  }

  private record(message: ChatMessage): void {
    this.history.push(message);
    this.host.requestUpdate();
    const { id, from, text, time, direction } = message;
    this.fire('peer-chat-message', { id, from, text, time, direction });
  }

  /** Fires `peer-chat-error` for an API failure, and returns the error for the caller to throw. */
  private report(error: PeerChatError): PeerChatError {
    this.fire('peer-chat-error', { type: error.type, message: error.message, ...(error.peerId ? { peerId: error.peerId } : {}) });
    return error;
  }

  private fire<K extends keyof PeerChatEventDetails>(name: K, detail: PeerChatEventDetails[K]): boolean {
    return firePeerChatEvent(this.host, name, detail);
  }
}

/**
 * A short code derived from both ends' DTLS fingerprints, the same on both screens: if a
 * signaling server put itself in the middle, each side would see a different fingerprint
 * for the other, and the codes would differ.
 */
function safetyCode(link: Link): string {
  const fingerprints = link.fingerprints;
  if (!fingerprints) return '';
  const digest = new Sha256().update(new TextEncoder().encode([fingerprints.local, fingerprints.remote].sort().join('\n'))).hex();
  // 40 bits as 12 decimal digits, in groups of four, easy to read aloud.
  const digits = (BigInt(`0x${digest.slice(0, 10)}`) % 10n ** 12n).toString().padStart(12, '0');
  return digits.match(/.{4}/g)!.join(' ');
}
