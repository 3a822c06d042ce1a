/**
 * File transfers with every peer: offers, answers, the byte stream and its integrity check,
 * pausing when a peer drops and resuming from the last byte it holds when it returns.
 *
 * The sender reads the file in slices (never the whole file), hashes them as they pass,
 * and keeps at most a window of unacknowledged bytes in flight; the receiver hashes and
 * writes each chunk to a sink as it arrives and acknowledges what it wrote.
 */
import { ErrorType, PeerChatError } from '../errors.js';
import { Direction, type ChatEventDetails as PeerChatEventDetails } from '../engine/types.js';
import { safeFileName } from './file-name.js';
import { openSink, type FileSink } from './file-sink.js';
import { LIMITS, decodeChunk, encodeChunk, randomId, type ControlFrame, type OfferFrame, type TransferFrame } from '../engine/protocol.js';
import { Sha256 } from './sha256.js';
import { TransferStatus, isFinished, type TransferInfo } from './types.js';

export { TransferStatus, type TransferInfo };

/** What the transfers need from the controller. */
export interface TransferHost {
  limits(): { maxFileSize: number; acceptFiles: 'ask' | 'always' | 'never' };
  /** Sends a control frame to a connected peer; false when it is not connected. */
  sendFrame(peerId: string, frame: ControlFrame): boolean;
  sendBulk(peerId: string, frame: ArrayBuffer): Promise<void>;
  chunkSize(peerId: string): number;
  displayName(peerId: string): string;
  fire<K extends keyof PeerChatEventDetails>(name: K, detail: PeerChatEventDetails[K]): boolean;
  /** A protocol violation by the peer: one `peer-chat-error`, counted against the peer. */
  violation(peerId: string, message: string): void;
  changed(): void;
}

/** Flow control and reporting. */
export const TRANSFER = {
  /** Sender: most bytes sent but not yet acknowledged as written by the receiver. */
  windowBytes: 8 * 1024 * 1024,
  /** Receiver: bytes hashed and written between two yields to the event loop (about 2 ms of work). */
  storeBatchBytes: 256 * 1024,
  /** Receiver: acknowledge after this many more bytes are written. */
  ackEveryBytes: 1024 * 1024,
  /** Progress events at most this often per transfer. */
  progressIntervalMs: 100,
} as const;

interface Transfer extends TransferInfo {
  slot: number;
  hasher: Sha256;
  lastProgress: number;
  // Sender only
  source?: File;
  settle?: (error: PeerChatError | null) => void;
  /** Wakes a sender waiting for acknowledgements or a resume. */
  wake?: () => void;
  /** Bumped on every (re)start, so a superseded send loop stops. */
  run: number;
  // Receiver only
  sink?: FileSink;
  /** Bytes written to the sink (`bytes` counts bytes received). */
  written: number;
  lastAck: number;
  /** Received chunks waiting to be hashed and written. */
  unstored: Uint8Array[];
  storing: boolean;
  expectedHash?: string;
  verifying: boolean;
}

export class Transfers {
  private readonly all: Transfer[] = [];
  /** Active incoming transfers by `${peerId} ${slot}`, so chunks find theirs quickly. */
  private readonly bySlot = new Map<string, Transfer>();
  private nextSlot = 1;

  constructor(private readonly host: TransferHost) {}

  get list(): readonly TransferInfo[] {
    return this.all;
  }

  /** Offers `file` to one peer; resolves when it holds every byte, verified. */
  send(file: File, peerId: string): Promise<void> {
    const transfer = this.create({
      transferId: randomId(),
      peerId,
      direction: Direction.out,
      name: safeFileName(file.name),
      size: file.size,
      type: file.type.slice(0, LIMITS.maxIdLength),
      status: TransferStatus.waiting,
      slot: this.nextSlot++,
      source: file,
      file,
    });
    const done = new Promise<void>((resolve, reject) => {
      transfer.settle = (error) => (error ? reject(error) : resolve());
    });
    this.offer(transfer);
    return done;
  }

