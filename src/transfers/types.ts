/** What the world sees of a file transfer: its status values and a plain snapshot. */
import type { Direction } from '../engine/types.js';

export const TransferStatus = {
  /** Offered to us, waiting for the person (or the page) to decide. */
  offered: 'offered',
  /** We offered; waiting for the peer to accept. */
  waiting: 'waiting',
  /** Offered to us and accepted: starts once fewer of the same peer's files are coming in (see RECEIVING_AT_ONCE), and the peer is here. */
  queued: 'queued',
  active: 'active',
  /** The peer dropped; resumes if it comes back. */
  paused: 'paused',
  done: 'done',
  declined: 'declined',
  cancelled: 'cancelled',
  failed: 'failed',
} as const;
export type TransferStatus = (typeof TransferStatus)[keyof typeof TransferStatus];

/** A transfer as the UI and the API see it: a copy, never the live state. */
export interface TransferInfo {
  transferId: string;
  peerId: string;
  direction: Direction;
  /** Safe for display and download (see file-name.ts). */
  name: string;
  size: number;
  type: string;
  /** Bytes moved: sent and acknowledged, or received and stored. */
  bytes: number;
  status: TransferStatus;
  /** When it was offered, in milliseconds since the epoch (local clock): a label. */
  time: number;
  /** Why it was declined, cancelled or failed. */
  reason?: string;
  /** The file: the one we send, or the one received once done. */
  file?: File;
  /** Offered files: whether the file fits in the storage available here, once known. */
  fits?: boolean;
}

/**
 * A progress bar is drawn again at most this often: each drawing costs a render of the element
 * and a frame through the compositor and the GPU process, on both sides.
 */
export const PROGRESS_DRAW_INTERVAL_MS = 500;

export const isFinished = (status: TransferStatus): boolean =>
  status === TransferStatus.done || status === TransferStatus.declined || status === TransferStatus.cancelled || status === TransferStatus.failed;
