/**
 * The reactive controller behind `<peer-chat>`: it owns the transport, speaks the protocol
 * with every connected peer, keeps the chat history and the transfers, and fires the
 * element's events. The element only renders this state and forwards the person's actions.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { Direction, ErrorType, firePeerChatEvent, type ChatMessage, type PeerChatEventDetails } from './events.js';
import {
  LIMITS,
  PROTOCOL_VERSION,
  decodeChunk,
  decodeControl,
  encodeChunk,
  encodeControl,
  type ControlFrame,
  type OfferFrame,
} from './protocol.js';
import { MemorySink, TransferStatus, isFinished, randomId, streamFile, type FileSink, type TransferInfo } from './transfer.js';
import { Link, SignalingState, Transport, TypedError, type TransportOptions } from './transport.js';

export const AcceptFiles = { ask: 'ask', always: 'always', never: 'never' } as const;
export type AcceptFiles = (typeof AcceptFiles)[keyof typeof AcceptFiles];

export const DisconnectReason = {
  /** The remote peer closed the connection, or its tab went away. */
  closed: 'closed',
  /** Nothing heard from the peer for too long: network gone or tab frozen. */
  timeout: 'timeout',
  /** We disconnected. */
  local: 'local',
} as const;

export interface ChatSettings extends Omit<TransportOptions, 'metadata'> {
  name: string;
  acceptFiles: AcceptFiles;
  maxFileSize: number;
}

export interface ConnectedPeer {
  peerId: string;
  name: string;
}

/** Timing of the liveness check and the connect handshake. */
const TIMING = {
  pingIntervalMs: 1000,
  /** A peer silent this long is gone (tab frozen or network cut). */
  silenceLimitMs: 4500,
  /** How long a dialer waits for the peer's `hello` before treating it as a plain PeerJS app. */
  helloWaitMs: 2000,
  connectTimeoutMs: 20000,
  /** Receivers report progress at most this often. */
  progressIntervalMs: 100,
} as const;

interface PeerEntry {
  link: Link;
  name: string;
  lastHeard: number;
  connected: boolean;
  /** Resolves `connect()` calls waiting for this peer. */
  onConnected: Array<() => void>;
  helloTimer?: ReturnType<typeof setTimeout>;
}

interface Transfer extends TransferInfo {
  slot: number;
  /** Outgoing: the file being sent. Incoming: unset until done. */
  source?: File;
  sink?: FileSink;
  lastReport: number;
  settle?: (error: TypedError | null) => void;
}

