/**
 * The chat engine: plain TypeScript, no DOM. It registers through a {@link Signaling}, keeps a
 * {@link PeerSession} per remote peer, the conversation's history and every file transfer,
 * and tells its host what happened through `emit` (one call per event, named as the DOM
 * event it becomes) and `changed` (something visible changed). Time and ids are injected.
 */
import { ErrorType, PeerChatError } from '../errors.js';
import { openSink, storageSpace } from '../transfers/file-sink.js';
import { Transfers } from '../transfers/registry.js';
import type { Transfer } from '../transfers/transfer.js';
import type { TransferInfo } from '../transfers/types.js';
import { systemClock, type Clock, type Timer } from './clock.js';
import { DEFAULT_MAX_HISTORY, History } from './history.js';
import type { CreateSignaling, Signaling, SignalingOptions } from './link.js';
import { PeerSession, TIMING, type SessionHost } from './peer-session.js';
import { LIMITS, PROTOCOL_VERSION, randomId } from './protocol.js';
import { TypingPeers, TypingThrottle } from './typing.js';
import {
  AcceptFiles,
  Direction,
  MessageStatus,
  PeerStatus,
  SignalingState,
  type ChatMessage,
  type Emit,
  type HistoryEntry,
  type PeerInfo,
} from './types.js';

/** Settings that need a new registration when they change. */
export type ConnectionSettings = Omit<SignalingOptions, 'metadata'>;

/** Settings that apply at once. */
export interface ChatPreferences {
  name: string;
  acceptFiles: AcceptFiles;
  maxFileSize: number;
  /** How long a dropped peer may take to come back before its queue fails, in ms. */
  reconnectTimeout: number;
  /** Messages and finished transfers kept in the history. */
  maxHistory: number;
}

export type ChatSettings = ConnectionSettings & ChatPreferences;

export interface EngineOptions {
  createSignaling: CreateSignaling;
  emit: Emit;
  /** Something visible changed (peers, history, a transfer's progress). */
  changed(): void;
  /** A transfer left the history: whatever was made for its file (an object URL) can go. */
  released?(transfer: TransferInfo): void;
  clock?: Clock;
  randomId?: () => string;
  openSink?: typeof openSink;
  /** Bytes of storage the page may still fill (default: from `navigator.storage.estimate()`). */
  storageSpace?: () => Promise<number>;
}

interface Delivery {
  pending: Set<string>;
  failed: Set<string>;
  unread: Set<string>;
  unconfirmed: boolean;
}

export const DEFAULT_PREFERENCES: ChatPreferences = {
  name: '',
  acceptFiles: AcceptFiles.ask,
  maxFileSize: Infinity,
  reconnectTimeout: 60_000,
  maxHistory: DEFAULT_MAX_HISTORY,
};

export class ChatEngine {
  readonly clock: Clock;
  readonly transfers: Transfers;
  private readonly newId: () => string;
  private signaling: Signaling | null = null;
  private preferences: ChatPreferences = { ...DEFAULT_PREFERENCES };
  /** Our session: peers tell a reloaded element from a reconnected one by it. */
  private session: string;
  private readonly sessions = new Map<string, PeerSession>();
  private readonly history: History<Transfer>;
  /**
   * Recipients of each outgoing message that have not acknowledged it, that we gave up on,
   * that acknowledged it but have not seen it; `unconfirmed`: one will never say it saw it.
   */
  private readonly deliveries = new Map<ChatMessage, Delivery>();
  private readonly typingThrottle: TypingThrottle;
  private readonly typingPeers: TypingPeers;
  private ticker: Timer | null = null;
  private readonly sessionHost: SessionHost;

