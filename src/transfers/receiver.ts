/**
 * Our side of a file we receive: the offer waits for an answer; once accepted, chunks are
 * assembled into blocks, hashed and stored in order, acknowledged as they are stored, and the
 * file is handed over only when its hash matches the sender's.
 */
import { ErrorType, messageOf } from '../errors.js';
import type { Timer } from '../engine/clock.js';
import { Direction } from '../engine/types.js';
import { MEMORY_SINK_LIMIT, type FileSink } from './file-sink.js';
import { BlockHash, HASH_BLOCK_BYTES, chooseBlockScheme, fileHash, type BlockScheme, type FileHash } from './file-hash.js';
import { SEND_WINDOW_BYTES } from './sender.js';
import { Transfer, type TransferHost } from './transfer.js';
import { TransferStatus } from './types.js';

/** Acknowledge after this many more bytes are stored. */
const ACK_EVERY_BYTES = 1024 * 1024;
/**
 * Most bytes received but not yet stored that we hold for a peer: an honest sender keeps
 * within its window; one that does not is cut off before it can fill our memory.
 */
export const RECEIVE_WINDOW_BYTES = SEND_WINDOW_BYTES + ACK_EVERY_BYTES;
/**
 * How long a transfer waits, once its peer is back, to be offered again: the sender does so
 * right after the `hello`, unless it no longer has the file (cancelled while the two were
 * apart, its `cancel` lost; or its page reloaded).
 */
export const REOFFER_WAIT_MS = 10_000;
/** Why a transfer the sender did not offer again ends. */
export const NOT_OFFERED_AGAIN = 'the sender did not offer it again';

/**
 * What the files accepted together share (the registry keeps the count): a peer's files come
 * in a few at a time, and the disk space they will still fill is not offered to another.
 */
export interface ReceiveBudget {
  /** Whether one more file from `peerId` may start coming in now. */
  free(peerId: string): boolean;
  /** A file from `peerId` that was coming in (or paused) finished: the next accepted one may start. */
  freed(peerId: string): void;
  /** Bytes the files accepted from every peer (coming in, paused or queued) have still to write to disk. */
  diskBytesToCome(): number;
  /** A file was accepted for the disk, or one ended: the offers still open check again whether they fit. */
  spaceChanged(): void;
}

export class IncomingTransfer extends Transfer {
  readonly direction = Direction.in;
  /** Opened once, on accept; a drop while it opens changes nothing (the bytes wait for it). */
  private sink: Promise<FileSink> | null = null;
  /** Bytes received (`bytes` counts bytes stored). */
  private received = 0;
  private lastAck = 0;
  /** Received chunks not stored yet: taken a whole block at a time, which is hashed and stored in one piece. */
  private readonly unstored: Uint8Array[] = [];
  /** A written block's buffer the sink gave back, to fill next instead of a new one. */
  private spare: Uint8Array<ArrayBuffer> | null = null;
  private storing = false;
  /** The first block hash the sender offered that we can compute; null: SHA-256 of the whole file. */
  private readonly scheme: BlockScheme | null;
  private readonly hash: FileHash;
  private expectedHash?: string;
  private verifying = false;
  private accepting = false;
  /** Set while the peer is back and this transfer waits for its re-offer (see REOFFER_WAIT_MS). */
  private reofferDue: Timer | null = null;

  /** Back after a reconnection, the peer has not offered it again yet (see awaitReoffer). */
  get awaitingReoffer(): boolean {
    return this.reofferDue !== null && !this.finished;
  }

  constructor(
    host: TransferHost,
    private readonly budget: ReceiveBudget,
    transferId: string,
    peerId: string,
    slot: number,
    name: string,
    size: number,
    type: string,
    offeredHash?: string,
  ) {
    super(host, transferId, peerId, slot, name, size, type, TransferStatus.offered);
    this.scheme = chooseBlockScheme(offeredHash);
    this.hash = fileHash(this.scheme, size);
    void this.storageSpace().then((space) => this.showFits(space - this.budget.diskBytesToCome()));
  }

