/**
 * Reliable delivery of chat messages to one peer: numbered, acknowledged cumulatively,
 * re-sent after a reconnection, and taken exactly once on the receiving side.
 */
import type { ChatMessage } from './types.js';

export interface Outgoing {
  seq: number;
  message: ChatMessage;
}

/** Our messages to one peer that it has not acknowledged yet. */
export class Outbox {
  #lastSeq = 0;
  #unacked: Outgoing[] = [];

  get pending(): readonly Outgoing[] {
    return this.#unacked;
  }

  get last(): number {
    return this.#lastSeq;
  }

  /** Back from storage after a reload: numbering goes on where it was. */
  restore(lastSeq: number, unacked: Outgoing[]): void {
    this.#lastSeq = lastSeq;
    this.#unacked = unacked;
  }

  add(message: ChatMessage): Outgoing {
    const outgoing = { seq: ++this.#lastSeq, message };
    this.#unacked.push(outgoing);
    return outgoing;
  }

  /** Everything up to `seq` arrived; returns those messages, or null if `seq` was never sent. */
  acknowledge(seq: number): Outgoing[] | null {
    if (seq > this.#lastSeq) return null;
    const done: Outgoing[] = [];
    while (this.#unacked.length > 0 && this.#unacked[0].seq <= seq) done.push(this.#unacked.shift()!);
    return done;
  }

  /** The peer started afresh (a new session): what it has not acknowledged is numbered anew. */
  renumber(): void {
    this.#lastSeq = 0;
    for (const outgoing of this.#unacked) outgoing.seq = ++this.#lastSeq;
  }

  /** Gives up: returns what was never acknowledged. */
  drain(): ChatMessage[] {
    const undelivered = this.#unacked.map((outgoing) => outgoing.message);
    this.#unacked = [];
    return undelivered;
  }
}

export const Arrival = { new: 'new', duplicate: 'duplicate', gap: 'gap' } as const;
export type Arrival = (typeof Arrival)[keyof typeof Arrival];

/** The last message taken from one peer, so a re-sent one is not shown twice. */
export class Inbox {
  #lastSeq = 0;

  get last(): number {
    return this.#lastSeq;
  }

  take(seq: number): Arrival {
    if (seq <= this.#lastSeq) return Arrival.duplicate;
    if (seq !== this.#lastSeq + 1) return Arrival.gap;
    this.#lastSeq = seq;
    return Arrival.new;
  }

  reset(): void {
    this.#lastSeq = 0;
  }

  /** Back from storage after a reload. */
  restore(lastSeq: number): void {
    this.#lastSeq = lastSeq;
  }
}
