/**
 * Our side of a file we send: offer, wait for the answer, stream the bytes with a window of
 * unacknowledged bytes, and finish when the receiver says it holds every byte, verified.
 */
import { ErrorType, PeerChatError, messageOf } from '../errors.js';
import { CHUNK_HEADER_BYTES, writeChunkHeader } from '../engine/protocol.js';
import { Direction } from '../engine/types.js';
import { HASH_BLOCK_BYTES, blockSchemes, chooseBlockScheme, fileHash, type FileHash } from './file-hash.js';
import { readBlocks } from './read-blocks.js';
import { Transfer, type TransferHost } from './transfer.js';
import { TransferStatus } from './types.js';

/** Most bytes sent but not yet acknowledged as stored by the receiver. */
export const SEND_WINDOW_BYTES = 8 * 1024 * 1024;

export class OutgoingTransfer extends Transfer {
  readonly direction = Direction.out;
  /** Settles `sendFile()`'s promise. */
  readonly done: Promise<void>;
  private settle!: (error: PeerChatError | null) => void;
  /** Wakes the send loop waiting for acknowledgements or a stop. */
  private wake: (() => void) | null = null;
  /** Bumped on every (re)start, so a superseded send loop stops. */
  private run = 0;
  private tooLarge = false;
  /** Chosen by the receiver's first `accept`; kept across resumptions, as it covers the bytes sent before. */
  private hash: FileHash | null = null;

  constructor(host: TransferHost, transferId: string, peerId: string, slot: number, name: string, private readonly source: File) {
    super(host, transferId, peerId, slot, name, source.size, source.type, TransferStatus.waiting);
    this.file = source;
    this.done = new Promise<void>((resolve, reject) => {
      this.settle = (error) => (error ? reject(error) : resolve());
    });
  }

  /** Offers the file (again, after a reconnection). */
  offer(): void {
    if (this.status === TransferStatus.paused) this.moveTo(TransferStatus.waiting);
    if (this.status !== TransferStatus.waiting) return;
    const { transferId: tid, slot, name, size, type } = this;
    const schemes = blockSchemes();
    this.host.sendFrame(this.peerId, { t: 'offer', tid, slot, name, size, type, ...(schemes.length > 0 ? { hash: schemes.join(' ') } : {}) });
  }

  /** The receiver wants the bytes from `offset` on, verified with the block hash that `hash` names, if any. */
  accepted(offset: number, hash?: string): void {
    if (offset > this.size) return this.host.violation(this.peerId, `${this.peerId} sent an invalid accept`);
    if (this.status !== TransferStatus.waiting && this.status !== TransferStatus.paused) return;
    this.hash ??= fileHash(chooseBlockScheme(hash), this.size);
    void this.pump(offset);
  }

  /** The receiver said no; `tooLarge`: because the file does not fit in its storage. `reason`: why, when it says (how much does fit; too many files at once). */
  declined(tooLarge: boolean, reason?: string): void {
    if (this.status !== TransferStatus.waiting) return;
    this.tooLarge = tooLarge;
    this.finish(TransferStatus.declined, reason || (tooLarge ? 'the file does not fit in its storage' : `${this.host.displayName(this.peerId)} declined the file`));
  }

  /** The receiver holds `bytes` bytes, stored; all of them means verified too. */
  received(bytes: number): void {
    if (bytes > this.size || bytes < this.bytes) return this.host.violation(this.peerId, `${this.peerId} reported an impossible byte count`);
    this.bytes = bytes;
    this.progress();
    if (bytes === this.size) this.finish(TransferStatus.done);
    this.wake?.();
  }

  pause(): void {
    if (this.moveTo(TransferStatus.paused)) this.wake?.();
  }

  finish(status: TransferStatus, reason?: string): void {
    if (this.finished || !this.moveTo(status, reason)) return;
    this.wake?.();
    if (status === TransferStatus.done) return this.settle(null);
    if (status !== TransferStatus.declined) {
      this.host.emit('peer-chat-error', { type: ErrorType.transfer, message: `"${this.name}": ${reason ?? status}`, peerId: this.peerId });
    }
    const type = status !== TransferStatus.declined ? ErrorType.transfer : this.tooLarge ? ErrorType.fileTooLarge : ErrorType.declined;
    this.settle(new PeerChatError(type, `"${this.name}" was ${status}${reason ? `: ${reason}` : ''}`, this.peerId));
  }

  /** Sends the file from `offset` on; completion comes from the receiver's `received`. */
  private async pump(offset: number): Promise<void> {
    const run = ++this.run;
    this.moveTo(TransferStatus.active);
    // What the receiver reported stored, which its window counts from: `offset` is what it
    // received, and after a resume part of that may still wait for its disk.
    this.bytes = Math.min(this.bytes, offset);
    this.wake?.();
    const chunkSize = this.host.chunkSize(this.peerId);
    const hash = this.hash!;
    const current = () => this.run === run && this.status === TransferStatus.active;
    // Each chunk is copied into this one frame, after its header; the channel copies it when sending.
    const frame = new Uint8Array(CHUNK_HEADER_BYTES + chunkSize);
    try {
      // A block of the hash at a time: hashed as it is read (after a resume, only what is new).
      for await (const { position, bytes } of readBlocks(this.source, offset, HASH_BLOCK_BYTES)) {
        hash.add(position, bytes);
        for (let start = 0; start < bytes.byteLength; start += chunkSize) {
          const chunk = bytes.subarray(start, start + chunkSize);
          const at = position + start;
          while (current() && at + chunk.byteLength - this.bytes > SEND_WINDOW_BYTES) {
            await new Promise<void>((resolve) => (this.wake = resolve));
          }
          if (!current()) return;
          frame.set(chunk, CHUNK_HEADER_BYTES);
          writeChunkHeader(frame, this.slot, at);
          const length = CHUNK_HEADER_BYTES + chunk.byteLength;
          await this.host.sendBulk(this.peerId, length === frame.byteLength ? frame.buffer : frame.buffer.slice(0, length));
        }
      }
      const sha256 = await hash.hex();
      if (current()) this.host.sendFrame(this.peerId, { t: 'end', tid: this.transferId, sha256 });
    } catch (error) {
      // A closed channel means the peer dropped: the engine pauses or abandons the transfer.
      if (current() && !(error instanceof PeerChatError && error.type === ErrorType.notConnected)) {
        this.cancel(`reading the file failed: ${messageOf(error)}`);
      }
    }
  }
}