  /** Small files stay in memory; larger ones are written to disk as they arrive. */
  get goesToDisk(): boolean {
    return this.size > MEMORY_SINK_LIMIT;
  }

  /** Shows with the offer whether the file fits in `space`, what the storage has left once the files accepted before have written theirs. */
  showFits(space: number): void {
    const fits = this.size <= space;
    if (fits === this.fits) return;
    this.fits = fits;
    this.host.changed();
  }

  /**
   * The storage space left, asked now (small files: Infinity). Checked when the file is offered
   * (`fits`; again, by the registry, as space is taken or freed) and when it is accepted; the
   * caller takes off what the files accepted before will still write (see ReceiveBudget), in the
   * callback that decides, so that two files accepted at once do not both count the same space.
   */
  private storageSpace(): Promise<number> {
    return this.goesToDisk ? this.host.storageSpace() : Promise.resolve(Infinity);
  }

  /** What this file will still write to disk, once accepted (see ReceiveBudget.diskBytesToCome). */
  get diskBytesToCome(): number {
    return this.goesToDisk && (this.holdsTurn || this.status === TransferStatus.queued) ? this.size - this.bytes : 0;
  }

  /** Holds one of its peer's turns (see RECEIVING_AT_ONCE): coming in, or paused while the peer is away. */
  get holdsTurn(): boolean {
    return this.status === TransferStatus.active || this.status === TransferStatus.paused;
  }

  /** Receives chunks now: accepted, and the peer connected. */
  get receiving(): boolean {
    return this.status === TransferStatus.active;
  }

  /** Accepts, once the storage check allows it; a file that does not fit is declined instead. Starts now, or queued for its turn. */
  accept(): void {
    if (this.status !== TransferStatus.offered || this.accepting) return;
    this.accepting = true;
    void this.storageSpace().then((storage) => {
      this.accepting = false;
      if (this.status !== TransferStatus.offered) return;
      const space = storage - this.budget.diskBytesToCome();
      if (this.size > space) return this.declineTooLarge(space);
      if (this.budget.free(this.peerId)) this.start();
      else this.moveTo(TransferStatus.queued);
      if (this.diskBytesToCome > 0) this.budget.spaceChanged();
    });
  }

  /** Accepted, and its turn: asks for the bytes. */
  start(): void {
    if (!this.moveTo(TransferStatus.active)) return;
    this.sink = this.host.openSink(this.size);
    // Asked for at once: the first bytes cross while the sink opens (a file and its storage
    // worker: 11–23 ms in an idle page here), and wait for it within the window.
    this.sendAccept();
    this.sink.catch((error: unknown) => this.fail(`could not store the file: ${messageOf(error)}`));
  }

  /** Asks for the bytes we do not hold yet, naming the hash we chose. */
  private sendAccept(): void {
    this.host.sendFrame(this.peerId, { t: 'accept', tid: this.transferId, offset: this.received, ...(this.scheme ? { hash: this.scheme } : {}) });
  }

  decline(): void {
    if (this.status !== TransferStatus.offered) return;
    this.host.sendFrame(this.peerId, { t: 'decline', tid: this.transferId });
    this.finish(TransferStatus.declined);
  }

  private declineTooLarge(space: number): void {
    const reason = `"${this.name}" is ${this.size} bytes; the storage available here holds ${Math.max(0, space)} bytes`;
    this.host.emit('peer-chat-error', { type: ErrorType.fileTooLarge, message: reason, peerId: this.peerId });
    this.host.sendFrame(this.peerId, { t: 'decline', tid: this.transferId, code: 'file-too-large', reason });
    this.finish(TransferStatus.declined, reason);
  }

  /** The peer is back: its re-offer comes at once, or the transfer ends (see REOFFER_WAIT_MS); also one accepted while the peer was away. */
  awaitReoffer(): void {
    if (this.finished) return;
    this.reofferDue?.cancel();
    this.reofferDue = this.host.clock.setTimeout(() => this.cancel(NOT_OFFERED_AGAIN), REOFFER_WAIT_MS);
  }

