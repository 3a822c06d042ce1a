/**
 * The chat engine: plain TypeScript, no DOM. It registers through a {@link Signaling}, keeps a
 * {@link PeerSession} per remote peer, the conversation's history and every file transfer,
 * and tells its host what happened through `emit` (one call per event, named as the DOM
 * event it becomes) and `changed` (something visible changed). Time and ids are injected.
 */
import { ErrorType, PeerChatError } from '../errors.js';
import type { openSink } from '../transfers/file-sink.js';
import { TransfersOnDemand } from '../transfers/on-demand.js';
import type { Transfers } from '../transfers/registry.js';
import type { Transfer } from '../transfers/transfer.js';
import type { TransferInfo } from '../transfers/types.js';
import { systemClock, throttle, type Clock, type Timer } from './clock.js';
import { DEFAULT_MAX_HISTORY, History } from './history.js';
import type { FetchJson, IceServersSource } from './ice-servers.js';
import type { CreateSignaling, Signaling, SignalingOptions } from './link.js';
import { PeerSession, TIMING, type SessionHost } from './peer-session.js';
import type { ChatStore, Persistence, SavedChat, SavedPeer, SavedRecord, StoredMessage } from './persistence.js';
import { LIMITS, PROTOCOL_VERSION, randomId } from './protocol.js';
import { TYPING, TypingPeers } from './typing.js';
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
  /** An entry left the history: whatever was made for it (a file's object URL, an unread mark) can go. */
  released?(entry: HistoryEntry): void;
  clock?: Clock;
  randomId?: () => string;
  openSink?: typeof openSink;
  /** Bytes of storage the page may still fill (default: from `navigator.storage.estimate()`). */
  storageSpace?: () => Promise<number>;
  /** How `ice-servers-url` is fetched (default: `fetch`). */
  fetchJson?: FetchJson;
  /** Loads the file-transfer machinery when a file first moves (default: its own part of the bundle). */
  loadFileTransfer?: () => Promise<typeof import('../transfers/file-transfer.js')>;
  /** Loads what keeps `ice-servers-url` fresh, for pages that set it (default: its own part of the bundle). */
  loadIceServers?: () => Promise<typeof import('./ice-servers.js')>;
  /** Loads what writes the chat, with the store of a `persist`ing element (default: its own part of the bundle). */
  loadPersistence?: () => Promise<typeof import('./persistence.js')>;
}

interface Delivery {
  pending: Set<string>;
  failed: Set<string>;
  unread: Set<string>;
  unconfirmed: boolean;
}

/** The file-transfer machinery, `ice-servers-url` and `persist` are parts of the bundle of their own. */
const loadFileTransfer = () => import('../transfers/file-transfer.js');
const loadIceServers = () => import('./ice-servers.js');
const loadPersistence = () => import('./persistence.js');

export const DEFAULT_PREFERENCES: ChatPreferences = {
  name: '',
  acceptFiles: AcceptFiles.ask,
  maxFileSize: Infinity,
  reconnectTimeout: 60_000,
  maxHistory: DEFAULT_MAX_HISTORY,
};

