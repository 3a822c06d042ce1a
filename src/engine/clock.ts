/**
 * Time, injected (like .NET's `TimeProvider`): the engine never reads a clock or sets a timer
 * of its own, so tests drive liveness, re-dials and give-ups with a fake clock in milliseconds.
 */

/** A scheduled callback that can be cancelled. */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Monotonic milliseconds: for durations; unaffected by changes of the wall clock. */
  now(): number;
  /** Milliseconds since the epoch: for labels shown to people, never for ordering or timing. */
  wallTime(): number;
  /** Runs `callback` once, after `delayMs`. */
  setTimeout(callback: () => void, delayMs: number): Timer;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  wallTime: () => Date.now(),
  setTimeout(callback, delayMs) {
    // Browsers take the delay as a 32-bit integer: a longer one (a `reconnect-timeout` of 30 days) would fire at once.
    const handle = globalThis.setTimeout(callback, Math.min(delayMs, 2 ** 31 - 1));
    return { cancel: () => globalThis.clearTimeout(handle) };
  },
};

/** A check that says yes at most once per `intervalMs`. */
export function throttle(clock: Clock, intervalMs: number): () => boolean {
  let last = -Infinity;
  return () => {
    const now = clock.now();
    if (now - last < intervalMs) return false;
    last = now;
    return true;
  };
}

/** Holds at most one pending timer: setting it again replaces the previous one. */
export class TimerSlot {
  #timer: Timer | null = null;

  constructor(private readonly clock: Clock) {}

  get pending(): boolean {
    return this.#timer !== null;
  }

  set(callback: () => void, delayMs: number): void {
    this.cancel();
    const timer = this.clock.setTimeout(() => {
      if (this.#timer === timer) this.#timer = null;
      callback();
    }, delayMs);
    this.#timer = timer;
  }

  cancel(): void {
    this.#timer?.cancel();
    this.#timer = null;
  }
}