  /** The sender offered again after a reconnection: answer as the transfer stands. */
  offeredAgain(): void {
    this.reofferDue?.cancel();
    this.reofferDue = null;
    const { peerId, transferId: tid } = this;
    switch (this.status) {
      case TransferStatus.offered:
        return; // Still waiting for the person.
      case TransferStatus.queued:
        // Its `accept` goes when its turn comes: now, if one freed while the peer was away.
        if (this.budget.free(peerId)) this.start();
        return;
      case TransferStatus.active:
      case TransferStatus.paused:
        this.moveTo(TransferStatus.active);
        // Everything received so far is (or will be) stored: ask for the rest. What is stored is
        // told first: the reports made while the peer was away were lost, and the sender's
        // window counts from the last it heard (it would wait for one that never comes).
        if (this.sink) {
          this.reportStored();
          this.sendAccept();
        }
        return;
      case TransferStatus.declined:
        this.host.sendFrame(peerId, { t: 'decline', tid });
        return;
      case TransferStatus.done:
        this.host.sendFrame(peerId, { t: 'received', tid, bytes: this.size });
        return;
      default:
        this.host.sendFrame(peerId, { t: 'cancel', tid, reason: this.reason ?? this.status });
    }
  }

  pause(): void {
    // Away again: no re-offer can come until the peer is back.
    this.reofferDue?.cancel();
    this.reofferDue = null;
    // An offer stays open for the person to answer; the answer goes out on reconnection.
    if (this.status === TransferStatus.active) this.moveTo(TransferStatus.paused);
  }

  chunk(offset: number, bytes: Uint8Array): void {
    if (offset !== this.received || offset + bytes.byteLength > this.size) {
      const problem = offset !== this.received ? `data at offset ${offset}, expected ${this.received}` : `more than the ${this.size} bytes offered`;
      this.host.violation(this.peerId, `${this.peerId} sent ${problem} for "${this.name}"`);
      return this.cancel('invalid file data');
    }
    if (offset + bytes.byteLength - this.bytes > RECEIVE_WINDOW_BYTES) {
      this.host.violation(this.peerId, `${this.peerId} sent more than ${RECEIVE_WINDOW_BYTES} bytes ahead of what is stored for "${this.name}"`);
      return this.cancel('the sender did not wait for acknowledgements');
    }
    this.received += bytes.byteLength;
    this.unstored.push(bytes);
    if (!this.storing && this.blockReady()) void this.store();
  }

  /** The sender's hash of the whole file, after its last chunk. */
  end(sha256: string): void {
    this.expectedHash = sha256;
    void this.completeIfWhole();
  }

  /** `errorType`: what the `peer-chat-error` of a failed or cancelled transfer says went wrong. */
  finish(status: TransferStatus, reason?: string, errorType: ErrorType = ErrorType.transfer): void {
    const heldTurn = this.holdsTurn;
    // Space it had yet to fill, now free (a file done has filled it: the storage's usage says so).
    const heldSpace = this.diskBytesToCome > 0;
    if (this.finished || !this.moveTo(status, reason)) return;
    this.reofferDue?.cancel();
    this.unstored.length = 0;
    this.spare = null;
    if (status !== TransferStatus.done) this.discard();
    if (status === TransferStatus.failed || status === TransferStatus.cancelled) {
      this.host.emit('peer-chat-error', { type: errorType, message: `"${this.name}": ${reason ?? status}`, peerId: this.peerId });
    }
    if (heldTurn) this.budget.freed(this.peerId);
    if (heldSpace) this.budget.spaceChanged();
  }

  /** It failed on our side (storing, hashing, verifying): the sender is told, else its `sendFile()` would wait for good. */
  private fail(reason: string, errorType: ErrorType = ErrorType.transfer): void {
    if (this.finished) return;
    this.host.sendFrame(this.peerId, { t: 'cancel', tid: this.transferId, reason });
    this.finish(TransferStatus.failed, reason, errorType);
  }

  /** Deletes what was stored (a failed transfer, or a finished one leaving the history). */
  discard(): void {
    void this.sink?.then((sink) => sink.discard()).catch(() => {});
    this.sink = null;
  }

