/**
 * Read receipts with one peer, numbered by the `seq` of delivery (see delivery.ts).
 * Outgoing: our messages it acknowledged, until its cumulative `read` covers them. Incoming:
 * its messages the person has not seen yet, so that seeing one sends `read` with its `seq`.
 */
import type { Outgoing } from './delivery.js';
import type { ChatMessage } from './types.js';

/**
 * Messages remembered per peer each way, whatever the peer does: older unseen ones can no
 * longer be reported read, older ones awaiting its `read` are given up on.
 */
const MAX_REMEMBERED = 10_000;

/** Unseen messages stored for a reload: a screenful, as seeing one reports those before it read. */
const UNSEEN_STORED = 20;

export interface Unseen {
  id: string;
  seq: number;
}

/** What a reload needs of the receipts with one peer (see ReadReceipts.saved). */
export interface SavedReceipts {
  /** The newest of the peer's messages the person saw; absent in records written before it was stored. */
  seen?: number;
  /** The newest of its messages the person had not seen, oldest first. */
  unseen?: Unseen[];
}

export class ReadReceipts {
  #awaitingRead: Outgoing[] = [];
  #lastDelivered = 0;
  #unseen: Unseen[] = [];
  #lastSeen = 0;

  /**
   * Back from storage after our reload: the peer acknowledged every `seq` up to `lastDelivered`.
   * Which messages those were is not stored, so its `read` of them is taken, not shown; what the
   * person had not seen of its messages is reported read when seen now.
   */
  restore(lastDelivered: number, saved: SavedReceipts): void {
    this.#lastDelivered = lastDelivered;
    this.#lastSeen = saved.seen ?? 0;
    this.#unseen = saved.unseen ?? [];
  }

  /** What to store for a reload (see SavedReceipts). */
  saved(): SavedReceipts {
    return { seen: this.#lastSeen, unseen: this.#unseen.slice(-UNSEEN_STORED) };
  }

  /** The newest of the peer's messages the person saw (0: none, or none since the peer started afresh). */
  get lastSeen(): number {
    return this.#lastSeen;
  }

  /** The peer acknowledged these messages: they wait for its `read`. */
  delivered(done: readonly Outgoing[]): void {
    for (const outgoing of done) {
      this.#awaitingRead.push(outgoing);
      this.#lastDelivered = Math.max(this.#lastDelivered, outgoing.seq);
    }
  }

  /** The oldest of those beyond the bound, no longer waited for: it will never be known to read them. */
  overflow(): ChatMessage[] {
    return this.#awaitingRead.splice(0, this.#awaitingRead.length - MAX_REMEMBERED).map((outgoing) => outgoing.message);
  }

  /** The peer saw every message up to `seq`: returns them, or null if `seq` was never delivered. */
  read(seq: number): ChatMessage[] | null {
    if (seq > this.#lastDelivered) return null;
    const read: ChatMessage[] = [];
    while (this.#awaitingRead.length > 0 && this.#awaitingRead[0].seq <= seq) read.push(this.#awaitingRead.shift()!.message);
    return read;
  }

  /** A message from the peer, taken once. */
  received(id: string, seq: number): void {
    this.#unseen.push({ id, seq });
    if (this.#unseen.length > MAX_REMEMBERED) this.#unseen.shift();
  }

  /** The person saw the peer's message `id`: the `seq` to send in `read`, or 0 when there is nothing new to tell. */
  seen(id: string): number {
    const index = this.#unseen.findIndex((entry) => entry.id === id);
    if (index < 0) return 0;
    const { seq } = this.#unseen[index];
    // Cumulative: the messages before it count as seen too.
    this.#unseen.splice(0, index + 1);
    if (seq <= this.#lastSeen) return 0;
    this.#lastSeen = seq;
    return seq;
  }

  /** The peer started afresh (numbers start again) or is gone: returns the messages it will never report read. */
  reset(): ChatMessage[] {
    const unconfirmed = this.#awaitingRead.map((outgoing) => outgoing.message);
    this.#awaitingRead = [];
    this.restore(0, {});
    return unconfirmed;
  }
}
