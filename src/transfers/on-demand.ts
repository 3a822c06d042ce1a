/**
 * Stands in for {@link Transfers} until it is needed: the machinery is loaded the first time a
 * file is sent or a transfer frame (or file data) arrives. Calls made while it loads wait and
 * then run in the order they came, so no frame is lost or reordered. Before the first load
 * there is no transfer to accept, pause or abandon, so those calls have nothing to do.
 */
import type { TransferFrame } from '../engine/protocol.js';
import type { Transfers } from './registry.js';
import type { Transfer } from './transfer.js';

interface Waiting {
  call(transfers: Transfers): void;
  failed?(error: unknown): void;
}

export class TransfersOnDemand {
  #transfers: Transfers | null = null;
  #loading = false;
  #waiting: Waiting[] = [];

  constructor(
    private readonly load: () => Promise<Transfers>,
    /** The machinery could not be loaded (the page went offline): what waited for it is dropped. */
    private readonly loadFailed: (error: unknown) => void,
  ) {}

  send(file: File, peerId: string): Promise<void> {
    return new Promise((resolve, reject) => this.#use({ call: (transfers) => transfers.send(file, peerId).then(resolve, reject), failed: reject }));
  }

  handleFrame(peerId: string, frame: TransferFrame): void {
    this.#use({ call: (transfers) => transfers.handleFrame(peerId, frame) });
  }

  handleChunk(peerId: string, data: unknown): void {
    this.#use({ call: (transfers) => transfers.handleChunk(peerId, data) });
  }

  accept(transferId: string): void {
    this.#ifAny((transfers) => transfers.accept(transferId));
  }

  decline(transferId: string): void {
    this.#ifAny((transfers) => transfers.decline(transferId));
  }

  cancel(transferId: string): void {
    this.#ifAny((transfers) => transfers.cancel(transferId));
  }

  pause(peerId: string): void {
    this.#ifAny((transfers) => transfers.pause(peerId));
  }

  resume(peerId: string): void {
    this.#ifAny((transfers) => transfers.resume(peerId));
  }

  abandon(peerId: string, reason: string): void {
    this.#ifAny((transfers) => transfers.abandon(peerId, reason));
  }

  forget(transfer: Transfer): void {
    this.#ifAny((transfers) => transfers.forget(transfer));
  }

  /** Runs `call` on the machinery, loading it first if need be. */
  #use(waiting: Waiting): void {
    if (this.#transfers) return waiting.call(this.#transfers);
    this.#waiting.push(waiting);
    if (this.#loading) return;
    this.#loading = true;
    this.load().then(
      (transfers) => {
        this.#transfers = transfers;
        for (const { call } of this.#take()) call(transfers);
      },
      (error) => {
        // The next call tries again.
        this.#loading = false;
        this.loadFailed(error);
        for (const { failed } of this.#take()) failed?.(error);
      },
    );
  }

  /** Runs `call` on the machinery if it is loaded or loading: otherwise no transfer exists for it to act on. */
  #ifAny(call: (transfers: Transfers) => void): void {
    if (this.#transfers || this.#loading) this.#use({ call });
  }

  #take(): Waiting[] {
    const waiting = this.#waiting;
    this.#waiting = [];
    return waiting;
  }
}