  constructor(private readonly options: EngineOptions) {
    this.clock = options.clock ?? systemClock;
    this.newId = options.randomId ?? randomId;
    this.typingThrottle = new TypingThrottle(this.clock);
    this.typingPeers = new TypingPeers(this.clock, () => options.changed());
    this.session = this.newId();
    this.history = new History<Transfer>(this.preferences.maxHistory, (transfer) => {
      this.transfers.forget(transfer);
      options.released?.(transfer.snapshot());
    });
    const sinks = options.openSink ?? openSink;
    const engine = this;
    this.transfers = new Transfers(
      {
        clock: this.clock,
        limits: () => this.preferences,
        sendFrame: (peerId, frame) => this.sessions.get(peerId)?.sendFrame(frame) ?? false,
        sendBulk: (peerId, frame) =>
          this.sessions.get(peerId)?.sendBulk(frame) ?? Promise.reject(new PeerChatError(ErrorType.notConnected, `Not connected to ${peerId}`, peerId)),
        chunkSize: (peerId) => this.sessions.get(peerId)?.chunkSize ?? 16 * 1024,
        displayName: (peerId) => this.sessions.get(peerId)?.name || peerId,
        emit: options.emit,
        violation: (peerId, message) => this.sessions.get(peerId)?.violation(message),
        openSink: (size) => sinks(size),
        storageSpace: options.storageSpace ?? storageSpace,
        changed: () => {
          this.history.transferFinished();
          options.changed();
        },
      },
      this.newId,
      (transfer) => this.history.addTransfer(transfer),
    );
    this.sessionHost = {
      clock: this.clock,
      transfers: this.transfers,
      get ownId() {
        return engine.peerId;
      },
      get ownSession() {
        return engine.session;
      },
      get ownName() {
        return engine.preferences.name;
      },
      get reconnectTimeoutMs() {
        return engine.preferences.reconnectTimeout;
      },
      dial: (peerId) => this.dial(peerId),
      emit: options.emit,
      changed: () => options.changed(),
      received: (message) => this.record(message),
      delivered: (message, peerId) => {
        const delivery = this.deliveries.get(message);
        if (delivery?.pending.delete(peerId)) delivery.unread.add(peerId);
        this.updateStatus(message);
      },
      read: (message, peerId) => {
        this.deliveries.get(message)?.unread.delete(peerId);
        this.updateStatus(message);
      },
      readUnconfirmed: (message, peerId) => {
        const delivery = this.deliveries.get(message);
        if (!delivery?.unread.delete(peerId)) return;
        delivery.unconfirmed = true;
        this.updateStatus(message);
      },
      typing: (peerId, typing) => (typing ? this.typingPeers.typing(peerId) : this.typingPeers.stopped(peerId)),
      undeliverable: (message, peerId, why) => this.undeliverable(message, peerId, why),
      newId: this.newId,
      removed: (session) => {
        if (this.sessions.get(session.peerId) === session) this.sessions.delete(session.peerId);
      },
    };
  }

  get peerId(): string {
    return this.signaling?.peerId ?? '';
  }

  /** Ids of the peers typing now. */
  get typing(): string[] {
    return this.typingPeers.ids;
  }

  get signalingState(): SignalingState {
    return this.signaling?.signalingState ?? SignalingState.closed;
  }

  /** Peers connected now, or being reconnected after a drop: copies. */
  get peers(): PeerInfo[] {
    return [...this.sessions.values()].filter((session) => session.isListed).map((session) => session.snapshot());
  }

  get connectedPeers(): PeerInfo[] {
    return this.peers.filter((peer) => peer.status === PeerStatus.connected);
  }

  /** The conversation in the order it happened here: copies. */
  get entries(): HistoryEntry[] {
    return this.history.all.map((entry) =>
      entry.kind === 'message' ? { kind: 'message', message: { ...entry.message } } : { kind: 'transfer', transfer: entry.transfer.snapshot() },
    );
  }

  get messages(): ChatMessage[] {
    return this.history.all.flatMap((entry) => (entry.kind === 'message' ? [{ ...entry.message }] : []));
  }

  get transferList(): TransferInfo[] {
    return this.history.all.flatMap((entry) => (entry.kind === 'transfer' ? [entry.transfer.snapshot()] : []));
  }

