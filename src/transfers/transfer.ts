/**
 * One file transfer, as an explicit state machine: every change of status goes through
 * {@link Transfer.moveTo}, which refuses the moves the protocol does not allow.
 */
import { throttle, type Clock } from '../engine/clock.js';
import type { Emit } from '../engine/types.js';
import type { AcceptFiles, Direction } from '../engine/types.js';
import type { ControlFrame } from '../engine/protocol.js';
import type { FileSink } from './file-sink.js';
import { TransferStatus, isFinished, type TransferInfo } from './types.js';

/** Which status may follow which; finished transfers never change again. */
const MOVES: Record<TransferStatus, readonly TransferStatus[]> = {
  offered: ['active', 'queued', 'declined', 'cancelled', 'failed'],
  queued: ['active', 'cancelled', 'failed'],
  // Done: offered again, the receiver says it holds every byte (its `received` was lost with the link).
  waiting: ['active', 'paused', 'done', 'declined', 'cancelled', 'failed'],
  active: ['paused', 'done', 'cancelled', 'failed'],
  // Done: a receiver that held every byte when the peer dropped verifies and keeps the file.
  paused: ['active', 'waiting', 'done', 'cancelled', 'failed'],
  done: [],
  declined: [],
  cancelled: [],
  failed: [],
};

/** What a transfer needs from the engine around it. */
export interface TransferHost {
  readonly clock: Clock;
  limits(): { maxFileSize: number; acceptFiles: AcceptFiles };
  /** Sends a control frame to a connected peer; false when it is not connected. */
  sendFrame(peerId: string, frame: ControlFrame): boolean;
  /** Sends a copy of `frame` (see Link.sendBulk): the caller may reuse it once this resolves. */
  sendBulk(peerId: string, frame: ArrayBuffer): Promise<void>;
  chunkSize(peerId: string): number;
  displayName(peerId: string): string;
  emit: Emit;
  /** A protocol violation by the peer: one `peer-chat-error`, counted against the peer. */
  violation(peerId: string, message: string): void;
  /** Where received bytes go (memory or disk, by size); rejects with a `PeerChatError` when they cannot be stored. */
  openSink(size: number): Promise<FileSink>;
  /** Bytes of storage this page may still fill (quota minus usage, less a margin). */
  storageSpace(): Promise<number>;
  /** Something visible changed. */
  changed(): void;
  /** A bar moved: a render, at most once per PROGRESS_DRAW_INTERVAL_MS for all the bars together (the registry's). */
  progressed(): void;
}

/** Progress events at most this often per transfer. */
const PROGRESS_INTERVAL_MS = 100;

export abstract class Transfer {
  abstract readonly direction: Direction;
  status: TransferStatus;
  /** Bytes moved: sent and acknowledged, or received and stored. */
  bytes = 0;
  reason?: string;
  file?: File;
  /** Offers to us: whether the file fits in the storage available, once known. */
  fits?: boolean;
  readonly time: number;
  /** Progress events at most every PROGRESS_INTERVAL_MS (the last one always). */
  private readonly progressDue: () => boolean;

  constructor(
    protected readonly host: TransferHost,
    readonly transferId: string,
    readonly peerId: string,
    /** Names the transfer in the sender's binary chunks. */
    readonly slot: number,
    readonly name: string,
    readonly size: number,
    readonly type: string,
    status: TransferStatus,
  ) {
    this.status = status;
    this.time = host.clock.wallTime();
    this.progressDue = throttle(host.clock, PROGRESS_INTERVAL_MS);
  }

  get finished(): boolean {
    return isFinished(this.status);
  }

  /** A copy for the API and the UI: nothing in it reaches back into the transfer. */
  snapshot(): TransferInfo {
    const { transferId, peerId, direction, name, size, type, bytes, status, time, reason, file, fits } = this;
    return { transferId, peerId, direction, name, size, type, bytes, status, time, ...(reason ? { reason } : {}), ...(file ? { file } : {}), ...(fits !== undefined ? { fits } : {}) };
  }

  /** Changes the status if the state machine allows it; returns whether it did. */
  protected moveTo(status: TransferStatus, reason?: string): boolean {
    if (status !== this.status && !MOVES[this.status].includes(status)) return false;
    this.status = status;
    if (reason) this.reason = reason;
    this.host.changed();
    return true;
  }

  /** Ends the transfer for good: `done`, `declined`, `cancelled` or `failed`. */
  abstract finish(status: TransferStatus, reason?: string): void;
  /** The peer dropped: wait for it. */
  abstract pause(): void;

  /** Cancels, telling the peer. */
  cancel(reason = 'cancelled'): void {
    if (this.finished) return;
    this.host.sendFrame(this.peerId, { t: 'cancel', tid: this.transferId, reason });
    this.finish(TransferStatus.cancelled, reason);
  }

  protected progress(): void {
    if (this.bytes !== this.size && !this.progressDue()) return;
    if (this.bytes === this.size) this.host.changed();
    else this.host.progressed();
    const { transferId, peerId, direction, bytes, size } = this;
    this.host.emit('peer-chat-file-progress', { transferId, peerId, direction, bytes, size });
  }
}
