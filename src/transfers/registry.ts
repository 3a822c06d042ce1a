/**
 * Every file transfer with every peer: creates them, routes each transfer frame (the offer
 * included) and each binary chunk to its transfer, and pauses, resumes or abandons a peer's
 * transfers as its connection comes and goes.
 */
import { ErrorType } from '../errors.js';
import { throttle } from '../engine/clock.js';
import { LIMITS, decodeChunk, type TransferFrame } from '../engine/protocol.js';
import { Direction } from '../engine/types.js';
import { safeName } from '../engine/sanitize.js';
import { safeFileName } from './file-name.js';
import { IncomingTransfer, NOT_OFFERED_AGAIN, type ReceiveBudget } from './receiver.js';
import { OutgoingTransfer } from './sender.js';
import type { Transfer, TransferHost } from './transfer.js';
import { PROGRESS_DRAW_INTERVAL_MS, TransferStatus } from './types.js';

/**
 * How many of one peer's files come in at once; more accepted ones are `queued` until one of
 * those ends. Each may hold up to RECEIVE_WINDOW_BYTES received but not yet stored (writes
 * slower than the network), so this bounds what one peer can make us hold: however many files
 * it offers, honest or not.
 */
export const RECEIVING_AT_ONCE = 4;

/**
 * Most of one peer's files offered to us that have not ended (waiting for an answer, queued,
 * coming in or paused): each is an entry of the history, kept until it ends. Beyond it, an offer
 * is declined and counted against the peer, so a stream of offers cannot fill our memory.
 */
export const OPEN_OFFERS_PER_PEER = 1000;

export class Transfers {
  /** Every transfer still in the history, by id (ids are unique per peer only: keyed with it). */
  private readonly all = new Map<string, Transfer>();
  /** Incoming transfers by `${peerId} ${slot}`, so chunks find theirs quickly. */
  private readonly bySlot = new Map<string, IncomingTransfer>();
  private nextSlot = 1;
  private readonly host: TransferHost;
  /**
   * Peers away (paused until they are back): no queued file of theirs starts meanwhile, its
   * `accept` would be lost (each waits for its re-offer instead).
   */
  private readonly away = new Set<string>();
  /** See RECEIVING_AT_ONCE, IncomingTransfer.holdsTurn and IncomingTransfer.diskBytesToCome. */
  private readonly budget: ReceiveBudget = {
    free: (peerId) => !this.away.has(peerId) && this.offeredBy(peerId).filter((transfer) => transfer.holdsTurn).length < RECEIVING_AT_ONCE,
    freed: (peerId) => {
      // In the order they were offered (the map keeps the order transfers were added in).
      if (this.budget.free(peerId)) this.offeredBy(peerId).find((transfer) => transfer.status === TransferStatus.queued)?.start();
    },
    diskBytesToCome: () => {
      let bytes = 0;
      for (const transfer of this.all.values()) if (transfer instanceof IncomingTransfer) bytes += transfer.diskBytesToCome;
      return bytes;
    },
    spaceChanged: () => {
      const offers = [...this.all.values()].filter((transfer): transfer is IncomingTransfer => transfer instanceof IncomingTransfer && transfer.status === TransferStatus.offered && transfer.goesToDisk);
      if (offers.length === 0) return;
      // One estimate and one count for every open offer.
      void this.host.storageSpace().then((space) => {
        const left = space - this.budget.diskBytesToCome();
        for (const offer of offers) offer.showFits(left);
      });
    },
  };

  constructor(
    host: Omit<TransferHost, 'progressed'>,
    private readonly randomId: () => string,
    /** A transfer was created: the engine adds it to the history. */
    private readonly added: (transfer: Transfer) => void,
  ) {
    // Bars that moved get one render per interval between them all: with many transfers under way, not one each.
    const drawingDue = throttle(host.clock, PROGRESS_DRAW_INTERVAL_MS);
    // A storage that cannot say how much it holds limits nothing: writes fail clearly if it fills.
    this.host = { ...host, progressed: () => drawingDue() && host.changed(), storageSpace: () => host.storageSpace().catch(() => Infinity) };
  }

  /** Offers `file` to one peer; resolves when it holds every byte, verified. */
  send(file: File, peerId: string): Promise<void> {
    const transfer = new OutgoingTransfer(this.host, this.randomId(), peerId, this.nextSlot++, safeFileName(file.name), file);
    this.add(transfer);
    transfer.offer();
    return transfer.done;
  }

  accept(transferId: string): void {
    this.incoming(transferId)?.accept();
  }

  decline(transferId: string): void {
    this.incoming(transferId)?.decline();
  }

  cancel(transferId: string): void {
    for (const transfer of this.all.values()) if (transfer.transferId === transferId) transfer.cancel();
  }

  handleFrame(peerId: string, frame: TransferFrame): void {
    if (frame.t === 'offer') return this.receiveOffer(peerId, frame);
    const transfer = this.all.get(key(peerId, frame.tid));
    // About one we no longer know, ended here or from before this page loaded (a receiver's turn
    // may come for a file we offered then; its reports on one we were sending; a cancel): nothing to do.
    if (!transfer) return;
    if (transfer.finished) return;
    if (frame.t === 'cancel') return transfer.finish('cancelled', `${this.host.displayName(peerId)} cancelled: ${safeName(frame.reason, LIMITS.maxNameLength)}`);
    if (transfer instanceof OutgoingTransfer) {
      if (frame.t === 'accept') return transfer.accepted(frame.offset, frame.hash);
      if (frame.t === 'decline') return transfer.declined(frame.code === 'file-too-large', frame.reason && safeName(frame.reason, LIMITS.maxNameLength));
      if (frame.t === 'received') return transfer.received(frame.bytes);
    } else if (transfer instanceof IncomingTransfer && frame.t === 'end') {
      return transfer.end(frame.sha256);
    }
    this.host.violation(peerId, `${peerId} sent "${frame.t}" for a file it ${transfer.direction === Direction.in ? 'sends' : 'receives'}`);
  }

