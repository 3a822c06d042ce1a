/**
 * Everything about one remote peer: its link, the `hello` that makes a link usable, liveness,
 * re-dialing after a drop and giving up, reliable delivery both ways, and the budgets that
 * cut off a peer that floods us. One instance per peer, for as long as it is known.
 */
import { ErrorType, PeerChatError } from '../errors.js';
import type { TransfersOnDemand } from '../transfers/on-demand.js';
import { TimerSlot, type Clock } from './clock.js';
import { Arrival, Inbox, Outbox, type Outgoing } from './delivery.js';
import type { Link } from './link.js';
import type { SavedPeer } from './persistence.js';
import { LIMITS, PROTOCOL_VERSION, decodeControl, encodeControl, isTransferFrame, type ControlFrame, type HelloFrame } from './protocol.js';
import { TokenBucket } from './rate-limit.js';
import { ReadReceipts } from './receipts.js';
import { safeName } from './sanitize.js';
import { Direction, DisconnectReason, PeerStatus, type ChatMessage, type Emit, type PeerInfo } from './types.js';

export const TIMING = {
  pingIntervalMs: 1000,
  /** A peer silent this long is gone (network cut or tab frozen): reported within 5 s. */
  silenceLimitMs: 3500,
  connectTimeoutMs: 20000,
  /** How long to wait for the `hello` that makes an open connection usable. */
  helloTimeoutMs: 10000,
  /** Re-dial delays after an unplanned drop; the last one repeats. */
  redialDelaysMs: [250, 1000, 2000, 4000],
  /** After a `read`, the next waits this long: messages seen in a row share one frame. */
  readIntervalMs: 250,
  /**
   * How long the `ack` of a message waits for the person to see it, to a peer that takes `read`
   * in `ack`: a message seen at once costs one frame back, not two (each `send` on a data channel
   * costs the page about 0.3 ms), and messages in a burst share one `ack`.
   */
  ackHoldMs: 100,
} as const;

/** What one peer may send us, before we cut it off. */
const BUDGET = {
  frames: { capacity: 2000, perSecond: 300 },
  /** Characters of chat text: a burst of pasted text, then typing speed many times over. */
  text: { capacity: 1024 * 1024, perSecond: 64 * 1024 },
  /** Invalid frames: each is reported; a stream of them is an attack or a broken peer. */
  invalid: { capacity: 1000, perSecond: 50 },
} as const;

/** What a session needs from the engine around it. */
export interface SessionHost {
  readonly clock: Clock;
  readonly transfers: TransfersOnDemand;
  readonly ownId: string;
  /** What peers knew us by in records stored before sessions were per peer (see PeerSession.resume). */
  readonly ownSession: string;
  /** Our display name, as sent in `hello`. */
  readonly ownName: string;
  /** We take part in groups (the `mesh` attribute): said in `hello`. */
  readonly ownMesh: boolean;
  readonly reconnectTimeoutMs: number;
  /** Opens a link to the peer through the signaling server. */
  dial(peerId: string): Promise<Link>;
  emit: Emit;
  changed(): void;
  /** A message from the peer, taken once: into the history. */
  received(message: ChatMessage): void;
  delivered(message: ChatMessage, peerId: string): void;
  /** The peer saw the message. */
  read(message: ChatMessage, peerId: string): void;
  /** The peer will never report the message read (it started afresh or is gone). */
  readUnconfirmed(message: ChatMessage, peerId: string): void;
  /** The peer is typing (a `typing` frame), or stopped (its message arrived, it left). */
  typing(peerId: string, typing: boolean): void;
  undeliverable(message: ChatMessage, peerId: string, why: string): void;
  newId(): string;
  /** The session is over: the engine forgets it. */
  removed(session: PeerSession): void;
  /** Runs `callback` once what we hold now is stored (at once when nothing is persisted). */
  whenSaved(callback: () => void): void;
  /** Runs `callback` after the writes asked for so far, asking for none (at once when nothing is persisted or pending). */
  afterSaved(callback: () => void): void;
  /** A group member's `hello` arrived: the group changed. */
  joined(session: PeerSession): void;
  /** A group member named the members it is connected to. */
  introduced(session: PeerSession, peerIds: string[]): void;
}

