/** A token bucket: allows bursts up to `capacity`, and `perSecond` on average. */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    /** Monotonic milliseconds (the engine's clock). */
    private readonly now: () => number,
  ) {
    this.#tokens = capacity;
    this.#last = now();
  }

  /** Takes `cost` tokens; false when there are not enough (nothing is taken then). */
  take(cost = 1): boolean {
    const now = this.now();
    this.#tokens = Math.min(this.capacity, this.#tokens + ((now - this.#last) / 1000) * this.perSecond);
    this.#last = now;
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }
}