  accept(transferId: string): void {
    const transfer = this.find(transferId, Direction.in);
    if (transfer?.status !== TransferStatus.offered) return;
    transfer.status = TransferStatus.active;
    this.host.changed();
    void openSink(transfer.transferId, transfer.size).then((sink) => {
      if (transfer.status !== TransferStatus.active) return void sink.discard();
      transfer.sink = sink;
      this.bySlot.set(`${transfer.peerId} ${transfer.slot}`, transfer);
      this.host.sendFrame(transfer.peerId, { t: 'accept', tid: transfer.transferId, offset: 0 });
    });
  }

  decline(transferId: string): void {
    const transfer = this.find(transferId, Direction.in);
    if (transfer?.status !== TransferStatus.offered) return;
    this.host.sendFrame(transfer.peerId, { t: 'decline', tid: transfer.transferId });
    this.finish(transfer, TransferStatus.declined);
  }

  /** Cancels a transfer in either direction, telling the peer. */
  cancel(transferId: string, reason = 'cancelled'): void {
    const transfer = this.all.find((candidate) => candidate.transferId === transferId);
    if (!transfer || isFinished(transfer.status)) return;
    this.host.sendFrame(transfer.peerId, { t: 'cancel', tid: transfer.transferId, reason });
    this.finish(transfer, TransferStatus.cancelled, reason);
  }

  receiveOffer(peerId: string, frame: OfferFrame): void {
    const existing = this.all.find((candidate) => candidate.peerId === peerId && candidate.transferId === frame.tid);
    if (existing) return this.receiveRepeatedOffer(existing, frame);
    if (this.all.some((candidate) => candidate.peerId === peerId && candidate.direction === Direction.in && candidate.slot === frame.slot && !isFinished(candidate.status))) {
      return this.host.violation(peerId, `${peerId} reused a transfer slot`);
    }
    const transfer = this.create({
      transferId: frame.tid,
      peerId,
      direction: Direction.in,
      name: safeFileName(frame.name),
      size: frame.size,
      type: frame.type,
      status: TransferStatus.offered,
      slot: frame.slot,
    });
    const { maxFileSize, acceptFiles } = this.host.limits();
    if (frame.size > maxFileSize) {
      this.host.fire('peer-chat-error', {
        type: ErrorType.fileTooLarge,
        message: `${this.host.displayName(peerId)} offered "${transfer.name}" (${frame.size} bytes), above the limit of ${maxFileSize} bytes`,
        peerId,
      });
      return this.decline(transfer.transferId);
    }
    const allowed = this.host.fire('peer-chat-file-offer', { transferId: transfer.transferId, from: peerId, name: transfer.name, size: transfer.size, type: transfer.type });
    if (transfer.status !== TransferStatus.offered) return; // A listener already answered it.
    if (!allowed || acceptFiles === 'never') this.decline(transfer.transferId);
    else if (acceptFiles === 'always') this.accept(transfer.transferId);
  }

  handleFrame(peerId: string, frame: TransferFrame): void {
    const transfer = this.all.find((candidate) => candidate.transferId === frame.tid && candidate.peerId === peerId);
    if (!transfer) return this.host.violation(peerId, `${peerId} referred to an unknown transfer`);
    if (isFinished(transfer.status)) return;
    const sending = transfer.direction === Direction.out;
    switch (frame.t) {
      case 'accept':
        if (!sending || frame.offset > transfer.size) return this.host.violation(peerId, `${peerId} sent an invalid accept`);
        if (transfer.status === TransferStatus.waiting || transfer.status === TransferStatus.paused) void this.pump(transfer, frame.offset);
        return;
      case 'decline':
        if (sending && transfer.status === TransferStatus.waiting) this.finish(transfer, TransferStatus.declined, `${this.host.displayName(peerId)} declined the file`);
        return;
      case 'cancel':
        this.finish(transfer, TransferStatus.cancelled, `${this.host.displayName(peerId)} cancelled: ${frame.reason}`);
        return;
      case 'end':
        if (sending) return this.host.violation(peerId, `${peerId} sent an end frame for a file it receives`);
        transfer.expectedHash = frame.sha256;
        void this.completeIfWhole(transfer);
        return;
      case 'received':
        if (!sending || frame.bytes > transfer.size || frame.bytes < transfer.bytes) {
          return this.host.violation(peerId, `${peerId} reported an impossible byte count`);
        }
        transfer.bytes = frame.bytes;
        this.progress(transfer);
        if (frame.bytes === transfer.size) this.finish(transfer, TransferStatus.done);
        transfer.wake?.();
        return;
    }
  }