export class PeerSession {
  name = '';
  safetyCode = '';
  #link: Link | null = null;
  /** The link whose `hello` we took. */
  #greeted: Link | null = null;
  /** The `hello` we took from the signaling server's relay (see `#opened`), until the peer's own confirms it. */
  #relayedHello: HelloFrame | null = null;
  /** The current link has exchanged `hello`: messages flow. */
  #connected = false;
  /** `peer-chat-connect` fired and no `peer-chat-disconnect` since. */
  #announced = false;
  /** In the peer list: connected, or dropped and being reconnected. */
  #listed = false;
  /** The peer speaks another protocol version: plain text only, both ways. */
  #plainText = false;
  #remoteSession?: string;
  /**
   * Our session with this peer, as our `hello` says: new with each session object, so a peer that
   * kept its state for us while we gave up on it (a shorter `reconnect-timeout`) starts afresh
   * too, as after a reload, rather than number on from where we no longer are.
   */
  #ownSession: string;
  /** The peer takes part in groups (its `hello` said `mesh`). */
  #remoteMesh = false;
  /** The peer takes `read` in `ack` (its `hello` said `readInAck`): acks are held (TIMING.ackHoldMs). */
  #remoteReadInAck = false;
  /** Back from storage after our reload: we dial, whichever id is smaller (the peer waits). */
  #dialsFirst = false;
  #lastHeard: number;
  readonly #outbox = new Outbox();
  readonly #inbox = new Inbox();
  readonly #receipts = new ReadReceipts();
  readonly #waiters: Array<{ resolve: () => void; reject: (error: PeerChatError) => void }> = [];
  /** The dial in flight, shared by every `connect()` and re-dial meanwhile. */
  #dialing: Promise<void> | null = null;
  #redialAttempt = 0;
  readonly #helloTimer: TimerSlot;
  readonly #redialTimer: TimerSlot;
  readonly #giveUpTimer: TimerSlot;
  readonly #readTimer: TimerSlot;
  /** Ends the hold of `#ackToSend`. */
  readonly #ackTimer: TimerSlot;
  /** The newest `seq` stored and not yet acknowledged (to a peer that takes `read` in `ack`, held for a `read` to go with it); 0: none. */
  #ackToSend = 0;
  /** The newest `seq` acknowledged on the current link. */
  #ackedOnLink = 0;
  /** The newest `seq` reported read on the current link. */
  #readOnLink = 0;
  /** The newest `seq` seen and not yet sent in `read` (held by #readTimer); 0: none. */
  #readToSend = 0;
  /** When the last `read` was sent (the clock's `now`; noted even when no link took it): the next waits until TIMING.readIntervalMs after it. */
  #lastReadAt = -Infinity;
  readonly #budget: { frames: TokenBucket; text: TokenBucket; invalid: TokenBucket };
  #gone = false;