  handleChunk(peerId: string, data: unknown): void {
    const decoded = decodeChunk(data);
    if (!decoded.ok) return this.host.violation(peerId, `Bad file data from ${peerId}: ${decoded.error}`);
    const { slot, offset, bytes } = decoded.value;
    const transfer = this.bySlot.get(`${peerId} ${slot}`);
    // Data still in flight for a transfer that just paused or ended is expected; for none, not.
    if (!transfer) return this.host.violation(peerId, `${peerId} sent file data for no transfer`);
    if (transfer.receiving) transfer.chunk(offset, bytes);
  }

  /** The peer is gone for now: its transfers wait for it. */
  pause(peerId: string): void {
    this.away.add(peerId);
    for (const transfer of this.unfinished(peerId)) transfer.pause();
  }

  /** The peer is back (same session): our offers go out again; its re-offers are answered, and awaited. */
  resume(peerId: string): void {
    this.away.delete(peerId);
    for (const transfer of this.unfinished(peerId)) {
      if (transfer instanceof OutgoingTransfer) transfer.offer();
      else if (transfer instanceof IncomingTransfer) transfer.awaitReoffer();
    }
  }

  /** The peer is gone for good: everything unfinished with it fails. */
  abandon(peerId: string, reason: string): void {
    this.away.delete(peerId); // Gone, not away: what it offers after a new `hello` is taken as usual.
    // The queued files first: none starts as those coming in fail and free their turns.
    const queued = (transfer: Transfer) => transfer.status === TransferStatus.queued;
    const unfinished = this.unfinished(peerId);
    for (const transfer of [...unfinished.filter(queued), ...unfinished.filter((transfer) => !queued(transfer))]) transfer.finish('failed', reason);
  }

  /** The transfer left the history: stop routing to it, and delete what it stored. */
  forget(transfer: Transfer): void {
    if (!transfer.finished) transfer.cancel('removed from the history');
    this.all.delete(key(transfer.peerId, transfer.transferId));
    if (transfer instanceof IncomingTransfer) {
      transfer.discard();
      const slot = `${transfer.peerId} ${transfer.slot}`;
      if (this.bySlot.get(slot) === transfer) this.bySlot.delete(slot);
    }
  }

  private receiveOffer(peerId: string, frame: Extract<TransferFrame, { t: 'offer' }>): void {
    const existing = this.all.get(key(peerId, frame.tid));
    if (existing) {
      if (!(existing instanceof IncomingTransfer) || existing.slot !== frame.slot || existing.size !== frame.size) {
        return this.host.violation(peerId, `${peerId} reused a transfer id`);
      }
      return existing.offeredAgain();
    }
    const slot = `${peerId} ${frame.slot}`;
    const before = this.bySlot.get(slot);
    // Still waiting to be offered again after a reconnection (coming in, queued, or waiting for
    // the person): a new file in its slot is from a page that no longer has it (the peer
    // reloaded with `persist`, and numbers its files afresh).
    if (before?.awaitingReoffer) before.cancel(NOT_OFFERED_AGAIN);
    else if (before?.finished === false) return this.host.violation(peerId, `${peerId} reused a transfer slot`);
    if (this.offeredBy(peerId).length >= OPEN_OFFERS_PER_PEER) {
      const reason = `more than ${OPEN_OFFERS_PER_PEER} files offered at once`;
      this.host.sendFrame(peerId, { t: 'decline', tid: frame.tid, reason });
      return this.host.violation(peerId, `${peerId} offered ${reason}`);
    }
    const transfer = new IncomingTransfer(this.host, this.budget, frame.tid, peerId, frame.slot, safeFileName(frame.name), frame.size, frame.type.slice(0, LIMITS.maxIdLength), frame.hash);
    this.add(transfer);
    this.bySlot.set(slot, transfer);
    const { maxFileSize, acceptFiles } = this.host.limits();
    if (frame.size > maxFileSize) {
      this.host.emit('peer-chat-error', {
        type: ErrorType.fileTooLarge,
        message: `${this.host.displayName(peerId)} offered "${transfer.name}" (${frame.size} bytes), above the limit of ${maxFileSize} bytes`,
        peerId,
      });
      return transfer.decline();
    }
    const allowed = this.host.emit('peer-chat-file-offer', { transferId: transfer.transferId, from: peerId, name: transfer.name, size: transfer.size, type: transfer.type });
    if (transfer.status !== 'offered') return; // A listener already answered it.
    if (!allowed || acceptFiles === 'never') transfer.decline();
    else if (acceptFiles === 'always') transfer.accept();
  }

  private add(transfer: Transfer): void {
    this.all.set(key(transfer.peerId, transfer.transferId), transfer);
    this.added(transfer);
    this.host.changed();
  }

  private incoming(transferId: string): IncomingTransfer | undefined {
    for (const transfer of this.all.values()) if (transfer instanceof IncomingTransfer && transfer.transferId === transferId) return transfer;
    return undefined;
  }

  private unfinished(peerId: string): Transfer[] {
    return [...this.all.values()].filter((transfer) => transfer.peerId === peerId && !transfer.finished);
  }

  /** The files `peerId` offered us that have not ended, in the order they were offered. */
  private offeredBy(peerId: string): IncomingTransfer[] {
    return this.unfinished(peerId).filter((transfer) => transfer instanceof IncomingTransfer);
  }
}

const key = (peerId: string, transferId: string) => `${peerId} ${transferId}`;