  handleChunk(peerId: string, data: unknown): void {
    const decoded = decodeChunk(data);
    if (!decoded.ok) return this.host.violation(peerId, `Bad file data from ${peerId}: ${decoded.error}`);
    const { slot, offset, bytes } = decoded.value;
    const transfer = this.bySlot.get(`${peerId} ${slot}`);
    if (!transfer) {
      // Data still in flight for a transfer that just ended or paused is expected; anything else is not.
      const known = this.all.some((candidate) => candidate.peerId === peerId && candidate.direction === Direction.in && candidate.slot === slot);
      if (!known) this.host.violation(peerId, `${peerId} sent file data for no transfer`);
      return;
    }
    if (offset !== transfer.bytes || offset + bytes.byteLength > transfer.size) {
      const problem = offset !== transfer.bytes ? `data at offset ${offset}, expected ${transfer.bytes}` : `more than the ${transfer.size} bytes offered`;
      this.host.violation(peerId, `${peerId} sent ${problem} for "${transfer.name}"`);
      return this.cancel(transfer.transferId, 'invalid file data');
    }
    transfer.bytes += bytes.byteLength;
    transfer.unstored.push(bytes);
    if (!transfer.storing) void this.store(transfer);
  }

  /** The peer is gone for now: active transfers pause, until `resume` or `abandon`. */
  pause(peerId: string): void {
    for (const transfer of this.of(peerId)) {
      // An offer stays open for the person to answer; the answer goes out on reconnection.
      if (transfer.status !== TransferStatus.offered && transfer.status !== TransferStatus.paused) {
        transfer.status = TransferStatus.paused;
        this.unroute(transfer);
        transfer.wake?.();
      }
    }
    this.host.changed();
  }

  /** The peer is back (same session): senders offer again; receivers answer with their offset. */
  resume(peerId: string): void {
    for (const transfer of this.of(peerId)) {
      if (transfer.direction === Direction.out && (transfer.status === TransferStatus.paused || transfer.status === TransferStatus.waiting)) {
        transfer.status = TransferStatus.waiting;
        this.offer(transfer);
      }
    }
  }

  /** The peer is gone for good: everything unfinished with it fails. */
  abandon(peerId: string, reason: string): void {
    for (const transfer of this.of(peerId)) this.fail(transfer, reason);
  }

  // ---- internals ----------------------------------------------------------------------

  /**
   * Stops routing chunks to an incoming transfer. Slots are chosen by each sender, so one of
   * our outgoing transfers may share its number: only the incoming transfer's own entry goes.
   */
  private unroute(transfer: Transfer): void {
    const key = `${transfer.peerId} ${transfer.slot}`;
    if (this.bySlot.get(key) === transfer) this.bySlot.delete(key);
  }

  /** A sender offers again after a reconnection: answer as the transfer stands. */
  private receiveRepeatedOffer(transfer: Transfer, frame: OfferFrame): void {
    const { peerId, transferId: tid } = transfer;
    if (transfer.direction !== Direction.in || transfer.slot !== frame.slot || transfer.size !== frame.size) {
      return this.host.violation(peerId, `${peerId} reused a transfer id`);
    }
    switch (transfer.status) {
      case TransferStatus.offered:
        return; // Still waiting for the person.
      case TransferStatus.active:
      case TransferStatus.paused:
        return this.resumeIncoming(transfer);
      case TransferStatus.declined:
        this.host.sendFrame(peerId, { t: 'decline', tid });
        return;
      case TransferStatus.done:
        this.host.sendFrame(peerId, { t: 'received', tid, bytes: transfer.size });
        return;
      default:
        this.host.sendFrame(peerId, { t: 'cancel', tid, reason: transfer.reason ?? transfer.status });
    }
  }

  private create(fields: Pick<Transfer, 'transferId' | 'peerId' | 'direction' | 'name' | 'size' | 'type' | 'status' | 'slot'> & Partial<Transfer>): Transfer {
    const transfer: Transfer = {
      bytes: 0,
      time: Date.now(),
      hasher: new Sha256(),
      lastProgress: 0,
      run: 0,
      written: 0,
      lastAck: 0,
      unstored: [],
      storing: false,
      verifying: false,
      ...fields,
    };
    this.all.push(transfer);
    this.host.changed();
    return transfer;
  }

