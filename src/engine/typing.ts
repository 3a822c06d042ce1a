/**
 * Typing indicators. Ours: a `typing` frame at most every 2 s while the person types. Theirs:
 * a peer counts as typing until 5 s after its last `typing` frame, or until its message arrives.
 */
import type { Clock, Timer } from './clock.js';

export const TYPING = {
  /** At most one `typing` frame per this interval. */
  sendIntervalMs: 2000,
  /** A peer's indicator goes this long after its last `typing` frame. */
  showForMs: 5000,
} as const;

/** The peers typing now, each with the timer that ends its indicator. */
export class TypingPeers {
  readonly #timers = new Map<string, Timer>();

  constructor(
    private readonly clock: Clock,
    private readonly changed: () => void,
  ) {}

  get ids(): string[] {
    return [...this.#timers.keys()];
  }

  typing(peerId: string): void {
    const shown = this.#timers.has(peerId);
    this.#timers.get(peerId)?.cancel();
    this.#timers.set(
      peerId,
      this.clock.setTimeout(() => this.stopped(peerId), TYPING.showForMs),
    );
    if (!shown) this.changed();
  }

  /** Its message arrived, or it left. */
  stopped(peerId: string): void {
    const timer = this.#timers.get(peerId);
    if (!timer) return;
    timer.cancel();
    this.#timers.delete(peerId);
    this.changed();
  }
}
