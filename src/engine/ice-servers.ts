/**
 * ICE servers from a URL (`ice-servers-url`): the short-lived TURN credentials a site hands
 * out, as `{ "iceServers": RTCIceServer[], "ttl": seconds }`. Fetched before registering and
 * again before the credentials run out, timed with the engine's clock, so every new
 * connection gets credentials that are still valid. Loaded only by pages that set the attribute.
 */
import { messageOf } from '../errors.js';
import { TimerSlot, type Clock } from './clock.js';
import { iceServersProblem } from './ice-server-list.js';

/** Fetches a URL and resolves with its body parsed as JSON; rejects when that fails. */
export type FetchJson = (url: string) => Promise<unknown>;

export const ICE_REFRESH = {
  /** Fetch again when this share of the ttl has passed… */
  atShareOfTtl: 0.8,
  /** …or sooner, so that a dial's credentials stay valid this long: setting up a relay takes a few requests. */
  keepValidMs: 30_000,
  /** Never sooner than this after a fetch, however short the ttl. */
  minDelayMs: 1000,
  /** After a failed fetch, try again this much later (the last credentials, or `ice-servers`, stay in use). */
  retryMs: 30_000,
  /** A fetch that takes longer than this failed: registration does not wait for it any longer. */
  timeoutMs: 10_000,
} as const;

export const fetchJson: FetchJson = async (url) => {
  const response = await fetch(url, { cache: 'no-store', credentials: 'same-origin' });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
};

/** Checks the document `ice-servers-url` answers with; returns it, or what is wrong with it. */
export function parseIceServersDocument(value: unknown): { iceServers: RTCIceServer[]; ttlMs: number } | string {
  if (typeof value !== 'object' || value === null) return 'expected a JSON object { "iceServers": [...], "ttl": seconds }';
  const { iceServers, ttl } = value as { iceServers?: unknown; ttl?: unknown };
  const problem = iceServersProblem(iceServers);
  if (problem) return `"iceServers": ${problem}`;
  if (typeof ttl !== 'number' || !(ttl > 0) || !Number.isFinite(ttl)) return '"ttl" must be a positive number of seconds';
  return { iceServers: iceServers as RTCIceServer[], ttlMs: ttl * 1000 };
}

export interface IceServersListener {
  /** Fresh ICE servers: connections made from now on use them. */
  servers(iceServers: RTCIceServer[]): void;
  /** A fetch failed (reported once until a fetch succeeds again). */
  failed(message: string): void;
}

/** Keeps the ICE servers from `url` fresh until stopped. */
export class IceServersSource {
  private readonly timer: TimerSlot;
  private stopped = false;
  /** A failure was reported and no fetch has succeeded since. */
  private failing = false;

  constructor(
    private readonly url: string,
    private readonly fetchJson: FetchJson,
    private readonly clock: Clock,
    private readonly listener: IceServersListener,
  ) {
    this.timer = new TimerSlot(clock);
  }

  /** Fetches once (resolving when that succeeded or failed, never rejecting), then keeps refreshing. */
  async start(): Promise<void> {
    await this.refresh();
  }

  stop(): void {
    this.stopped = true;
    this.timer.cancel();
  }

  private async refresh(): Promise<void> {
    let result: ReturnType<typeof parseIceServersDocument>;
    try {
      result = parseIceServersDocument(await this.fetchWithTimeout());
    } catch (error) {
      result = messageOf(error);
    }
    if (this.stopped) return;
    if (typeof result === 'string') {
      if (!this.failing) this.listener.failed(`Could not get ICE servers from ${this.url}: ${result}`);
      this.failing = true;
      this.schedule(ICE_REFRESH.retryMs);
      return;
    }
    this.failing = false;
    this.listener.servers(result.iceServers);
    const refreshIn = Math.min(result.ttlMs * ICE_REFRESH.atShareOfTtl, result.ttlMs - ICE_REFRESH.keepValidMs);
    this.schedule(Math.max(ICE_REFRESH.minDelayMs, refreshIn));
  }

  private fetchWithTimeout(): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(() => reject(new Error(`no answer within ${ICE_REFRESH.timeoutMs / 1000} s`)), ICE_REFRESH.timeoutMs);
      this.fetchJson(this.url).then(resolve, reject).finally(() => timer.cancel());
    });
  }

  private schedule(delayMs: number): void {
    if (!this.stopped) this.timer.set(() => void this.refresh(), delayMs);
  }
}