export class ChatEngine {
  readonly clock: Clock;
  readonly transfers: TransfersOnDemand;
  readonly #newId: () => string;
  #signaling: Signaling | null = null;
  #iceServersSource: IceServersSource | null = null;
  #preferences: ChatPreferences = { ...DEFAULT_PREFERENCES };
  /** The element's session: what peers stored before sessions were per peer knew it by (see PeerSession.resume). */
  #session: string;
  readonly #sessions = new Map<string, PeerSession>();
  readonly #history: History<Transfer>;
  /**
   * Recipients of each outgoing message that have not acknowledged it, that we gave up on,
   * that acknowledged it but have not seen it; `unconfirmed`: one will never say it saw it.
   */
  readonly #deliveries = new Map<ChatMessage, Delivery>();
  /** The frozen entry recentEntries last handed out for each message (see there). */
  readonly #messageEntries = new WeakMap<ChatMessage, Extract<HistoryEntry, { kind: 'message' }>>();
  /** When we may tell the peers again that the person is typing. */
  readonly #typingDue: () => boolean;
  readonly #typingPeers: TypingPeers;
  #ticker: Timer | null = null;
  readonly #sessionHost: SessionHost;
  /** Set with `persist` once this element owns the stored record (see start). */
  #persistence: Persistence | null = null;
  #store: ChatStore | null = null;
  /** Loaded with the store: only `persist` needs it. */
  #persistenceClass: typeof Persistence | null = null;
  /** Counts start() calls, so an older start's storage reads arriving late are ignored. */
  #run = 0;
  /** Peers from storage, dialed once registered. */
  #resumable: { peers: SavedPeer[]; messages: Map<string, ChatMessage> } | null = null;
  /** We take part in groups (the `mesh` attribute). */
  #mesh = false;
  /** How many ids each group member has introduced to us: bounded, whatever it sends. */
  readonly #introductions = new WeakMap<PeerSession, number>();