  private offer(transfer: Transfer): void {
    const { transferId: tid, slot, name, size, type } = transfer;
    this.host.sendFrame(transfer.peerId, { t: 'offer', tid, slot, name, size, type });
  }

  private resumeIncoming(transfer: Transfer): void {
    transfer.status = TransferStatus.active;
    this.bySlot.set(`${transfer.peerId} ${transfer.slot}`, transfer);
    this.host.changed();
    // Everything received so far is (or will be) written: ask for the rest.
    this.host.sendFrame(transfer.peerId, { t: 'accept', tid: transfer.transferId, offset: transfer.bytes });
  }

  /** Sends the file from `offset` on; completion comes from the receiver's `received`. */
  private async pump(transfer: Transfer, offset: number): Promise<void> {
    const run = ++transfer.run;
    transfer.status = TransferStatus.active;
    transfer.bytes = offset;
    transfer.wake?.();
    this.host.changed();
    const { peerId } = transfer;
    const chunkSize = this.host.chunkSize(peerId);
    const current = () => transfer.run === run && transfer.status === TransferStatus.active;
    try {
      for await (const { position, bytes } of readAhead(transfer.source!, offset)) {
        for (let start = 0; start < bytes.byteLength; start += chunkSize) {
          const end = Math.min(bytes.byteLength, start + chunkSize);
          while (current() && position + end - transfer.bytes > TRANSFER.windowBytes) {
            await new Promise<void>((resolve) => (transfer.wake = resolve));
          }
          if (!current()) return;
          const chunk = bytes.subarray(start, end);
          // Hashed chunk by chunk, to keep each task short; after a resume, only what is new.
          const unhashed = transfer.hasher.bytesHashed - (position + start);
          if (unhashed < chunk.byteLength) transfer.hasher.update(unhashed > 0 ? chunk.subarray(unhashed) : chunk);
          await this.host.sendBulk(peerId, encodeChunk(transfer.slot, position + start, chunk));
        }
      }
      if (current()) this.host.sendFrame(peerId, { t: 'end', tid: transfer.transferId, sha256: transfer.hasher.hex() });
    } catch (error) {
      // A closed channel means the peer dropped: the controller pauses or abandons the transfer.
      if (current() && !(error instanceof PeerChatError && error.type === ErrorType.notConnected)) {
        this.cancel(transfer.transferId, `reading the file failed: ${error instanceof Error ? error.message : error}`);
      }
    }
  }

  /**
   * Receiver: hashes and writes the received chunks in batches, yielding to the event loop
   * before each, so a chat frame that arrives meanwhile is handled at once instead of
   * waiting behind megabytes of file data.
   */
  private async store(transfer: Transfer): Promise<void> {
    transfer.storing = true;
    try {
      while (transfer.unstored.length > 0 && transfer.sink) {
        await nextTask();
        let batch = 0;
        while (transfer.unstored.length > 0 && transfer.sink && batch < TRANSFER.storeBatchBytes) {
          const bytes = transfer.unstored.shift()!;
          transfer.hasher.update(bytes);
          await transfer.sink.write(bytes);
          batch += bytes.byteLength;
        }
        this.written(transfer, batch);
      }
    } catch (error) {
      this.fail(transfer, `could not store the file: ${error instanceof Error ? error.message : error}`);
    } finally {
      transfer.storing = false;
    }
  }

  private written(transfer: Transfer, count: number): void {
    if (isFinished(transfer.status)) return;
    transfer.written += count;
    if (transfer.written - transfer.lastAck >= TRANSFER.ackEveryBytes && transfer.written < transfer.size) {
      transfer.lastAck = transfer.written;
      this.host.sendFrame(transfer.peerId, { t: 'received', tid: transfer.transferId, bytes: transfer.written });
    }
    this.progress(transfer);
    void this.completeIfWhole(transfer);
  }

