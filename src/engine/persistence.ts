/**
 * What a `persist`ing element keeps across reloads, and when it writes it. The engine sees
 * storage only through {@link ChatStore}: IndexedDB in browsers (indexeddb-store.ts), memory
 * in unit tests.
 */
import type { ChatMessage } from './types.js';

/** One peer the element was connected to, with the delivery state both ways. */
export interface SavedPeer {
  peerId: string;
  name: string;
  /** The peer's session, as its last `hello` said: the same after a reload means "resume". */
  session: string | undefined;
  /** The last `seq` taken from the peer. */
  received: number;
  /** The last `seq` given to a message for the peer. */
  sent: number;
  /** Messages the peer has not acknowledged, whole: the history may have dropped them. */
  unacked: Array<{ seq: number; message: ChatMessage }>;
}

export interface SavedChat {
  peerId: string;
  session: string;
  /** The DTLS certificate, so a reloaded element keeps its fingerprint (and the safety codes). */
  certificate: RTCCertificate | null;
  /** Messages only: files are not kept. */
  history: ChatMessage[];
  peers: SavedPeer[];
}

export interface ChatStore {
  /** The saved chat, if any. */
  load(): Promise<SavedChat | null>;
  /**
   * Makes `peerId` this element's for as long as it runs (a Web Lock): false when another
   * tab of the site holds it, and then this element must not write.
   */
  claim(peerId: string): Promise<boolean>;
  /** Replaces the saved chat; does nothing when another element holds the record. */
  save(chat: SavedChat): Promise<void>;
  /** Lets go of the claim. */
  release(): void;
}

/**
 * Writes the chat after each change, one write at a time, coalescing bursts. Frames that
 * must not travel before their effect is stored (an `ack`, a numbered message) wait for it
 * with {@link whenSaved}: what a peer was told we hold is never lost on a reload.
 */
export class Persistence {
  #dirty = false;
  #writing = false;
  readonly #waiting: Array<() => void> = [];

  constructor(
    private readonly store: ChatStore,
    private readonly snapshot: () => SavedChat,
    private readonly failed: (error: unknown) => void,
  ) {}

  /** Something to keep changed: write soon. */
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

  async #flush(): Promise<void> {
    if (this.#writing) return; // The running loop writes again.
    this.#writing = true;
    while (this.#dirty) {
      this.#dirty = false;
      const stored = this.#waiting.splice(0);
      try {
        await this.store.save(this.snapshot());
      } catch (error) {
        this.failed(error);
      }
      // Even after a failed write: the chat goes on, unpersisted, rather than stalls.
      for (const callback of stored) callback();
    }
    this.#writing = false;
  }
}