export class ChatController implements ReactiveController {
  private transport: Transport | null = null;
  private readonly peers = new Map<string, PeerEntry>();
  private readonly history: ChatMessage[] = [];
  private readonly transferList: Transfer[] = [];
  /** Incoming transfers by `${peerId} ${slot}`, so chunks find their transfer quickly. */
  private readonly incomingBySlot = new Map<string, Transfer>();
  /** `connect()` calls waiting for a peer whose link is still being dialed. */
  private readonly pendingConnected = new Map<string, Array<() => void>>();
  private nextSlot = 1;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private settings: ChatSettings | null = null;

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
  }

  get peerId(): string {
    return this.transport?.peerId ?? '';
  }

  get signalingState(): SignalingState {
    return this.transport?.signalingState ?? SignalingState.closed;
  }

  get connectedPeers(): ConnectedPeer[] {
    return [...this.peers.values()].filter((entry) => entry.connected).map(({ link, name }) => ({ peerId: link.peerId, name }));
  }

  get messages(): readonly ChatMessage[] {
    return this.history;
  }

  get transfers(): readonly TransferInfo[] {
    return this.transferList;
  }

  hostDisconnected(): void {
    this.stop();
  }

  /** (Re)starts with new settings: a new registration, connections dropped. */
  start(settings: ChatSettings): void {
    this.stop();
    this.settings = settings;
    this.transport = new Transport(
      { ...settings, metadata: { peerChat: PROTOCOL_VERSION, name: settings.name } },
      {
        onRegistered: (peerId) => {
          this.host.requestUpdate();
          this.fire('peer-chat-ready', { peerId });
        },
        onSignalingState: (state) => {
          this.host.requestUpdate();
          this.fire('peer-chat-signaling', { state });
        },
        onIncoming: (link) => this.adopt(link),
        onError: (error) => this.fire('peer-chat-error', error),
      },
    );
    this.transport.start();
    this.pingTimer = setInterval(() => this.checkLiveness(), TIMING.pingIntervalMs);
  }

  /** Applies settings that need no new registration. */
  update(settings: Pick<ChatSettings, 'name' | 'acceptFiles' | 'maxFileSize'>): void {
    if (this.settings) Object.assign(this.settings, settings);
  }

  stop(): void {
    clearInterval(this.pingTimer);
    for (const entry of [...this.peers.values()]) this.drop(entry, DisconnectReason.local);
    this.transport?.stop();
    this.transport = null;
  }

  async connect(remoteId: string): Promise<void> {
    const id = String(remoteId ?? '').trim();
    if (!id) throw this.report(new TypedError(ErrorType.unknownPeer, 'Enter the id of the peer to connect to'));
    if (id === this.peerId) throw this.report(new TypedError(ErrorType.unknownPeer, 'That is your own id: enter the id of another peer', id));
    const existing = this.peers.get(id);
    if (existing?.connected) return;
    if (!this.transport) throw this.report(new TypedError(ErrorType.signaling, 'The element is not started', id));
    const connected = new Promise<void>((resolve) => {
      if (existing) existing.onConnected.push(resolve);
      else this.pendingConnected.set(id, [...(this.pendingConnected.get(id) ?? []), resolve]);
    });
    if (!existing) {
      try {
        this.adopt(await this.transport.dial(id, TIMING.connectTimeoutMs));
      } catch (error) {
        this.pendingConnected.delete(id);
        throw this.report(error instanceof TypedError ? error : new TypedError(ErrorType.connection, String(error), id));
      }
    }
    await connected;
  }

  disconnect(remoteId?: string): void {
    const targets = remoteId === undefined ? [...this.peers.values()] : [this.peers.get(remoteId)].filter((entry) => !!entry);
    for (const entry of targets) this.drop(entry, DisconnectReason.local);
  }

  /** Sends a chat message to one peer, or to every connected peer. */
  send(text: string, to?: string): ChatMessage {
    const body = String(text ?? '');
    if (!body.trim()) throw this.report(new TypedError(ErrorType.protocol, 'The message is empty'));
    if (body.length > LIMITS.maxTextLength) {
      throw this.report(new TypedError(ErrorType.protocol, `The message is ${body.length} characters long; the limit is ${LIMITS.maxTextLength}`));
    }
    const targets = this.targets(to);
    const message: ChatMessage = { id: randomId(), from: this.peerId, text: body, time: Date.now(), direction: Direction.out };
    for (const entry of targets) {
      const frame = entry.link.speaksProtocol ? encodeControl({ t: 'msg', id: message.id, text: body, time: message.time }) : body;
      entry.link.sendControl(frame);
    }
    this.record(message);
    return message;
  }

  /** Offers `file` to one peer or to all; resolves when every receiver holds every byte. */
  async sendFile(file: File, to?: string): Promise<void> {
    if (!(file instanceof Blob)) throw this.report(new TypedError(ErrorType.transfer, 'sendFile needs a File'));
    const maxFileSize = this.settings?.maxFileSize ?? Infinity;
    if (file.size > maxFileSize) {
      throw this.report(new TypedError(ErrorType.fileTooLarge, `"${file.name}" is ${file.size} bytes; the limit is ${maxFileSize} bytes`));
    }
    const targets = this.targets(to).filter((entry) => {
      if (entry.link.speaksProtocol) return true;
      this.fire('peer-chat-error', { type: ErrorType.transfer, message: `${entry.link.peerId} cannot receive files`, peerId: entry.link.peerId });
      return false;
    });
    if (targets.length === 0) throw this.report(new TypedError(ErrorType.notConnected, 'No connected peer can receive files'));
    const results = await Promise.allSettled(targets.map((entry) => this.offer(file, entry)));
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw (failure as PromiseRejectedResult).reason;
  }

  acceptFile(transferId: string): void {
    const transfer = this.findTransfer(transferId, TransferStatus.offered);
    if (!transfer) return;
    const entry = this.peers.get(transfer.peerId);
    if (!entry) return this.finishTransfer(transfer, TransferStatus.failed, 'The peer is gone');
    transfer.status = TransferStatus.active;
    transfer.sink = new MemorySink();
    this.incomingBySlot.set(`${transfer.peerId} ${transfer.slot}`, transfer);
    this.sendFrame(entry, { t: 'accept', tid: transfer.transferId });
    this.host.requestUpdate();
    if (transfer.size === 0) this.completeIncoming(transfer, entry);
  }

  declineFile(transferId: string): void {
    const transfer = this.findTransfer(transferId, TransferStatus.offered);
    if (!transfer) return;
    const entry = this.peers.get(transfer.peerId);
    if (entry) this.sendFrame(entry, { t: 'decline', tid: transfer.transferId });
    this.finishTransfer(transfer, TransferStatus.declined);
  }

  /** Cancels a transfer in either direction, telling the peer. */
  cancelTransfer(transferId: string, reason = 'cancelled'): void {
    const transfer = this.transferList.find((candidate) => candidate.transferId === transferId);
    if (!transfer || isFinished(transfer.status)) return;
    const entry = this.peers.get(transfer.peerId);
    if (entry) this.sendFrame(entry, { t: 'cancel', tid: transfer.transferId, reason });
    this.finishTransfer(transfer, TransferStatus.cancelled, reason);
  }

  // ---- connections --------------------------------------------------------------------

  private adopt(link: Link): void {
    const previous = this.peers.get(link.peerId);
    const metadata = link.metadata as { name?: unknown } | undefined;
    const offeredName = typeof metadata?.name === 'string' ? metadata.name.slice(0, LIMITS.maxNameLength) : '';
    const entry: PeerEntry = {
      link,
      name: offeredName || previous?.name || '',
      lastHeard: Date.now(),
      connected: false,
      onConnected: [...(previous?.onConnected ?? []), ...(this.pendingConnected.get(link.peerId) ?? [])],
    };
    this.pendingConnected.delete(link.peerId);
    // A newer connection from the same peer (it reloaded, or both dialed) replaces the old one.
    if (previous) {
      previous.link.listener = null;
      previous.link.close();
      this.failTransfersOf(previous.link.peerId, 'The connection was replaced');
    }
    this.peers.set(link.peerId, entry);
    link.listener = {
      onOpen: () => this.handleOpen(entry, previous?.connected ?? false),
      onControl: (data) => this.handleControl(entry, data),
      onBulk: (data) => this.handleBulk(entry, data),
      onClose: () => this.drop(entry, DisconnectReason.closed),
    };
    if (link.isOpen) this.handleOpen(entry, previous?.connected ?? false);
  }

  private handleOpen(entry: PeerEntry, wasConnected: boolean): void {
    entry.lastHeard = Date.now();
    if (!entry.link.speaksProtocol) return this.markConnected(entry, wasConnected);
    this.sendFrame(entry, { t: 'hello', v: PROTOCOL_VERSION, name: this.settings?.name ?? '' });
    if (entry.name) return this.markConnected(entry, wasConnected);
    // We dialed: wait briefly for the peer's name so `peer-chat-connect` can carry it.
    entry.helloTimer = setTimeout(() => this.markConnected(entry, wasConnected), TIMING.helloWaitMs);
  }

  private markConnected(entry: PeerEntry, wasConnected: boolean): void {
    clearTimeout(entry.helloTimer);
    if (entry.connected || this.peers.get(entry.link.peerId) !== entry) return;
    entry.connected = true;
    this.host.requestUpdate();
    if (!wasConnected) this.fire('peer-chat-connect', { peerId: entry.link.peerId, ...(entry.name ? { name: entry.name } : {}) });
    for (const resolve of entry.onConnected.splice(0)) resolve();
  }

  private drop(entry: PeerEntry, reason: string): void {
    if (this.peers.get(entry.link.peerId) !== entry) return;
    clearTimeout(entry.helloTimer);
    this.peers.delete(entry.link.peerId);
    entry.link.listener = null;
    entry.link.close();
    this.failTransfersOf(entry.link.peerId, reason === DisconnectReason.local ? 'Disconnected' : 'The peer left');
    this.host.requestUpdate();
    if (entry.connected) this.fire('peer-chat-disconnect', { peerId: entry.link.peerId, reason });
  }

  private checkLiveness(): void {
    const now = Date.now();
    for (const entry of [...this.peers.values()]) {
      if (!entry.link.isOpen || !entry.link.speaksProtocol) continue;
      if (now - entry.lastHeard > TIMING.silenceLimitMs) {
        this.drop(entry, DisconnectReason.timeout);
        continue;
      }
      this.sendFrame(entry, { t: 'ping' });
    }
  }

  private targets(to?: string): PeerEntry[] {
    if (to !== undefined) {
      const entry = this.peers.get(to);
      if (!entry?.connected) throw this.report(new TypedError(ErrorType.notConnected, `Not connected to ${to}`, to));
      return [entry];
    }
    const all = [...this.peers.values()].filter((entry) => entry.connected);
    if (all.length === 0) throw this.report(new TypedError(ErrorType.notConnected, 'Not connected to any peer'));
    return all;
  }

  // ---- incoming frames -----------------------------------------------------------------

  private handleControl(entry: PeerEntry, data: unknown): void {
    entry.lastHeard = Date.now();
    const peerId = entry.link.peerId;
    if (!entry.link.speaksProtocol) {
      // A plain PeerJS app: strings are chat messages, anything else is not understood.
      if (typeof data === 'string' && data.length <= LIMITS.maxTextLength) {
        this.record({ id: randomId(), from: peerId, text: data, time: Date.now(), direction: Direction.in });
      } else {
        this.fire('peer-chat-error', { type: ErrorType.protocol, message: `Unsupported data from ${peerId}`, peerId });
      }
      return;
    }
    const decoded = decodeControl(data);
    if (!decoded.ok) {
      this.fire('peer-chat-error', { type: ErrorType.protocol, message: `Bad frame from ${peerId}: ${decoded.error}`, peerId });
      return;
    }
    this.handleFrame(entry, decoded.value);
  }

  private handleFrame(entry: PeerEntry, frame: ControlFrame): void {
    const peerId = entry.link.peerId;
    switch (frame.t) {
      case 'hello':
        entry.name = frame.name;
        this.host.requestUpdate();
        this.markConnected(entry, false);
        return;
      case 'ping':
        return;
      case 'msg':
        this.record({ id: frame.id, from: peerId, text: frame.text, time: frame.time, direction: Direction.in });
        return;
      case 'offer':
        this.receiveOffer(entry, frame);
        return;
    }
    // The rest refer to a transfer with this peer.
    const transfer = this.transferList.find((candidate) => candidate.transferId === frame.tid && candidate.peerId === peerId);
    if (!transfer) {
      this.fire('peer-chat-error', { type: ErrorType.protocol, message: `${peerId} referred to an unknown transfer`, peerId });
      return;
    }
    if (isFinished(transfer.status)) return;
    switch (frame.t) {
      case 'accept':
        if (transfer.direction === Direction.out && transfer.status === TransferStatus.waiting) void this.pump(transfer, entry);
        return;
      case 'decline':
        if (transfer.direction === Direction.out) this.finishTransfer(transfer, TransferStatus.declined, `${entry.name || peerId} declined the file`);
        return;
      case 'cancel':
        this.finishTransfer(transfer, TransferStatus.cancelled, `${entry.name || peerId} cancelled: ${frame.reason}`);
        return;
      case 'received':
        if (transfer.direction !== Direction.out || frame.bytes > transfer.size || frame.bytes < transfer.bytes) {
          this.fire('peer-chat-error', { type: ErrorType.protocol, message: `${peerId} reported an impossible byte count`, peerId });
          return;
        }
        transfer.bytes = frame.bytes;
        this.reportProgress(transfer);
        if (frame.bytes === transfer.size && transfer.status === TransferStatus.active) this.finishTransfer(transfer, TransferStatus.done);
        return;
    }
  }

  private handleBulk(entry: PeerEntry, data: unknown): void {
    entry.lastHeard = Date.now();
    const peerId = entry.link.peerId;
    const decoded = decodeChunk(data);
    if (!decoded.ok) {
      this.fire('peer-chat-error', { type: ErrorType.protocol, message: `Bad file data from ${peerId}: ${decoded.error}`, peerId });
      return;
    }
    const { slot, offset, bytes } = decoded.value;
    const transfer = this.incomingBySlot.get(`${peerId} ${slot}`);
    if (!transfer) {
      // Data still in flight for a transfer that just ended is expected; anything else is not.
      const ended = this.transferList.some((candidate) => candidate.peerId === peerId && candidate.slot === slot && isFinished(candidate.status));
      if (!ended) this.fire('peer-chat-error', { type: ErrorType.protocol, message: `${peerId} sent file data for no transfer`, peerId });
      return;
    }
    if (offset !== transfer.bytes || offset + bytes.byteLength > transfer.size) {
      const problem = offset !== transfer.bytes ? `data at offset ${offset}, expected ${transfer.bytes}` : `more than the ${transfer.size} bytes offered`;
      this.fire('peer-chat-error', { type: ErrorType.protocol, message: `${peerId} sent ${problem} for "${transfer.name}"`, peerId });
      this.cancelTransfer(transfer.transferId, 'bad file data');
      return;
    }
    transfer.sink!.write(bytes);
    transfer.bytes += bytes.byteLength;
    if (transfer.bytes === transfer.size) return this.completeIncoming(transfer, entry);
    const now = Date.now();
    if (now - transfer.lastReport >= TIMING.progressIntervalMs) {
      transfer.lastReport = now;
      this.sendFrame(entry, { t: 'received', tid: transfer.transferId, bytes: transfer.bytes });
      this.reportProgress(transfer);
    }
  }

  // ---- transfers --------------------------------------------------------------------------

  private offer(file: File, entry: PeerEntry): Promise<void> {
    const transfer: Transfer = {
      transferId: randomId(),
      peerId: entry.link.peerId,
      direction: Direction.out,
      name: file.name || 'file',
      size: file.size,
      type: file.type,
      bytes: 0,
      status: TransferStatus.waiting,
      time: Date.now(),
      slot: this.nextSlot++,
      source: file,
      file,
      lastReport: 0,
    };
    const done = new Promise<void>((resolve, reject) => {
      transfer.settle = (error) => (error ? reject(error) : resolve());
    });
    this.transferList.push(transfer);
    this.host.requestUpdate();
    const { transferId, slot, name, size, type } = transfer;
    this.sendFrame(entry, { t: 'offer', tid: transferId, slot, name: name.slice(0, LIMITS.maxNameLength), size, type: type.slice(0, LIMITS.maxIdLength) });
    return done;
  }

  /** Sends the file's bytes on the bulk channel; completion comes from the receiver. */
  private async pump(transfer: Transfer, entry: PeerEntry): Promise<void> {
    transfer.status = TransferStatus.active;
    this.host.requestUpdate();
    try {
      await streamFile(
        transfer.source!,
        entry.link.chunkSize,
        (offset, bytes) => entry.link.sendBulk(encodeChunk(transfer.slot, offset, bytes)),
        () => transfer.status !== TransferStatus.active,
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (transfer.status === TransferStatus.active) this.cancelTransfer(transfer.transferId, `sending failed: ${message}`);
    }
  }

  private receiveOffer(entry: PeerEntry, frame: OfferFrame): void {
    const peerId = entry.link.peerId;
    const duplicate = this.transferList.some((candidate) => candidate.peerId === peerId && (candidate.transferId === frame.tid || candidate.slot === frame.slot));
    if (duplicate) {
      this.fire('peer-chat-error', { type: ErrorType.protocol, message: `${peerId} reused a transfer id`, peerId });
      return;
    }
    const transfer: Transfer = {
      transferId: frame.tid,
      peerId,
      direction: Direction.in,
      name: frame.name || 'file',
      size: frame.size,
      type: frame.type,
      bytes: 0,
      status: TransferStatus.offered,
      time: Date.now(),
      slot: frame.slot,
      lastReport: 0,
    };
    this.transferList.push(transfer);
    this.host.requestUpdate();
    const maxFileSize = this.settings?.maxFileSize ?? Infinity;
    if (frame.size > maxFileSize) {
      this.fire('peer-chat-error', {
        type: ErrorType.fileTooLarge,
        message: `${entry.name || peerId} offered "${transfer.name}" (${frame.size} bytes), above the limit of ${maxFileSize} bytes`,
        peerId,
      });
      return this.declineFile(transfer.transferId);
    }
    const allowed = this.fire('peer-chat-file-offer', { transferId: transfer.transferId, from: peerId, name: transfer.name, size: transfer.size, type: transfer.type });
    if (transfer.status !== TransferStatus.offered) return; // A listener already accepted or declined it.
    const policy = this.settings?.acceptFiles ?? AcceptFiles.ask;
    if (!allowed || policy === AcceptFiles.never) this.declineFile(transfer.transferId);
    else if (policy === AcceptFiles.always) this.acceptFile(transfer.transferId);
  }

  private completeIncoming(transfer: Transfer, entry: PeerEntry): void {
    transfer.file = transfer.sink!.finish(transfer.name, transfer.type);
    transfer.sink = undefined;
    this.sendFrame(entry, { t: 'received', tid: transfer.transferId, bytes: transfer.size });
    this.reportProgress(transfer);
    this.finishTransfer(transfer, TransferStatus.done);
    this.fire('peer-chat-file', { transferId: transfer.transferId, from: transfer.peerId, file: transfer.file });
  }

  private reportProgress(transfer: Transfer): void {
    this.host.requestUpdate();
    const { transferId, peerId, direction, bytes, size } = transfer;
    this.fire('peer-chat-file-progress', { transferId, peerId, direction, bytes, size });
  }

  private finishTransfer(transfer: Transfer, status: TransferStatus, reason?: string): void {
    if (isFinished(transfer.status)) return;
    transfer.status = status;
    if (reason) transfer.reason = reason;
    transfer.sink = undefined;
    this.incomingBySlot.delete(`${transfer.peerId} ${transfer.slot}`);
    this.host.requestUpdate();
    if (status === TransferStatus.failed || status === TransferStatus.cancelled) {
      this.fire('peer-chat-error', { type: ErrorType.transfer, message: `"${transfer.name}": ${reason ?? status}`, peerId: transfer.peerId });
    }
    const errorType = status === TransferStatus.declined ? ErrorType.declined : status === TransferStatus.done ? '' : ErrorType.transfer;
    transfer.settle?.(errorType ? new TypedError(errorType, `"${transfer.name}" was ${status}${reason ? `: ${reason}` : ''}`, transfer.peerId) : null);
  }

  private failTransfersOf(peerId: string, reason: string): void {
    for (const transfer of this.transferList) {
      if (transfer.peerId === peerId && !isFinished(transfer.status)) this.finishTransfer(transfer, TransferStatus.failed, reason);
    }
  }

  private findTransfer(transferId: string, status: TransferStatus): Transfer | undefined {
    return this.transferList.find((candidate) => candidate.transferId === transferId && candidate.status === status);
  }

  // ---- helpers -----------------------------------------------------------------------------

  private sendFrame(entry: PeerEntry, frame: ControlFrame): void {
    if (!entry.link.isOpen) return;
    try {
      entry.link.sendControl(encodeControl(frame));
    } catch (error) {
      this.fire('peer-chat-error', { type: ErrorType.connection, message: String(error), peerId: entry.link.peerId });
    }
  }

  private record(message: ChatMessage): void {
    this.history.push(message);
    this.host.requestUpdate();
    this.fire('peer-chat-message', message);
  }

  /** Fires `peer-chat-error` for an API failure, and returns the error for the caller to throw. */
  private report(error: TypedError): TypedError {
    this.fire('peer-chat-error', { type: error.type, message: error.message, ...(error.peerId ? { peerId: error.peerId } : {}) });
    return error;
  }

  private fire<K extends keyof PeerChatEventDetails>(name: K, detail: PeerChatEventDetails[K]): boolean {
    return firePeerChatEvent(this.host, name, detail);
  }
}