  /** Receiver: once every byte is written and the sender's hash is known, verify and hand over. */
  private async completeIfWhole(transfer: Transfer): Promise<void> {
    if (transfer.verifying || transfer.written !== transfer.size || transfer.expectedHash === undefined || isFinished(transfer.status)) return;
    transfer.verifying = true;
    const actual = transfer.hasher.hex();
    if (actual !== transfer.expectedHash) {
      this.host.fire('peer-chat-error', {
        type: ErrorType.integrity,
        message: `"${transfer.name}" arrived corrupted: its SHA-256 does not match the sender's`,
        peerId: transfer.peerId,
      });
      this.host.sendFrame(transfer.peerId, { t: 'cancel', tid: transfer.transferId, reason: 'integrity check failed (SHA-256 mismatch)' });
      return this.finish(transfer, TransferStatus.failed, 'integrity check failed (SHA-256 mismatch)');
    }
    try {
      transfer.file = await transfer.sink!.finish(transfer.name, transfer.type);
    } catch (error) {
      return this.fail(transfer, `could not store the file: ${error instanceof Error ? error.message : error}`);
    }
    transfer.sink = undefined;
    this.host.sendFrame(transfer.peerId, { t: 'received', tid: transfer.transferId, bytes: transfer.size });
    this.finish(transfer, TransferStatus.done);
    this.host.fire('peer-chat-file', { transferId: transfer.transferId, from: transfer.peerId, file: transfer.file });
  }

  private progress(transfer: Transfer): void {
    const now = performance.now();
    const complete = (transfer.direction === Direction.in ? transfer.written : transfer.bytes) === transfer.size;
    if (!complete && now - transfer.lastProgress < TRANSFER.progressIntervalMs) return;
    transfer.lastProgress = now;
    this.host.changed();
    const { transferId, peerId, direction, size } = transfer;
    const bytes = direction === Direction.in ? transfer.written : transfer.bytes;
    this.host.fire('peer-chat-file-progress', { transferId, peerId, direction, bytes, size });
  }

  private fail(transfer: Transfer, reason: string): void {
    this.finish(transfer, TransferStatus.failed, reason);
  }

  private finish(transfer: Transfer, status: TransferStatus, reason?: string): void {
    if (isFinished(transfer.status)) return;
    transfer.status = status;
    if (reason) transfer.reason = reason;
    this.unroute(transfer);
    transfer.wake?.();
    if (status !== TransferStatus.done) void transfer.sink?.discard();
    transfer.sink = undefined;
    transfer.unstored = [];
    this.host.changed();
    if (status === TransferStatus.failed || status === TransferStatus.cancelled) {
      this.host.fire('peer-chat-error', { type: ErrorType.transfer, message: `"${transfer.name}": ${reason ?? status}`, peerId: transfer.peerId });
    }
    const errorType = status === TransferStatus.declined ? ErrorType.declined : status === TransferStatus.done ? '' : ErrorType.transfer;
    transfer.settle?.(errorType ? new PeerChatError(errorType, `"${transfer.name}" was ${status}${reason ? `: ${reason}` : ''}`, transfer.peerId) : null);
  }

  private of(peerId: string): Transfer[] {
    return this.all.filter((transfer) => transfer.peerId === peerId && !isFinished(transfer.status));
  }

  private find(transferId: string, direction: Direction): Transfer | undefined {
    return this.all.find((candidate) => candidate.transferId === transferId && candidate.direction === direction);
  }
}

/** Resolves in a new task (not throttled in background tabs, unlike timers). */
const wakeups: Array<() => void> = [];
let taskChannel: MessageChannel | null = null;
function nextTask(): Promise<void> {
  if (!taskChannel) {
    taskChannel = new MessageChannel();
    taskChannel.port1.onmessage = () => wakeups.shift()?.();
  }
  return new Promise((resolve) => {
    wakeups.push(resolve);
    taskChannel!.port2.postMessage(null);
  });
}

/** Bytes read from the file at a time: large reads cost far less per byte than one per chunk. */
const READ_BYTES = 2 * 1024 * 1024;

/** Reads `file` from `offset` on in large slices, reading the next while the last is sent. */
async function* readAhead(file: Blob, offset: number): AsyncGenerator<{ position: number; bytes: Uint8Array }> {
  const read = (at: number) => file.slice(at, Math.min(file.size, at + READ_BYTES)).arrayBuffer();
  let position = offset;
  let next = position < file.size ? read(position) : null;
  while (next) {
    const bytes = new Uint8Array(await next);
    const following = position + bytes.byteLength;
    next = following < file.size ? read(following) : null;
    yield { position, bytes };
    position = following;
  }
}
