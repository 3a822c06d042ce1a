/**
 * The conversation: messages and file transfers in the order they happened here (arrival
 * order; the sender's clock is only a label), bounded to the newest `limit` messages and
 * finished transfers. Transfers still running are never dropped.
 */
import { Direction, type ChatMessage } from './types.js';

/** What the history holds of a transfer. */
export interface HistoryTransfer {
  readonly finished: boolean;
}

export type Entry<T extends HistoryTransfer> = { kind: 'message'; message: ChatMessage } | { kind: 'transfer'; transfer: T };

export const DEFAULT_MAX_HISTORY = 1000;

export class History<T extends HistoryTransfer> {
  #entries: Array<Entry<T>> = [];
  /** Messages and finished transfers: what the limit counts. Kept up to date, never recounted. */
  #countable = 0;
  /** Transfers still running: they count once they finish. */
  readonly #running = new Set<T>();
  /**
   * The ids of the incoming messages held, by sender: a peer that started afresh with us sends
   * again, under new numbers, the messages whose `ack` it never got, and those are not taken
   * twice. The messages' own id strings: no new string per message.
   */
  readonly #incoming = new Map<string, Set<string>>();

  constructor(
    private limit: number,
    /** Called for each entry that leaves the history: a transfer's file is released, a stored message deleted. */
    private readonly dropped: (entry: Entry<T>) => void,
  ) {}

  get all(): ReadonlyArray<Entry<T>> {
    return this.#entries;
  }

  get size(): number {
    return this.#entries.length;
  }

  /** The newest `count` entries, oldest first. */
  recent(count: number): ReadonlyArray<Entry<T>> {
    return count >= this.#entries.length ? this.#entries : this.#entries.slice(this.#entries.length - count);
  }

  setLimit(limit: number): void {
    this.limit = limit;
    this.#trim();
  }

  /** Adds `message`; false, and nothing added, for an incoming one whose sender and id it holds already. */
  addMessage(message: ChatMessage): boolean {
    if (message.direction === Direction.in) {
      let ids = this.#incoming.get(message.from);
      if (!ids) this.#incoming.set(message.from, (ids = new Set()));
      if (ids.has(message.id)) return false;
      ids.add(message.id);
    }
    this.#entries.push({ kind: 'message', message });
    this.#countable++;
    this.#trim();
    return true;
  }

  addTransfer(transfer: T): void {
    this.#entries.push({ kind: 'transfer', transfer });
    if (transfer.finished) this.#countable++;
    else this.#running.add(transfer);
    this.#trim();
  }

  /** Something about the transfers changed: those that finished now count towards the limit. */
  transferFinished(): void {
    for (const transfer of this.#running) {
      if (!transfer.finished) continue;
      this.#running.delete(transfer);
      this.#countable++;
    }
    this.#trim();
  }

  /** Forgets every message and finished transfer; running transfers stay. */
  clear(): void {
    this.transferFinished();
    const kept: Array<Entry<T>> = [];
    for (const entry of this.#entries) {
      if (entry.kind === 'transfer' && this.#running.has(entry.transfer)) kept.push(entry);
      else this.dropped(entry);
    }
    this.#entries = kept;
    this.#countable = 0;
    this.#incoming.clear();
  }

  /** Drops the oldest counted entries beyond the limit (usually the first entry: no search). */
  #trim(): void {
    while (this.#countable > this.limit) {
      const index = this.#entries.findIndex((entry) => entry.kind === 'message' || !this.#running.has(entry.transfer));
      const [entry] = this.#entries.splice(index, 1);
      this.#countable--;
      if (entry.kind === 'message') this.#incoming.get(entry.message.from)?.delete(entry.message.id);
      this.dropped(entry);
    }
  }
}