  /** Whether the chunks not stored yet make the next whole block (the file's last may be shorter). */
  private blockReady(): boolean {
    return this.bytes < this.size && this.received - this.bytes >= Math.min(HASH_BLOCK_BYTES, this.size - this.bytes);
  }

  /**
   * Hashes and stores each whole block of the received chunks, yielding to the event loop
   * before each, so a chat frame that arrives meanwhile is handled at once instead of waiting
   * behind megabytes of file data. Started only once a block is whole: not a task per chunk.
   */
  private async store(): Promise<void> {
    this.storing = true;
    try {
      const sink = await this.sink!;
      while (!this.finished && this.blockReady()) {
        await nextTask();
        if (this.finished) break;
        const block = this.takeBlock();
        // The sink may take the block's buffer: its length is read first.
        const length = block.byteLength;
        let spare: Uint8Array<ArrayBuffer> | null;
        if (this.hash instanceof BlockHash && this.hash.hashedWhereWritten && sink.writeHashed) {
          // Hashed where it is written: off the main thread, which chat frames then do not wait for.
          const written = await sink.writeHashed(block);
          this.hash.addLeaf(this.bytes, length, written.digest);
          spare = written.spare;
        } else {
          this.hash.add(this.bytes, block);
          spare = await sink.write(block);
        }
        // Ended while the block was written (cancelled): a finished transfer holds no buffer.
        if (!this.finished) this.spare = spare;
        this.stored(length);
      }
    } catch (error) {
      this.fail(`could not store the file: ${messageOf(error)}`);
    } finally {
      this.storing = false;
    }
  }

  /** Copies the next block out of the queued chunks, which hold it whole (see `blockReady`). */
  private takeBlock(): Uint8Array<ArrayBuffer> {
    const length = Math.min(HASH_BLOCK_BYTES, this.size - this.bytes);
    const block = this.spare?.byteLength === length ? this.spare : new Uint8Array(length);
    this.spare = null;
    for (let filled = 0; filled < length; ) {
      const chunk = this.unstored[0];
      const take = Math.min(chunk.byteLength, length - filled);
      block.set(chunk.subarray(0, take), filled);
      filled += take;
      if (take === chunk.byteLength) this.unstored.shift();
      else this.unstored[0] = chunk.subarray(take);
    }
    return block;
  }

  /** Tells the sender what is stored; not all of it, which says verified (see completeIfWhole): the sender would not send its `end`. */
  private reportStored(): void {
    if (this.bytes >= this.size) return;
    this.lastAck = this.bytes;
    this.host.sendFrame(this.peerId, { t: 'received', tid: this.transferId, bytes: this.bytes });
  }

  private stored(count: number): void {
    if (this.finished) return;
    this.bytes += count;
    if (this.bytes - this.lastAck >= ACK_EVERY_BYTES) this.reportStored();
    this.progress();
    void this.completeIfWhole();
  }

  /** Once every byte is stored and the sender's hash is known: verify, then hand over. */
  private async completeIfWhole(): Promise<void> {
    if (this.verifying || this.bytes !== this.size || this.expectedHash === undefined || this.finished) return;
    this.verifying = true;
    let matches: boolean;
    try {
      matches = (await this.hash.hex()) === this.expectedHash;
    } catch (error) {
      return this.fail(`could not hash the file: ${messageOf(error)}`);
    }
    if (this.finished) return;
    if (!matches) return this.fail("integrity check failed: it arrived corrupted, its hash does not match the sender's", ErrorType.integrity);
    try {
      this.file = await (await this.sink!).finish(this.name, this.type);
    } catch (error) {
      return this.fail(`could not store the file: ${messageOf(error)}`);
    }
    // Cancelled meanwhile: not handed over. Paused (the peer dropped) is done all the same: the
    // whole file is here and verified; the sender, told now or when it offers again, completes.
    if (this.finished) return;
    this.finish(TransferStatus.done);
    this.host.sendFrame(this.peerId, { t: 'received', tid: this.transferId, bytes: this.size });
    this.host.emit('peer-chat-file', { transferId: this.transferId, from: this.peerId, file: this.file });
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