  constructor(
    private readonly host: SessionHost,
    readonly peerId: string,
  ) {
    const { clock } = host;
    this.#ownSession = host.newId();
    this.#lastHeard = clock.now();
    this.#helloTimer = new TimerSlot(clock);
    this.#redialTimer = new TimerSlot(clock);
    this.#giveUpTimer = new TimerSlot(clock);
    this.#readTimer = new TimerSlot(clock);
    this.#ackTimer = new TimerSlot(clock);
    const now = () => clock.now();
    this.#budget = {
      frames: new TokenBucket(BUDGET.frames.capacity, BUDGET.frames.perSecond, now),
      text: new TokenBucket(BUDGET.text.capacity, BUDGET.text.perSecond, now),
      invalid: new TokenBucket(BUDGET.invalid.capacity, BUDGET.invalid.perSecond, now),
    };
  }

  get isConnected(): boolean {
    return this.#connected;
  }

  /** Connected, or dropped and being reconnected: messages to it are queued. */
  get isListed(): boolean {
    return this.#listed;
  }

  /** Can receive files: it speaks our protocol (or we do not know yet). */
  get takesFiles(): boolean {
    return !this.#link || (this.#link.speaksProtocol && !this.#plainText);
  }

  /** Connected, and both of us take part in groups. */
  get isMeshMember(): boolean {
    return this.#connected && this.#remoteMesh && this.host.ownMesh;
  }

  get chunkSize(): number {
    return this.#link?.chunkSize ?? 16 * 1024;
  }

  snapshot(): PeerInfo {
    const { peerId, name, safetyCode } = this;
    const route = this.#connected ? this.#link?.route : null;
    return { peerId, name, safetyCode, status: this.#connected ? PeerStatus.connected : PeerStatus.reconnecting, ...(route ? { route } : {}) };
  }

  /** What a reloaded element needs to carry on with this peer. */
  saved(): SavedPeer {
    const { peerId, name } = this;
    return { peerId, name, session: this.#remoteSession, ownSession: this.#ownSession, received: this.#inbox.last, sent: this.#outbox.last, unacked: this.#outbox.pending.map(({ seq, message }) => ({ seq, message })), ...this.#receipts.saved() };
  }

  /**
   * Carries on after our reload: listed as reconnecting with its queue and numbering as they
   * were, dialed at once (the peer, which kept its state, waits for us whatever the ids).
   * `messages` are the history's, so delivery updates show there.
   */
  resume(saved: SavedPeer, messages: Map<string, ChatMessage>): void {
    this.name = saved.name;
    this.#remoteSession = saved.session;
    this.#ownSession = saved.ownSession ?? this.host.ownSession;
    this.#inbox.restore(saved.received);
    this.#outbox.restore(
      saved.sent,
      saved.unacked.map(({ seq, message }) => ({ seq, message: messages.get(message.id) ?? message })),
    );
    // What the peer acknowledged, it may still report read; what the person did not see of its messages, they may see now.
    this.#receipts.restore(saved.unacked.length > 0 ? saved.unacked[0].seq - 1 : saved.sent, saved);
    this.#listed = true;
    this.#dialsFirst = true;
    this.host.changed();
    (this.#dialing ??= this.#dial()).catch(() => {
      if (!this.#gone && !this.#link) this.#scheduleRedial();
    });
    this.#giveUpTimer.set(() => this.end(DisconnectReason.closed, 'The peer did not come back'), this.host.reconnectTimeoutMs);
  }

  /**
   * Resolves once connected; dials unless a link is already being set up, and rejects with
   * the dial's error when it fails. The promise returned is the one `#markConnected` resolves,
   * with no async wrapper in between, so the caller's code runs before the render that shows
   * the new peer (see `#markConnected`).
   */
  connect(): Promise<void> {
    if (this.#connected) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = { resolve, reject };
      this.#waiters.push(waiter);
      if (this.#link) return;
      (this.#dialing ??= this.#dial()).catch((error: PeerChatError) => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(error);
      });
    });
  }

  /** Takes an open or opening link to the peer (ours or theirs); a newer one replaces the old. */
  adopt(link: Link): void {
    if (this.#link && this.#link !== link) {
      this.#link.listener = null;
      this.#link.close();
      this.#connected = false;
      // Its close is not heard (no listener): what moved on it pauses here, as after a drop, and resumes after the new hello.
      this.host.transfers.pause(this.peerId);
    }
    const metadata = link.metadata as { name?: unknown } | undefined;
    if (typeof metadata?.name === 'string' && !this.name) this.name = safeName(metadata.name, LIMITS.maxNameLength);
    this.#link = link;
    this.#lastHeard = this.host.clock.now();
    link.listener = {
      onOpen: () => this.#opened(link),
      onControl: (data) => this.#handleControl(link, data),
      onBulk: (data) => {
        if (this.#link !== link) return;
        this.#lastHeard = this.host.clock.now();
        this.host.transfers.handleChunk(this.peerId, data);
      },
      onClose: () => {
        if (this.#link === link) this.#lost(DisconnectReason.closed);
      },
      onRouteChange: () => {
        if (this.#link === link) this.host.changed();
      },
    };
    if (link.isOpen) return this.#opened(link);
    // Not open yet: the link came to us, and our answer, which can carry our `hello`, has not gone out.
    if (link.speaksProtocol) link.answerHello = encodeControl(this.#hello());
    // Its dialer gives up after as long: one that never opens must not hold the peer (and its `connect()`) for good.
    this.#expectHello(link, TIMING.connectTimeoutMs);
  }

  /** Queues a message for the peer, sending it now if connected; false when it cannot take it. */
  send(message: ChatMessage): boolean {
    // Plain only once connected: a new link's `hello` may say our version again.
    if (this.#connected && this.#plain) {
      this.#link!.sendControl(message.text); // Plain text: no acknowledgements to wait for.
      return false;
    }
    const outgoing = this.#outbox.add(message);
    if (this.#connected) this.#sendMessage(outgoing);
    return true;
  }

  /** Sends `frame` (or one encoded already: the `hello` relayed with our answer); false when the link is not open. */
  sendFrame(frame: ControlFrame | string): boolean {
    const link = this.#link;
    if (!link?.isOpen) return false;
    try {
      link.sendControl(typeof frame === 'string' ? frame : encodeControl(frame));
      return true;
    } catch (error) {
      this.host.emit('peer-chat-error', { type: ErrorType.connection, message: String(error), peerId: this.peerId });
      return false;
    }
  }

  sendBulk(frame: ArrayBuffer): Promise<void> {
    if (!this.#link) return Promise.reject(new PeerChatError(ErrorType.notConnected, `Not connected to ${this.peerId}`, this.peerId));
    return this.#link.sendBulk(frame);
  }

  /** Called every ping interval. `late`: this tick came far too late (a long task, a frozen tab). */
  tick(now: number, late: boolean): void {
    const link = this.#link;
    // Silence counts once the peer said `hello` on this link; before, the hello timer does (set
    // once the transport hands the link over as open). An answering side's link may open
    // seconds after the offer came (ICE, a TURN relay) and its frames wait for the route to be
    // read: that is not the peer being silent.
    if (!link?.isOpen || this.#plain || !this.#connected) return;
    // Our own silence is not the peer's: after a late tick, the peer gets a fresh window.
    if (late) this.#lastHeard = now;
    if (now - this.#lastHeard > TIMING.silenceLimitMs) return this.#lost(DisconnectReason.timeout);
    this.sendFrame({ t: 'ping' });
  }

  /** The person is typing: tell the peer (the engine limits how often). */
  sendTyping(): void {
    if (this.#connected && !this.#plain) this.sendFrame({ t: 'typing' });
  }

  /** The person saw the peer's message `id`: tell it, cumulatively; at once unless a `read` just left. */
  seen(id: string): void {
    const seq = this.#receipts.seen(id);
    if (seq <= 0) return;
    this.#readToSend = seq;
    if (this.#readTimer.pending) return;
    // A timer only for a `read` within the interval (a message seen alone costs no timer task);
    // its delay rounded up, as setTimeout drops fractions of a millisecond.
    const wait = this.#lastReadAt + TIMING.readIntervalMs - this.host.clock.now();
    if (wait > 0) this.#readTimer.set(() => this.#sendRead(), Math.ceil(wait));
    else this.#sendRead();
  }

  /** Sends the `read` held, if any; the next one waits for the interval (see `seen`). */
  #sendRead(): void {
    const seq = this.#readToSend;
    if (seq === 0) return;
    this.#readToSend = 0;
    // Sent by the catch-up on a new link, it starts a new interval: a timer set before would end it early.
    this.#readTimer.cancel();
    this.#lastReadAt = this.host.clock.now();
    // After the writes asked for so far (persist), every message up to `seq` is stored, so it may
    // be acknowledged with it (see #sendReceipts). It changes nothing stored, so it asks for no
    // write of its own. Not connected: see #catchUpRead.
    this.host.afterSaved(this.#inThisSession(() => this.#sendReceipts(seq)));
  }

  /**
   * On a new connection, what the person saw of the peer's messages (a `read` made while it was
   * away went nowhere, one sent just before the drop may be lost): told again, cumulative, behind
   * an `ack` of all we hold (ours may have been lost too, and a `read` must never be ahead of
   * every `ack`). Nothing after the peer started afresh: its messages are numbered anew.
   */
  #catchUpRead(): void {
    this.#readToSend = this.#receipts.lastSeen;
    if (this.#readToSend === 0) return;
    this.#acknowledge();
    this.#sendRead();
  }

  /**
   * Acknowledges every message we hold, once stored: a reload never loses what the peer was told
   * we hold. To a peer that takes `read` in `ack`, held a moment (TIMING.ackHoldMs) for a `read`.
   */
  #acknowledge(): void {
    const seq = this.#inbox.last;
    this.host.whenSaved(
      this.#inThisSession(() => {
        this.#ackToSend = Math.max(this.#ackToSend, seq);
        if (!this.#remoteReadInAck) this.#sendReceipts(0);
        else if (!this.#ackTimer.pending) this.#ackTimer.set(() => this.#sendReceipts(0), TIMING.ackHoldMs);
      }),
    );
  }

  /** `callback`, run later only if the peer has not started afresh meanwhile: a number taken before is of its old session. */
  #inThisSession(callback: () => void): () => void {
    const session = this.#remoteSession;
    return () => {
      if (this.#remoteSession === session) callback();
    };
  }

  /**
   * Sends the `ack` held, if any, and `read` (non-zero): in one frame to a peer that takes `read`
   * in `ack`. A `read` never goes ahead of every `ack` on this link: every message up to it is
   * stored (see #sendRead), so if this link has not acknowledged it yet (its `ack` was held when
   * the last link dropped), it is acknowledged with it. Not connected, nothing goes: the next
   * `hello` is followed by the peer's re-sends, which are acknowledged, and by #catchUpRead.
   */
  #sendReceipts(read: number): void {
    // A `read` is cumulative, on a link that loses nothing: one this link carried already goes
    // once (a `read` made as the link connected, then the catch-up's). An `ack` goes again: the
    // protocol answers every `msg`, a duplicate too.
    const newRead = read > this.#readOnLink ? read : 0;
    const ack = Math.max(this.#ackToSend, newRead > this.#ackedOnLink ? newRead : 0);
    this.#ackToSend = 0;
    this.#ackTimer.cancel();
    if (!this.#connected || this.#plain) return;
    this.#readOnLink = Math.max(this.#readOnLink, newRead);
    if (ack > 0) {
      this.#ackedOnLink = Math.max(this.#ackedOnLink, ack);
      if (newRead > 0 && this.#remoteReadInAck) return void this.sendFrame({ t: 'ack', seq: ack, read: newRead });
      this.sendFrame({ t: 'ack', seq: ack });
    }
    if (newRead > 0) this.sendFrame({ t: 'read', seq: newRead });
  }

  /**
   * Sends a `read` waiting for its interval, at once unless writes are pending (it acknowledges
   * what it covers: see #sendRead), and the `ack` held.
   */
  #flushReceipts(): void {
    this.#sendRead();
    this.#sendReceipts(0);
  }

  /** We leave: tell the peer, then forget it. */
  leave(): void {
    // What is held goes ahead of `bye`, after which the peer hears nothing (end() is too late).
    this.#flushReceipts();
    this.sendFrame({ t: 'bye' });
    this.end(DisconnectReason.local);
  }

  /** One invalid frame: one `peer-chat-error`. A stream of them gets the peer cut off. */
  violation(message: string): void {
    if (this.#gone) return;
    this.host.emit('peer-chat-error', { type: ErrorType.protocol, message, peerId: this.peerId });
    if (!this.#budget.invalid.take()) this.#cutOff('sent too much invalid data');
  }

  /** The peer is gone for good: fail what is queued for it and forget it. */
  end(reason: DisconnectReason, why = reason === DisconnectReason.local ? 'Disconnected' : 'The peer left'): void {
    if (this.#gone) return;
    // Our tab may be closing: the peer learns what arrived, and what was read.
    this.#flushReceipts();
    this.#dropLink();
    const wasAnnounced = this.#announced;
    this.#connected = false;
    this.#announced = false;
    this.#listed = false;
    this.host.transfers.abandon(this.peerId, why);
    for (const message of this.#outbox.drain()) this.host.undeliverable(message, this.peerId, why);
    this.#forgetReceipts();
    this.#forget(new PeerChatError(ErrorType.connection, `${why}: ${this.peerId}`, this.peerId));
    if (wasAnnounced) this.host.emit('peer-chat-disconnect', { peerId: this.peerId, reason });
  }

  // ---- connection life -------------------------------------------------------------------

  get #plain(): boolean {
    return !this.#link?.speaksProtocol || this.#plainText;
  }

  async #dial(): Promise<void> {
    try {
      const link = await this.host.dial(this.peerId);
      // The peer dialed us meanwhile and that link already works: keep it, not two. Or this
      // session ended while the dial ran (disconnected, given up): it must not come back to life.
      if (this.#connected || this.#gone) return link.close();
      this.adopt(link);
    } catch (error) {
      const typed = error instanceof PeerChatError ? error : new PeerChatError(ErrorType.connection, String(error), this.peerId);
      if (!this.#link && !this.#listed) this.#forget(typed);
      throw typed;
    } finally {
      this.#dialing = null;
    }
  }

  #opened(link: Link): void {
    this.#lastHeard = this.host.clock.now();
    if (!link.speaksProtocol) {
      this.#markConnected();
      // A plain PeerJS app under the id of a peer we were waiting for.
      return this.#sendPendingAsPlain();
    }
    // The very `hello` relayed with our answer, if we answered: the peer drops a link whose two
    // differ, as the owner may have changed `mesh` or `name` since.
    this.sendFrame(link.answerHello ?? this.#hello());
    // Open but silent: a plain PeerJS app that dialed with our serialization, or a broken peer.
    this.#expectHello(link, TIMING.helloTimeoutMs);
    // The peer's `hello` as the signaling server relayed it with the answer: usable now, rather
    // than once the peer's own arrives over the connection, half a round trip from now.
    const relayed = link.relayedHello === undefined ? null : decodeControl(link.relayedHello);
    if (relayed?.ok && relayed.value.t === 'hello') {
      // Not one of another version: plain text would take the queue on the relay's word alone.
      if (relayed.value.v === PROTOCOL_VERSION) this.#handleHello(relayed.value, true);
      return;
    }
    if (relayed) this.violation(`The signaling server relayed a malformed hello from ${this.peerId}`);
  }

  /** Drops `link` unless the peer's `hello` comes on it within `ms`. */
  #expectHello(link: Link, ms: number): void {
    this.#helloTimer.set(() => {
      if (this.#link === link && !this.#connected) this.#lost(DisconnectReason.timeout);
    }, ms);
  }

  #hello(): HelloFrame {
    return { t: 'hello', v: PROTOCOL_VERSION, name: this.host.ownName, session: this.#ownSession, readInAck: true, ...(this.host.ownMesh ? { mesh: true } : {}) };
  }

  #handleHello(frame: HelloFrame, relayed = false): void {
    // One per link: the one relayed with the answer (see #opened) comes again from the peer itself.
    if (this.#greeted === this.#link) return this.#confirmHello(frame);
    this.#greeted = this.#link;
    this.#ackedOnLink = 0;
    this.#readOnLink = 0;
    this.#relayedHello = relayed ? frame : null;
    this.#helloTimer.cancel();
    // Each link's own: a peer that spoke another version may come back speaking ours.
    this.#plainText = frame.v !== PROTOCOL_VERSION;
    if (this.#plainText) {
      this.host.emit('peer-chat-error', {
        type: ErrorType.protocol,
        message: `${frame.name || this.peerId} uses protocol version ${frame.v}, this page version ${PROTOCOL_VERSION}: only plain text messages can be exchanged (no files, no delivery receipts)`,
        peerId: this.peerId,
      });
    }
    if (this.#remoteSession && this.#remoteSession !== frame.session) {
      // The peer reloaded (a new element with the same id), or gave up on us and connected
      // again: it holds nothing of before. Its old transfers are gone, and our unacknowledged
      // messages are numbered afresh for it.
      this.host.transfers.abandon(this.peerId, 'The peer started afresh');
      this.#inbox.reset();
      this.#outbox.renumber();
      this.#forgetReceipts();
    }
    this.#remoteSession = frame.session;
    this.#remoteMesh = frame.mesh === true;
    this.#remoteReadInAck = frame.readInAck === true;
    this.name = safeName(frame.name, LIMITS.maxNameLength);
    this.safetyCode = this.#link?.safetyCode ?? '';
    this.#markConnected();
    if (this.#plainText) return this.#sendPendingAsPlain();
    // Catch up: re-send what was not acknowledged (the peer drops duplicates), resume files.
    for (const outgoing of this.#outbox.pending) this.#sendMessage(outgoing);
    this.#catchUpRead();
    this.host.transfers.resume(this.peerId);
    if (this.isMeshMember) this.host.joined(this);
  }

  /**
   * The peer came back speaking another version, or on a link that speaks none (a plain PeerJS
   * app under its id): what it had not acknowledged goes as plain text, as `send` sends from now
   * on (delivered, with no receipts to come), not pending for good. Files cannot go on with it:
   * paused, they would wait for it for good (it kept its `session` when another version reloaded).
   */
  #sendPendingAsPlain(): void {
    this.host.transfers.abandon(this.peerId, 'The peer came back without this version of the chat protocol');
    for (const message of this.#outbox.drain()) {
      this.#link!.sendControl(message.text);
      this.host.delivered(message, this.peerId);
      this.host.readUnconfirmed(message, this.peerId);
    }
  }

  /**
   * A `hello` after the one taken for this link. The peer's own word wins over the signaling
   * server's relay: a new name is taken; a different version, session, group flag or `readInAck`
   * means the relay was altered, and the connection built on it is dropped.
   */
  #confirmHello(frame: HelloFrame): void {
    const relayed = this.#relayedHello;
    if (!relayed) return;
    this.#relayedHello = null;
    if (frame.v !== relayed.v || frame.session !== relayed.session || !frame.mesh !== !relayed.mesh || !frame.readInAck !== !relayed.readInAck) {
      return this.#cutOff('said another hello than the signaling server relayed');
    }
    const name = safeName(frame.name, LIMITS.maxNameLength);
    if (name === this.name) return;
    this.name = name;
    this.host.changed();
  }

  #markConnected(): void {
    if (this.#connected) return;
    this.#connected = true;
    this.#dialsFirst = false;
    this.#redialAttempt = 0;
    this.#redialTimer.cancel();
    this.#giveUpTimer.cancel();
    this.#listed = true;
    // `connect()` callers first: their code then runs before the render this change asks for.
    for (const waiter of this.#waiters.splice(0)) waiter.resolve();
    this.host.changed();
    if (!this.#announced) {
      this.#announced = true;
      this.host.emit('peer-chat-connect', {
        peerId: this.peerId,
        ...(this.name ? { name: this.name } : {}),
        ...(this.safetyCode ? { safetyCode: this.safetyCode } : {}),
        ...(this.#link?.route ? { route: this.#link.route } : {}),
      });
    }
  }

  /** The link dropped without a goodbye: keep the peer's queue and try to get it back. */
  #lost(reason: DisconnectReason): void {
    this.#dropLink();
    this.#connected = false;
    this.#helloTimer.cancel();
    if (!this.#listed) {
      // Never got going: nothing to resume.
      return this.#forget(new PeerChatError(ErrorType.connection, `The connection to ${this.peerId} failed`, this.peerId));
    }
    // Still listed, as reconnecting, until it is back or we give up.
    this.host.transfers.pause(this.peerId);
    this.host.changed();
    if (this.#announced) {
      this.#announced = false;
      this.host.emit('peer-chat-disconnect', { peerId: this.peerId, reason });
      // The page's listener may have stopped everything (removed the element): nothing to wait for.
      if (this.#gone) return;
    }
    this.#scheduleRedial();
    // A link lost before its `hello` did not bring the peer back: its time to come back runs on.
    if (!this.#giveUpTimer.pending) this.#giveUpTimer.set(() => this.end(reason, 'The peer did not come back'), this.host.reconnectTimeoutMs);
  }

  /**
   * Re-dials a dropped peer with backoff. Only the side with the smaller id dials, so that
   * the two sides do not cross connections; the other waits for it.
   */
  #scheduleRedial(): void {
    if (!(this.host.ownId < this.peerId) && !this.#dialsFirst) return;
    const delay = TIMING.redialDelaysMs[Math.min(this.#redialAttempt, TIMING.redialDelaysMs.length - 1)];
    this.#redialAttempt++;
    this.#redialTimer.set(() => {
      if (this.#gone || this.#link) return;
      (this.#dialing ??= this.#dial()).catch(() => {
        if (!this.#gone && !this.#link) this.#scheduleRedial();
      });
    }, delay);
  }

  #dropLink(): void {
    if (!this.#link) return;
    this.#link.listener = null;
    this.#link.close();
    this.#link = null;
  }

  /** Drops all state about the peer; `connect()` calls still waiting fail with `error`. */
  #forget(error: PeerChatError): void {
    this.#gone = true;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
    this.#helloTimer.cancel();
    this.#redialTimer.cancel();
    this.#giveUpTimer.cancel();
    this.host.removed(this);
    this.host.changed();
  }

  // ---- incoming frames -------------------------------------------------------------------

  #handleControl(link: Link, data: unknown): void {
    if (this.#link !== link) return;
    this.#lastHeard = this.host.clock.now();
    if (!this.#budget.frames.take()) return this.#cutOff('sent too many frames (flooding)');
    const decoded = link.speaksProtocol ? decodeControl(data) : null;
    if (this.#plain) {
      // Plain text: strings are chat messages; our own greeting and goodbye frames still count.
      const frame = decoded?.ok ? decoded.value : null;
      if (frame?.t === 'hello' || frame?.t === 'bye' || frame?.t === 'ping') return this.#handleFrame(frame);
      if (typeof data === 'string' && data.length <= LIMITS.maxTextLength) return this.#receiveText(data);
      return this.violation(`Unsupported data from ${this.peerId}`);
    }
    if (!decoded!.ok) return this.violation(`Bad frame from ${this.peerId}: ${decoded!.error}`);
    const frame = decoded!.value;
    if (!this.#connected && frame.t !== 'hello' && frame.t !== 'bye' && frame.t !== 'ping') {
      return this.violation(`${this.peerId} sent "${frame.t}" before "hello"`);
    }
    this.#handleFrame(frame);
  }

  #handleFrame(frame: ControlFrame): void {
    if (isTransferFrame(frame)) return this.host.transfers.handleFrame(this.peerId, frame);
    switch (frame.t) {
      case 'hello':
        return this.#handleHello(frame);
      case 'bye':
        return this.end(DisconnectReason.left);
      case 'ping':
        return;
      case 'msg': {
        if (!this.#budget.text.take(frame.text.length)) return this.#cutOff('sent too much text (flooding)');
        const arrival = this.#inbox.take(frame.seq);
        if (arrival === Arrival.gap) return this.violation(`${this.peerId} skipped messages (got ${frame.seq} after ${this.#inbox.last})`);
        if (arrival === Arrival.new) {
          this.#receipts.received(frame.id, frame.seq);
          this.host.typing(this.peerId, false);
          this.host.received({ id: frame.id, from: this.peerId, text: frame.text, time: frame.time, direction: Direction.in });
        }
        // A re-send of something we have is acknowledged again, and shown once.
        return this.#acknowledge();
      }
      case 'ack': {
        const done = this.#outbox.acknowledge(frame.seq);
        if (!done) return this.violation(`${this.peerId} acknowledged a message never sent`);
        this.#receipts.delivered(done);
        for (const { message } of done) this.host.delivered(message, this.peerId);
        if (frame.read !== undefined) this.#peerRead(frame.read);
        // After the read the same frame may carry, which covers them.
        for (const message of this.#receipts.overflow()) this.host.readUnconfirmed(message, this.peerId);
        return;
      }
      case 'peers':
        // Only between group members; others never send it.
        if (!this.isMeshMember) return this.violation(`${this.peerId} sent "peers" outside a group`);
        return this.host.introduced(this, frame.ids);
      case 'read':
        return this.#peerRead(frame.seq);
      case 'typing':
        return this.host.typing(this.peerId, true);
    }
  }

  /** The person on the peer's side saw our messages up to `seq`. */
  #peerRead(seq: number): void {
    const read = this.#receipts.read(seq);
    if (!read) return this.violation(`${this.peerId} read a message never delivered`);
    for (const message of read) this.host.read(message, this.peerId);
  }

  #receiveText(text: string): void {
    if (!this.#budget.text.take(text.length)) return this.#cutOff('sent too much text (flooding)');
    this.host.received({ id: this.host.newId(), from: this.peerId, text, time: this.host.clock.wallTime(), direction: Direction.in });
  }

  #cutOff(why: string): void {
    if (this.#gone) return;
    this.host.emit('peer-chat-error', { type: ErrorType.protocol, message: `Disconnected ${this.peerId}: it ${why}`, peerId: this.peerId });
    this.end(DisconnectReason.protocol, `Cut off: it ${why}`);
  }

  #forgetReceipts(): void {
    // A `read` or `ack` held back numbers messages of the session that ended.
    this.#readTimer.cancel();
    this.#lastReadAt = -Infinity;
    this.#ackTimer.cancel();
    this.#ackToSend = 0;
    this.#readToSend = 0;
    for (const message of this.#receipts.reset()) this.host.readUnconfirmed(message, this.peerId);
    this.host.typing(this.peerId, false);
  }

  /** Sends once the message and its number are stored: a reload never reuses a number. */
  #sendMessage({ seq, message }: Outgoing): void {
    this.host.whenSaved(() => {
      if (this.#connected) this.sendFrame({ t: 'msg', id: message.id, text: message.text, time: message.time, seq });
    });
  }
}
