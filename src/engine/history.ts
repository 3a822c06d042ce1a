/**
 * The conversation: messages and file transfers in the order they happened here (arrival
 * order; the sender's clock is only a label), bounded to the newest `limit` messages and
 * finished transfers. Transfers still running are never dropped.
 */
import type { ChatMessage } from './types.js';

/** What the history holds of a transfer. */
export interface HistoryTransfer {
  readonly finished: boolean;
}

export type Entry<T extends HistoryTransfer> = { kind: 'message'; message: ChatMessage } | { kind: 'transfer'; transfer: T };

export const DEFAULT_MAX_HISTORY = 1000;

export class History<T extends HistoryTransfer> {
  private entries: Array<Entry<T>> = [];

  constructor(
    private limit: number,
    /** Called for each transfer that leaves the history, so what it holds is released. */
    private readonly released: (transfer: T) => void,
  ) {}

  get all(): ReadonlyArray<Entry<T>> {
    return this.entries;
  }

  setLimit(limit: number): void {
    this.limit = limit;
    this.trim();
  }

  addMessage(message: ChatMessage): void {
    this.entries.push({ kind: 'message', message });
    this.trim();
  }

  addTransfer(transfer: T): void {
    this.entries.push({ kind: 'transfer', transfer });
    this.trim();
  }

  /** A transfer finished: it now counts towards the limit. */
  transferFinished(): void {
    this.trim();
  }

  /** Forgets every message and finished transfer; running transfers stay. */
  clear(): void {
    const kept: Array<Entry<T>> = [];
    for (const entry of this.entries) {
      if (entry.kind === 'transfer' && !entry.transfer.finished) kept.push(entry);
      else if (entry.kind === 'transfer') this.released(entry.transfer);
    }
    this.entries = kept;
  }

  private trim(): void {
    let excess = this.entries.filter(counts).length - this.limit;
    if (excess <= 0) return;
    this.entries = this.entries.filter((entry) => {
      if (excess <= 0 || !counts(entry)) return true;
      excess--;
      if (entry.kind === 'transfer') this.released(entry.transfer);
      return false;
    });
  }
}

const counts = <T extends HistoryTransfer>(entry: Entry<T>) => entry.kind === 'message' || entry.transfer.finished;
