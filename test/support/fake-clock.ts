/** A clock for unit tests: time moves only when the test says so. */
import type { Clock, Timer } from '../../src/engine/clock.js';

interface Pending {
  at: number;
  order: number;
  callback: () => void;
  cancelled: boolean;
}

export class FakeClock implements Clock {
  private monotonic = 0;
  private wall: number;
  private pending: Pending[] = [];
  private order = 0;

  constructor(wallStart = Date.UTC(2026, 10, 26, 12, 0, 0)) {
    this.wall = wallStart;
  }

  now(): number {
    return this.monotonic;
  }

  wallTime(): number {
    return this.wall;
  }

  setTimeout(callback: () => void, delayMs: number): Timer {
    const entry: Pending = { at: this.monotonic + Math.max(0, delayMs), order: this.order++, callback, cancelled: false };
    this.pending.push(entry);
    return { cancel: () => (entry.cancelled = true) };
  }

  /** Timers set and neither run nor cancelled yet. */
  get timersPending(): number {
    return this.pending.filter((entry) => !entry.cancelled).length;
  }

  /** Sets the wall clock (a peer whose clock is behind, a clock change): the monotonic clock does not move. */
  setWallTime(epochMs: number): void {
    this.wall = epochMs;
  }

  /** Lets time pass in steps of at most `stepMs`, running each timer when it is due, with promises settled in between. */
  async advance(ms: number, stepMs = 50): Promise<void> {
    const end = this.monotonic + ms;
    while (this.monotonic < end) await this.jump(Math.min(stepMs, end - this.monotonic));
  }

  /**
   * Time passes at once, with no timer running meanwhile (a long task, a frozen tab): then
   * every timer now due runs, each once, late.
   */
  async jump(ms: number): Promise<void> {
    this.monotonic += ms;
    this.wall += ms;
    await settle();
    for (;;) {
      const due = this.pending.filter((entry) => !entry.cancelled && entry.at <= this.monotonic).sort((a, b) => a.at - b.at || a.order - b.order)[0];
      if (!due) break;
      due.cancelled = true;
      due.callback();
      await settle();
    }
    this.pending = this.pending.filter((entry) => !entry.cancelled);
  }
}

/** Lets queued promise callbacks (and the fake network's deliveries) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}
