/**
 * What a `persist`ing element keeps across reloads, and when it writes it. The engine sees
 * storage only through {@link ChatStore}: IndexedDB in browsers (indexeddb-store.ts), memory
 * in unit tests.
 */
import type { ChatMessage } from './types.js';
import type { SavedReceipts } from './receipts.js';

/** One peer the element was connected to, with the delivery state both ways. */
export interface SavedPeer extends SavedReceipts {
  peerId: string;
  name: string;
  /** The peer's session, as its last `hello` said: the same after a reload means "resume". */
  session: string | undefined;
  /** Ours with the peer, as our `hello` says; absent in records written before sessions were per peer (the element's `session` then). */
  ownSession?: string;
  /** The last `seq` taken from the peer. */
  received: number;
  /** The last `seq` given to a message for the peer. */
  sent: number;
  /** Messages the peer has not acknowledged, whole: the history may have dropped them. */
  unacked: Array<{ seq: number; message: ChatMessage }>;
}

/**
 * A message as stored, with its place in the history: places grow with each message recorded,
 * and messages leave the history from the lowest place up (the oldest first, or all at once).
 */
export interface StoredMessage {
  place: number;
  message: ChatMessage;
}

export interface SavedChat {
  peerId: string;
  session: string;
  /** The DTLS certificate, so a reloaded element keeps its fingerprint (and the safety codes). */
  certificate: RTCCertificate | null;
  /** Messages only, in order of place: files are not kept. */
  history: StoredMessage[];
  peers: SavedPeer[];
}

/** All of the saved chat but its messages: small, written whole each time. */
export type SavedRecord = Omit<SavedChat, 'history'>;

/**
 * One write: the record, and the history by its changes only, so that storing a message costs
 * the same at any history length.
 */
export interface ChatWrite {
  record: SavedRecord;
  /** Messages new or changed since the last write; every message when `replace`. */
  messages: StoredMessage[];
  /** Stored messages at places below this left the history. */
  keepFrom: number;
  /** The stored messages are not this history's (a record taken over, a restart): delete them all first. */
  replace: boolean;
}

export interface ChatStore {
  /** The saved chat, if any. */
  load(): Promise<SavedChat | null>;
  /**
   * Makes `peerId` this element's for as long as it runs (a Web Lock): false when another
   * tab of the site holds it, and then this element must not write.
   */
  claim(peerId: string): Promise<boolean>;
  /** Applies one write, whole or not at all; does nothing when another element holds the record. */
  save(write: ChatWrite): Promise<void>;
  /** Lets go of the claim. */
  release(): void;
}

/**
 * Writes the chat after each change, one write at a time, coalescing bursts. The history goes
 * by its changes: each message gets a place when recorded, and a write puts only the messages
 * added or changed since the last one (with 5,000 in the history, writing them all made one
 * message cost the receiving tab 17.9 ms of main-thread CPU against 3.4 with an empty one).
 * Frames that must not travel before their effect is stored (an `ack`, a numbered message)
 * wait for it with {@link whenSaved}: what a peer was told we hold is never lost on a reload.
 */
export class Persistence {
  #dirty = false;
  #writing = false;
  /** Callbacks for after the next write. */
  readonly #waiting: Array<() => void> = [];
  /** Callbacks for after the write in progress, if any. */
  #afterWrite: Array<() => void> | null = null;
  readonly #places = new WeakMap<ChatMessage, number>();
  /** Messages added or changed since the last write that succeeded. */
  #unwritten = new Set<ChatMessage>();
  #nextPlace = 0;
  #keepFrom = 0;
  #replace = false;

  /**
   * `history`: the messages the history holds now. When they are the `stored` ones, just
   * loaded, they keep their places and nothing is written until something changes; otherwise
   * (or without `stored`: a record taken over) the first write replaces what the store holds.
   */
  constructor(
    private readonly store: ChatStore,
    private record: () => SavedRecord,
    private readonly failed: (error: unknown) => void,
    history: readonly ChatMessage[],
    stored?: readonly StoredMessage[],
  ) {
    const loaded = stored !== undefined && history.length === stored.length && history.every((message, index) => stored[index].message === message);
    if (loaded) {
      for (const { place, message } of stored) this.#places.set(message, place);
      this.#keepFrom = stored[0]?.place ?? 0;
      this.#nextPlace = (stored.at(-1)?.place ?? -1) + 1;
    } else {
      this.#replace = true;
      for (const message of history) this.added(message);
    }
  }

  /**
   * The engine stops: a write still to come stores the record as it is now, not as stopping
   * leaves it (no peers, no certificate, and after a restart a new session).
   */
  freeze(): void {
    const record = this.record();
    this.record = () => record;
  }

  /** A message joined the history. */
  added(message: ChatMessage): void {
    this.#places.set(message, this.#nextPlace++);
    this.#unwritten.add(message);
    this.touch();
  }

  /** A message of the history changed (its delivery status). */
  changed(message: ChatMessage): void {
    if (!this.#places.has(message)) return;
    this.#unwritten.add(message);
    this.touch();
  }

  /** A message left the history: it and every message before it. */
  dropped(message: ChatMessage): void {
    const place = this.#places.get(message);
    if (place === undefined) return;
    this.#keepFrom = Math.max(this.#keepFrom, place + 1);
    // Not written again when its status changes later (a late `read`): the write would store it back.
    this.#places.delete(message);
    this.#unwritten.delete(message);
    this.touch();
  }

  /** Something else to keep changed (peers, delivery state): write soon. */
  touch(): void {
    if (this.#dirty) return;
    this.#dirty = true;
    queueMicrotask(() => void this.#flush());
  }

  /** Runs `callback` once the present state is stored. */
  whenSaved(callback: () => void): void {
    this.#waiting.push(callback);
    this.touch();
  }

  /** Runs `callback` after the writes asked for so far, asking for none (it changed nothing to store). */
  afterSaved(callback: () => void): void {
    if (this.#dirty) this.#waiting.push(callback);
    else if (this.#afterWrite) this.#afterWrite.push(callback);
    else callback();
  }

  async #flush(): Promise<void> {
    if (this.#writing) return; // The running loop writes again.
    this.#writing = true;
    while (this.#dirty) {
      this.#dirty = false;
      const stored = this.#waiting.splice(0);
      this.#afterWrite = stored;
      const taken = this.#unwritten;
      this.#unwritten = new Set();
      const messages = [...taken].map((message) => ({ place: this.#places.get(message)!, message: { ...message } }));
      try {
        await this.store.save({ record: this.record(), messages, keepFrom: this.#keepFrom, replace: this.#replace });
        this.#replace = false;
      } catch (error) {
        this.failed(error);
        // Written with the next change, unless the history dropped them meanwhile.
        for (const message of taken) if (this.#places.get(message)! >= this.#keepFrom) this.#unwritten.add(message);
      }
      // Even after a failed write: the chat goes on, unpersisted, rather than stalls.
      this.#afterWrite = null;
      for (const callback of stored) callback();
    }
    this.#writing = false;
  }
}