  /** (Re)starts with new connection settings: a new registration and session; connections are dropped. */
  start(settings: ChatSettings): void {
    this.stop();
    this.update(settings);
    this.session = this.newId();
    const { name: _name, acceptFiles: _accept, maxFileSize: _max, reconnectTimeout: _timeout, maxHistory: _history, ...connection } = settings;
    const { emit } = this.options;
    const signaling = this.options.createSignaling(
      { ...connection, metadata: { peerChat: PROTOCOL_VERSION, name: settings.name } },
      {
        onRegistered: (peerId) => {
          this.options.changed();
          emit('peer-chat-ready', { peerId });
        },
        onSignalingState: (state) => {
          this.options.changed();
          emit('peer-chat-signaling', { state });
        },
        onIncoming: (link) => this.sessionFor(link.peerId).adopt(link),
        onError: (error) => emit('peer-chat-error', error),
      },
    );
    this.signaling = signaling;
    signaling.start();
    this.scheduleTick(this.clock.now());
  }

  /** Applies settings that need no new registration. */
  update(preferences: ChatPreferences): void {
    const { name, acceptFiles, maxFileSize, reconnectTimeout, maxHistory } = preferences;
    this.preferences = { name, acceptFiles, maxFileSize, reconnectTimeout, maxHistory };
    this.history.setLimit(maxHistory);
  }

  stop(): void {
    this.ticker?.cancel();
    this.ticker = null;
    for (const session of [...this.sessions.values()]) session.end('local');
    this.signaling?.stop();
    this.signaling = null;
  }

  async connect(remoteId: string): Promise<void> {
    const id = String(remoteId ?? '').trim();
    if (!id) throw this.report(new PeerChatError(ErrorType.unknownPeer, 'Enter the id of the peer to connect to'));
    if (id === this.peerId) throw this.report(new PeerChatError(ErrorType.unknownPeer, 'That is your own id: enter the id of another peer', id));
    if (!this.signaling) throw this.report(new PeerChatError(ErrorType.signaling, 'The element is not started', id));
    try {
      await this.sessionFor(id).connect();
    } catch (error) {
      throw this.report(error instanceof PeerChatError ? error : new PeerChatError(ErrorType.connection, String(error), id));
    }
  }

  disconnect(remoteId?: string): void {
    const targets = remoteId === undefined ? [...this.sessions.values()] : [this.sessions.get(remoteId)].filter((session) => !!session);
    for (const session of targets) session.leave();
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
    const message: ChatMessage = { id: this.newId(), from: this.peerId, text: body, time: this.clock.wallTime(), direction: Direction.out };
    const delivery: Delivery = { pending: new Set(), failed: new Set(), unread: new Set(), unconfirmed: false };
    for (const session of targets) {
      if (session.send(message)) delivery.pending.add(session.peerId);
      else delivery.unconfirmed = true; // A plain-text peer sends no receipts.
    }
    this.deliveries.set(message, delivery);
    this.updateStatus(message);
    this.record(message);
    return { ...message };
  }

  /** The person is typing: tells every connected peer, at most every 2 s. */
  typed(): void {
    if (!this.typingThrottle.due()) return;
    for (const session of this.sessions.values()) session.sendTyping();
  }

  /** The person saw the message `id` from `peerId`: the peer learns it was read. */
  seen(peerId: string, id: string): void {
    this.sessions.get(peerId)?.seen(id);
  }

  /** Offers `file` to one peer or to all; resolves when every receiver holds every byte. */
  async sendFile(file: File, to?: string): Promise<void> {
    if (!(file instanceof Blob)) throw this.report(new PeerChatError(ErrorType.transfer, 'sendFile needs a File'));
    const { maxFileSize } = this.preferences;
    if (file.size > maxFileSize) {
      throw this.report(new PeerChatError(ErrorType.fileTooLarge, `"${file.name}" is ${file.size} bytes; the limit is ${maxFileSize} bytes`));
    }
    const targets = this.recipients(to).filter((session) => {
      if (session.takesFiles) return true;
      this.options.emit('peer-chat-error', { type: ErrorType.transfer, message: `${session.peerId} cannot receive files`, peerId: session.peerId });
      return false;
    });
    if (targets.length === 0) throw this.report(new PeerChatError(ErrorType.notConnected, 'No connected peer can receive files'));
    const results = await Promise.allSettled(targets.map((session) => this.transfers.send(file, session.peerId)));
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw (failure as PromiseRejectedResult).reason;
  }

