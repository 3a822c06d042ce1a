/**
 * File transfers, one per (file, peer): the sender reads the file in slices and never holds
 * more than one slice ahead; the receiver writes each chunk to a sink as it arrives.
 * Plain TypeScript: the controller wires these to the protocol and the transport.
 */
import type { Direction } from './events.js';

export const TransferStatus = {
  /** Offered to us, waiting for the person (or the page) to decide. */
  offered: 'offered',
  /** We offered; waiting for the peer to accept. */
  waiting: 'waiting',
  active: 'active',
  done: 'done',
  declined: 'declined',
  cancelled: 'cancelled',
  failed: 'failed',
} as const;
export type TransferStatus = (typeof TransferStatus)[keyof typeof TransferStatus];

/** What the UI and the API see of a transfer. */
export interface TransferInfo {
  transferId: string;
  peerId: string;
  direction: Direction;
  name: string;
  size: number;
  type: string;
  bytes: number;
  status: TransferStatus;
  /** When it was offered, in milliseconds since the epoch (local clock). */
  time: number;
  /** Why it was declined, cancelled or failed. */
  reason?: string;
  /** The finished file (received, or the one we sent). */
  file?: File;
}

export const isFinished = (status: TransferStatus): boolean =>
  status === TransferStatus.done || status === TransferStatus.declined || status === TransferStatus.cancelled || status === TransferStatus.failed;

/** Where received bytes go. Chunks arrive in order. */
export interface FileSink {
  write(bytes: Uint8Array): void;
  /** The whole file, once every byte is written. */
  finish(name: string, type: string): File;
}

/** Keeps the received chunks in memory; `File` then references them without copying. */
export class MemorySink implements FileSink {
  private readonly parts: Uint8Array<ArrayBuffer>[] = [];

  write(bytes: Uint8Array): void {
    this.parts.push(bytes as Uint8Array<ArrayBuffer>);
  }

  finish(name: string, type: string): File {
    return new File(this.parts, name, { type });
  }
}

/**
 * Reads `file` in `chunkSize` slices and hands each to `send`, reading the next slice while
 * the previous one is being sent. Stops early when `shouldStop()` turns true.
 */
export async function streamFile(
  file: Blob,
  chunkSize: number,
  send: (offset: number, bytes: Uint8Array) => Promise<void>,
  shouldStop: () => boolean,
): Promise<void> {
  const read = (offset: number) => file.slice(offset, Math.min(file.size, offset + chunkSize)).arrayBuffer();
  let offset = 0;
  let next = file.size > 0 ? read(0) : null;
  while (next && !shouldStop()) {
    const bytes = new Uint8Array(await next);
    const following = offset + bytes.byteLength;
    next = following < file.size ? read(following) : null;
    await send(offset, bytes);
    offset = following;
  }
}

/** A printable, unique enough id for messages and transfers. */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