  constructor(private readonly options: EngineOptions) {
    this.clock = options.clock ?? systemClock;
    this.#newId = options.randomId ?? randomId;
    this.#typingDue = throttle(this.clock, TYPING.sendIntervalMs);
    this.#typingPeers = new TypingPeers(this.clock, () => options.changed());
    this.#session = this.#newId();
    this.#history = new History<Transfer>(this.#preferences.maxHistory, (entry) => {
      if (entry.kind === 'message') this.#persistence?.dropped(entry.message);
      else this.transfers.forget(entry.transfer);
      options.released?.(entry.kind === 'message' ? entry : { kind: 'transfer', transfer: entry.transfer.snapshot() });
    });
    const engine = this;
    this.transfers = new TransfersOnDemand(
      () => this.#loadTransfers(),
      (error) => options.emit('peer-chat-error', { type: ErrorType.transfer, message: `File transfer could not be loaded: ${String(error)}` }),
    );
    this.#sessionHost = {
      clock: this.clock,
      transfers: this.transfers,
      get ownId() {
        return engine.peerId;
      },
      get ownSession() {
        return engine.#session;
      },
      get ownName() {
        return engine.#preferences.name;
      },
      get ownMesh() {
        return engine.#mesh;
      },
      get reconnectTimeoutMs() {
        return engine.#preferences.reconnectTimeout;
      },
      dial: (peerId) => this.#dial(peerId),
      emit: options.emit,
      changed: () => this.#changed(),
      received: (message) => this.#record(message),
      delivered: (message, peerId) => {
        const delivery = this.#deliveries.get(message);
        if (delivery?.pending.delete(peerId)) delivery.unread.add(peerId);
        this.#updateStatus(message);
      },
      read: (message, peerId) => {
        this.#deliveries.get(message)?.unread.delete(peerId);
        this.#updateStatus(message);
      },
      readUnconfirmed: (message, peerId) => {
        const delivery = this.#deliveries.get(message);
        if (!delivery?.unread.delete(peerId)) return;
        delivery.unconfirmed = true;
        this.#updateStatus(message);
      },
      typing: (peerId, typing) => (typing ? this.#typingPeers.typing(peerId) : this.#typingPeers.stopped(peerId)),
      undeliverable: (message, peerId, why) => this.#undeliverable(message, peerId, why),
      newId: this.#newId,
      removed: (session) => {
        if (this.#sessions.get(session.peerId) === session) this.#sessions.delete(session.peerId);
      },
      whenSaved: (callback) => (this.#persistence ? this.#persistence.whenSaved(callback) : callback()),
      afterSaved: (callback) => (this.#persistence ? this.#persistence.afterSaved(callback) : callback()),
      joined: () => this.#introduceGroup(),
      introduced: (session, peerIds) => this.#dialIntroduced(session, peerIds),
    };
  }

  /** The file-transfer machinery, wired to this engine: loaded when a file first moves. */
  async #loadTransfers(): Promise<Transfers> {
    const { options } = this;
    const { Transfers, openSink, storageSpace } = await (options.loadFileTransfer ?? loadFileTransfer)();
    return new Transfers(
      {
        clock: this.clock,
        limits: () => this.#preferences,
        sendFrame: (peerId, frame) => this.#sessions.get(peerId)?.sendFrame(frame) ?? false,
        sendBulk: (peerId, frame) =>
          this.#sessions.get(peerId)?.sendBulk(frame) ?? Promise.reject(new PeerChatError(ErrorType.notConnected, `Not connected to ${peerId}`, peerId)),
        chunkSize: (peerId) => this.#sessions.get(peerId)?.chunkSize ?? 16 * 1024,
        displayName: (peerId) => this.#sessions.get(peerId)?.name || peerId,
        emit: options.emit,
        violation: (peerId, message) => this.#sessions.get(peerId)?.violation(message),
        openSink: options.openSink ?? openSink,
        storageSpace: options.storageSpace ?? storageSpace,
        changed: () => {
          this.#history.transferFinished();
          options.changed();
        },
      },
      this.#newId,
      (transfer) => this.#history.addTransfer(transfer),
    );
  }

  get peerId(): string {
    return this.#signaling?.peerId ?? '';
  }

  /** Ids of the peers typing now. */
  get typing(): string[] {
    return this.#typingPeers.ids;
  }

  get signalingState(): SignalingState {
    return this.#signaling?.signalingState ?? SignalingState.closed;
  }

  /** Peers connected now, or being reconnected after a drop: copies. */
  get peers(): PeerInfo[] {
    return [...this.#sessions.values()].filter((session) => session.isListed).map((session) => session.snapshot());
  }

  get connectedPeers(): PeerInfo[] {
    return this.peers.filter((peer) => peer.status === PeerStatus.connected);
  }

  /** The conversation in the order it happened here: copies. */
  get entries(): HistoryEntry[] {
    return this.recentEntries(this.#history.size);
  }

  /** How many entries the history holds. */
  get entryCount(): number {
    return this.#history.size;
  }

  /**
   * The newest `count` entries, oldest first: snapshots. What a view shows costs the same at any
   * history length. A message's entry is frozen and handed out again until its status changes,
   * so a view can tell a changed one by identity, and each render copies no message.
   */
  recentEntries(count: number): HistoryEntry[] {
    return this.#history.recent(count).map((entry) => (entry.kind === 'message' ? this.#messageEntry(entry.message) : { kind: 'transfer', transfer: entry.transfer.snapshot() }));
  }

  get messages(): ChatMessage[] {
    return this.#historyMessages().map((message) => ({ ...message }));
  }

  get transferList(): TransferInfo[] {
    return this.#history.all.flatMap((entry) => (entry.kind === 'transfer' ? [entry.transfer.snapshot()] : []));
  }

  /**
   * (Re)starts with new connection settings: a new registration and session; connections are
   * dropped. With a `store`, the saved id, session, certificate, history and peers come back
   * first, unless another tab holds them; then this element gets its own id and record.
   */
  start(settings: ChatSettings, store: ChatStore | Promise<ChatStore> | null = null): void {
    this.stop();
    this.update(settings);
    this.#session = this.#newId();
    const run = ++this.#run;
    if (!store) return this.#register(settings, null);
    void this.#load(store, settings.peerId, run).then((saved) => {
      if (run !== this.#run) return;
      if (saved) this.#restore(this.#store!, saved);
      this.#register(saved ? { ...settings, peerId: saved.peerId } : settings, saved?.certificate ?? null);
    });
  }

  /** The saved chat if this element may take it over, else null. */
  async #load(opening: ChatStore | Promise<ChatStore>, requested: string, run: number): Promise<SavedChat | null> {
    try {
      const [store, { Persistence }] = await Promise.all([opening, (this.options.loadPersistence ?? loadPersistence)()]);
      const saved = await store.load();
      // Started again meanwhile: that start has its own store.
      if (run !== this.#run) return null;
      // A store that cannot be read is not written either: one error, and the chat runs unpersisted.
      this.#store = store;
      this.#persistenceClass = Persistence;
      if (!saved || (requested && requested !== saved.peerId)) return null;
      return (await this.#claim(store, saved.peerId, run)) ? saved : null;
    } catch (error) {
      this.#storageFailed(error);
      return null;
    }
  }

  #restore(store: ChatStore, saved: SavedChat): void {
    this.#session = saved.session;
    // After a restart with other settings the history is still here: take it from storage only once.
    if (this.#history.all.length === 0) for (const { message } of saved.history) this.#history.addMessage(message);
    const messages = new Map(this.#historyMessages().flatMap((message) => (message.direction === Direction.out ? [[message.id, message] as const] : [])));
    for (const peer of saved.peers) {
      for (const { message } of peer.unacked) {
        const kept = messages.get(message.id);
        if (!kept) continue;
        const delivery = this.#deliveries.get(kept) ?? { pending: new Set<string>(), failed: new Set<string>(), unread: new Set<string>(), unconfirmed: false };
        delivery.pending.add(peer.peerId);
        this.#deliveries.set(kept, delivery);
      }
    }
    this.#resumable = { peers: saved.peers, messages };
    this.#persist(store, saved.peerId, saved.history);
  }

  /** Writes to `store` from now on; `stored`: the messages loaded from it. */
  #persist(store: ChatStore, peerId: string, stored?: StoredMessage[]): void {
    this.#persistence = new this.#persistenceClass!(store, () => this.#saved(peerId), (error) => this.#storageFailed(error), this.#historyMessages(), stored);
    this.options.changed();
  }

  #register(settings: ChatSettings, certificate: RTCCertificate | null): void {
    const run = this.#run;
    const { name: _name, acceptFiles: _accept, maxFileSize: _max, reconnectTimeout: _timeout, maxHistory: _history, ...connection } = settings;
    const { emit } = this.options;
    const signaling = this.options.createSignaling(
      { ...connection, certificate, metadata: { peerChat: PROTOCOL_VERSION, name: settings.name } },
      {
        onRegistered: (peerId) => {
          this.#registered(peerId, run);
          this.options.changed();
          emit('peer-chat-ready', { peerId });
        },
        onSignalingState: (state) => {
          this.options.changed();
          emit('peer-chat-signaling', { state });
        },
        onIncoming: (link) => this.#sessionFor(link.peerId).adopt(link),
        onError: (error) => emit('peer-chat-error', error),
      },
    );
    this.#signaling = signaling;
    if (connection.iceServersUrl) {
      // Registered only once the first fetch is through: the first dial gets fresh credentials.
      void this.#fetchIceServers(connection.iceServersUrl, signaling).then(() => {
        if (this.#signaling === signaling) signaling.start();
      });
    } else {
      signaling.start();
    }
    this.#scheduleTick(this.clock.now());
  }

  /** Keeps the ICE servers from `url` fresh for `signaling`; resolves once the first fetch succeeded or failed. */
  async #fetchIceServers(url: string, signaling: Signaling): Promise<void> {
    const failed = (message: string) => this.options.emit('peer-chat-error', { type: ErrorType.signaling, message: `${message}; using ice-servers instead` });
    let source: IceServersSource;
    try {
      const { IceServersSource, fetchJson } = await (this.options.loadIceServers ?? loadIceServers)();
      source = new IceServersSource(url, this.options.fetchJson ?? fetchJson, this.clock, { servers: (iceServers) => signaling.setIceServers(iceServers), failed });
    } catch (error) {
      // The part could not be loaded (the page went offline): `ice-servers` it is.
      failed(`Could not get ICE servers from ${url}: ${String(error)}`);
      return;
    }
    if (this.#signaling !== signaling) return;
    this.#iceServersSource = source;
    await source.start();
  }

  /** Takes part in groups (the `mesh` attribute), for the connections made from now on. */
  setMesh(enabled: boolean): void {
    this.#mesh = enabled;
  }

  /** Applies settings that need no new registration. */
  update(preferences: ChatPreferences): void {
    const { name, acceptFiles, maxFileSize, reconnectTimeout, maxHistory } = preferences;
    this.#preferences = { name, acceptFiles, maxFileSize, reconnectTimeout, maxHistory };
    this.#history.setLimit(maxHistory);
  }

  stop(): void {
    this.#ticker?.cancel();
    this.#ticker = null;
    this.#iceServersSource?.stop();
    this.#iceServersSource = null;
    // What is stored stays as it was: a later start with the store carries on from there.
    this.#persistence?.freeze();
    this.#persistence = null;
    this.#resumable = null;
    this.#store?.release();
    this.#store = null;
    for (const session of [...this.#sessions.values()]) session.end('local');
    this.#signaling?.stop();
    this.#signaling = null;
  }

  /** Resolves once connected to `remoteId` (the session's own promise: see PeerSession.connect). */
  connect(remoteId: string): Promise<void> {
    const id = String(remoteId ?? '').trim();
    if (!id) return Promise.reject(this.#report(new PeerChatError(ErrorType.unknownPeer, 'Enter the id of the peer to connect to')));
    if (id === this.peerId) return Promise.reject(this.#report(new PeerChatError(ErrorType.unknownPeer, 'That is your own id: enter the id of another peer', id)));
    if (!this.#signaling) return Promise.reject(this.#report(new PeerChatError(ErrorType.signaling, 'The element is not started', id)));
    const connected = this.#sessionFor(id).connect();
    connected.catch((error: PeerChatError) => this.#report(error));
    return connected;
  }

  disconnect(remoteId?: string): void {
    const targets = remoteId === undefined ? [...this.#sessions.values()] : [this.#sessions.get(remoteId)].filter((session) => !!session);
    for (const session of targets) session.leave();
  }

  /**
   * Sends a chat message to one peer, or to every peer. A peer that dropped and is being
   * reconnected gets it when it is back; until every recipient acknowledges it, it is pending.
   */
  send(text: string, to?: string): ChatMessage {
    const body = String(text ?? '');
    if (!body.trim()) throw this.#report(new PeerChatError(ErrorType.protocol, 'The message is empty'));
    if (body.length > LIMITS.maxTextLength) {
      throw this.#report(new PeerChatError(ErrorType.protocol, `The message is ${body.length} characters long; the limit is ${LIMITS.maxTextLength}`));
    }
    const targets = this.#recipients(to);
    const message: ChatMessage = { id: this.#newId(), from: this.peerId, text: body, time: this.clock.wallTime(), direction: Direction.out };
    const delivery: Delivery = { pending: new Set(), failed: new Set(), unread: new Set(), unconfirmed: false };
    for (const session of targets) {
      if (session.send(message)) delivery.pending.add(session.peerId);
      else delivery.unconfirmed = true; // A plain-text peer sends no receipts.
    }
    this.#deliveries.set(message, delivery);
    this.#updateStatus(message);
    this.#record(message);
    return { ...message };
  }

  /** The person is typing: tells every connected peer, at most every 2 s. */
  typed(): void {
    if (!this.#typingDue()) return;
    for (const session of this.#sessions.values()) session.sendTyping();
  }

  /** The person saw the message `id` from `peerId`: the peer learns it was read. */
  seen(peerId: string, id: string): void {
    this.#sessions.get(peerId)?.seen(id);
  }

  /** Offers `file` to one peer or to all; resolves when every receiver holds every byte. */
  async sendFile(file: File, to?: string): Promise<void> {
    if (!(file instanceof Blob)) throw this.#report(new PeerChatError(ErrorType.transfer, 'sendFile needs a File'));
    const { maxFileSize } = this.#preferences;
    if (file.size > maxFileSize) {
      throw this.#report(new PeerChatError(ErrorType.fileTooLarge, `"${file.name}" is ${file.size} bytes; the limit is ${maxFileSize} bytes`));
    }
    const targets = this.#recipients(to).filter((session) => {
      if (session.takesFiles) return true;
      this.options.emit('peer-chat-error', { type: ErrorType.transfer, message: `${session.peerId} cannot receive files`, peerId: session.peerId });
      return false;
    });
    if (targets.length === 0) throw this.#report(new PeerChatError(ErrorType.notConnected, 'No connected peer can receive files'));
    const results = await Promise.allSettled(targets.map((session) => this.transfers.send(file, session.peerId)));
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw (failure as PromiseRejectedResult).reason;
  }

  /** Forgets the messages and finished transfers (and the files they stored). */
  clearHistory(): void {
    this.#history.clear();
    for (const message of [...this.#deliveries.keys()]) this.#deliveries.delete(message);
    this.#changed();
  }

  // ---- internals -----------------------------------------------------------------------

  #sessionFor(peerId: string): PeerSession {
    let session = this.#sessions.get(peerId);
    if (!session) {
      session = new PeerSession(this.#sessionHost, peerId);
      this.#sessions.set(peerId, session);
    }
    return session;
  }

  #dial(peerId: string) {
    const signaling = this.#signaling;
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
  #scheduleTick(expected: number): void {
    const ticker = this.clock.setTimeout(() => {
      const now = this.clock.now();
      const late = now - expected > TIMING.pingIntervalMs;
      for (const session of [...this.#sessions.values()]) session.tick(now, late);
      // Unless what the tick set off stopped the engine (a page's listener removed the element).
      if (this.#ticker === ticker) this.#scheduleTick(now + TIMING.pingIntervalMs);
    }, TIMING.pingIntervalMs);
    this.#ticker = ticker;
  }

  #recipients(to?: string): PeerSession[] {
    if (to !== undefined) {
      const session = this.#sessions.get(to);
      if (!session?.isListed) throw this.#report(new PeerChatError(ErrorType.notConnected, `Not connected to ${to}`, to));
      return [session];
    }
    const all = [...this.#sessions.values()].filter((session) => session.isListed);
    if (all.length === 0) throw this.#report(new PeerChatError(ErrorType.notConnected, 'Not connected to any peer'));
    return all;
  }

  #undeliverable(message: ChatMessage, peerId: string, why: string): void {
    const delivery = this.#deliveries.get(message);
    if (!delivery?.pending.delete(peerId)) return;
    delivery.failed.add(peerId);
    this.#updateStatus(message);
    this.options.emit('peer-chat-error', { type: ErrorType.delivery, message: `Not delivered to ${peerId}: "${message.text.slice(0, 40)}" (${why})`, peerId });
  }

  #updateStatus(message: ChatMessage): void {
    const delivery = this.#deliveries.get(message);
    if (!delivery) return;
    const { pending, failed, unread, unconfirmed } = delivery;
    message.status =
      pending.size > 0 ? MessageStatus.pending : failed.size > 0 ? MessageStatus.failed : unread.size > 0 || unconfirmed ? MessageStatus.delivered : MessageStatus.read;
    if (message.status !== MessageStatus.pending && unread.size === 0) this.#deliveries.delete(message);
    this.#persistence?.changed(message);
    this.#changed();
  }

  /** Into the history, stored and announced; a repeat the history refuses (see History.addMessage), not at all. */
  #record(message: ChatMessage): void {
    if (!this.#history.addMessage(message)) return;
    this.#persistence?.added(message);
    this.#changed();
    const { id, from, text, time, direction } = message;
    this.options.emit('peer-chat-message', { id, from, text, time, direction });
  }

  /** Something visible changed; with `persist`, something to store too (transfer progress is neither stored nor passes here). */
  #changed(): void {
    this.#persistence?.touch();
    this.options.changed();
  }

  /** The frozen entry of `message`: the one handed out before, unless its status changed since. */
  #messageEntry(message: ChatMessage): HistoryEntry {
    const handed = this.#messageEntries.get(message);
    if (handed && handed.message.status === message.status) return handed;
    const entry = Object.freeze({ kind: 'message' as const, message: Object.freeze({ ...message }) });
    this.#messageEntries.set(message, entry);
    return entry;
  }

  /** The history's own message objects, oldest first. */
  #historyMessages(): ChatMessage[] {
    return this.#history.all.flatMap((entry) => (entry.kind === 'message' ? [entry.message] : []));
  }

  #registered(peerId: string, run: number): void {
    const store = this.#store;
    if (store && !this.#persistence && run === this.#run) {
      // A fresh id: the record becomes ours unless another tab of the site is using it.
      this.#claim(store, peerId, run)
        .then((claimed) => {
          if (claimed && !this.#persistence) this.#persist(store, peerId);
          this.#persistence?.touch();
        })
        .catch((error) => this.#storageFailed(error));
    }
    const resumable = this.#resumable;
    this.#resumable = null;
    for (const saved of resumable?.peers ?? []) {
      if (saved.peerId !== peerId && !this.#sessions.has(saved.peerId)) this.#sessionFor(saved.peerId).resume(saved, resumable!.messages);
    }
  }

  /** `store.claim(peerId)` for start number `run`; false, and let go, if the element started again meanwhile (stop() released the store before it held the claim). */
  async #claim(store: ChatStore, peerId: string, run: number): Promise<boolean> {
    const claimed = await store.claim(peerId);
    if (run === this.#run) return claimed;
    store.release();
    return false;
  }

  #saved(peerId: string): SavedRecord {
    const listed = [...this.#sessions.values()].filter((session) => session.isListed).map((session) => session.saved());
    return {
      peerId,
      session: this.#session,
      certificate: this.#signaling?.certificate ?? null,
      peers: [...listed, ...(this.#resumable?.peers ?? [])],
    };
  }

  #storageFailed(error: unknown): void {
    this.options.emit('peer-chat-error', { type: ErrorType.storage, message: `The chat could not be stored: ${String(error)}` });
  }

  /** A member joined the group: every member hears who the others are. */
  #introduceGroup(): void {
    const members = [...this.#sessions.values()].filter((session) => session.isMeshMember);
    for (const member of members) {
      const ids = members.filter((other) => other !== member).map((other) => other.peerId).slice(0, LIMITS.maxGroupSize);
      if (ids.length > 0) member.sendFrame({ t: 'peers', ids });
    }
  }

  /**
   * Dials the members `by` introduced that we do not know, when our id is the smaller (the
   * other side waits for us, so the two do not cross). Bounded: at most `maxGroupSize`
   * introductions from each member, and no dial once we know that many peers.
   */
  #dialIntroduced(by: PeerSession, peerIds: string[]): void {
    for (const peerId of peerIds) {
      if (peerId === this.peerId || this.#sessions.has(peerId) || !(this.peerId < peerId)) continue;
      const used = this.#introductions.get(by) ?? 0;
      if (used >= LIMITS.maxGroupSize || this.#sessions.size >= LIMITS.maxGroupSize) return;
      this.#introductions.set(by, used + 1);
      // A member that left meanwhile is no error of ours: its session is simply forgotten.
      this.#sessionFor(peerId).connect().catch(() => {});
    }
  }

  /** Reports an API failure as `peer-chat-error`, and returns it for the caller to throw. */
  #report(error: PeerChatError): PeerChatError {
    this.options.emit('peer-chat-error', { type: error.type, message: error.message, ...(error.peerId ? { peerId: error.peerId } : {}) });
    return error;
  }
}