  /** Forgets the messages and finished transfers (and the files they stored). */
  clearHistory(): void {
    this.history.clear();
    for (const message of [...this.deliveries.keys()]) this.deliveries.delete(message);
    this.options.changed();
  }

  // ---- internals -----------------------------------------------------------------------

  private sessionFor(peerId: string): PeerSession {
    let session = this.sessions.get(peerId);
    if (!session) {
      session = new PeerSession(this.sessionHost, peerId);
      this.sessions.set(peerId, session);
    }
    return session;
  }

  private dial(peerId: string) {
    const signaling = this.signaling;
    if (!signaling || signaling.signalingState !== SignalingState.open) {
      return Promise.reject(new PeerChatError(ErrorType.signaling, 'Not registered with the signaling server', peerId));
    }
    return signaling.dial(peerId, TIMING.connectTimeoutMs);
  }

  /**
   * Liveness, on a chain of timers measured with the monotonic clock. A tick that comes far
   * too late (a long task, a frozen tab, a suspended machine) means we were not listening,
   * not that the peers were silent.
   */
  private scheduleTick(expected: number): void {
    this.ticker = this.clock.setTimeout(() => {
      const now = this.clock.now();
      const late = now - expected > TIMING.pingIntervalMs;
      for (const session of [...this.sessions.values()]) session.tick(now, late);
      this.scheduleTick(now + TIMING.pingIntervalMs);
    }, TIMING.pingIntervalMs);
  }

  private recipients(to?: string): PeerSession[] {
    if (to !== undefined) {
      const session = this.sessions.get(to);
      if (!session?.isListed) throw this.report(new PeerChatError(ErrorType.notConnected, `Not connected to ${to}`, to));
      return [session];
    }
    const all = [...this.sessions.values()].filter((session) => session.isListed);
    if (all.length === 0) throw this.report(new PeerChatError(ErrorType.notConnected, 'Not connected to any peer'));
    return all;
  }

  private undeliverable(message: ChatMessage, peerId: string, why: string): void {
    const delivery = this.deliveries.get(message);
    if (!delivery?.pending.delete(peerId)) return;
    delivery.failed.add(peerId);
    this.updateStatus(message);
    this.options.emit('peer-chat-error', { type: ErrorType.delivery, message: `Not delivered to ${peerId}: "${message.text.slice(0, 40)}" (${why})`, peerId });
  }

  private updateStatus(message: ChatMessage): void {
    const delivery = this.deliveries.get(message);
    if (!delivery) return;
    const { pending, failed, unread, unconfirmed } = delivery;
    message.status =
      pending.size > 0 ? MessageStatus.pending : failed.size > 0 ? MessageStatus.failed : unread.size > 0 || unconfirmed ? MessageStatus.delivered : MessageStatus.read;
    if (message.status !== MessageStatus.pending && unread.size === 0) this.deliveries.delete(message);
    this.options.changed();
  }

  private record(message: ChatMessage): void {
    this.history.addMessage(message);
    this.options.changed();
    const { id, from, text, time, direction } = message;
    this.options.emit('peer-chat-message', { id, from, text, time, direction });
  }

  /** Reports an API failure as `peer-chat-error`, and returns it for the caller to throw. */
  private report(error: PeerChatError): PeerChatError {
    this.options.emit('peer-chat-error', { type: error.type, message: error.message, ...(error.peerId ? { peerId: error.peerId } : {}) });
    return error;
  }
}
