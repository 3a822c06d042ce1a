/**
 * A peer that speaks the wire protocol by hand, over the stock PeerJS client: it can do what
 * a correct `<peer-chat>` does, and everything a broken or hostile one might.
 */
import type { DataConnection, Peer } from 'peerjs';
import { createChat, nextEvent, plainPeer } from './helpers.js';
import type { PeerChat } from '../../src/peer-chat.js';

export const BULK_CHANNEL_ID = 64;

export class RawPeer {
  /** Every control frame received, parsed. */
  readonly frames: Array<Record<string, unknown>> = [];
  /** The payload of every answer the signaling server relayed to us. */
  readonly answers: Array<Record<string, unknown>> = [];
  private connection: DataConnection | null = null;
  private bulk: RTCDataChannel | null = null;
  private listeners: Array<() => void> = [];
  private readonly session = `raw${Math.random().toString(36).slice(2)}`;

  private constructor(readonly peer: Peer) {
    peer.socket.on('message', (message: { type?: string; payload?: Record<string, unknown> }) => {
      if (message.type === 'ANSWER' && message.payload) this.answers.push(message.payload);
    });
  }

  static async create(port: number): Promise<RawPeer> {
    return new RawPeer(await plainPeer(port));
  }

  get id(): string {
    return this.peer.id;
  }

  /** Dials a `<peer-chat>` as one would, opens the bulk channel, and says hello. */
  async dial(remoteId: string, name = 'raw'): Promise<void> {
    const connection = this.peer.connect(remoteId, { serialization: 'raw', reliable: true, metadata: { peerChat: 1, name } });
    await this.take(connection);
    this.bulk = this.openBulk(connection);
    await new Promise((resolve) => (this.bulk!.readyState === 'open' ? resolve(null) : this.bulk!.addEventListener('open', resolve, { once: true })));
    this.send(this.hello(name));
    await this.next((frame) => frame.t === 'hello');
  }

  /**
   * Answers the next connection from a `<peer-chat>`, sending its `hello` in the signaling
   * answer (`relayed`, as the element does), on the control channel, or both. `relayed` may be a
   * `hello` of its own, to relay instead of the one this peer sends over the connection.
   */
  async answer(name = 'raw', { relayed = false as boolean | Record<string, unknown>, control = true } = {}): Promise<void> {
    if (relayed) this.relayWithAnswer(JSON.stringify(relayed === true ? this.hello(name) : relayed));
    const connection = await new Promise<DataConnection>((resolve) => this.peer.once('connection', resolve));
    this.bulk = this.openBulk(connection);
    await this.take(connection);
    if (control) this.send(this.hello(name));
  }

  hello(name: string): Record<string, unknown> {
    return { t: 'hello', v: 1, name, session: this.session };
  }

  /** Puts `hello` in the payload of the next answer PeerJS sends, as the element does. */
  private relayWithAnswer(hello: string): void {
    const { socket } = this.peer;
    const send = socket.send;
    socket.send = (message: { type?: string; payload?: object }) => {
      if (message.type !== 'ANSWER') return send.call(socket, message);
      socket.send = send;
      send.call(socket, { ...message, payload: { ...message.payload, hello } });
    };
  }

  private openBulk(connection: DataConnection): RTCDataChannel {
    const bulk = connection.peerConnection.createDataChannel('peer-chat-bulk', { negotiated: true, id: BULK_CHANNEL_ID, ordered: true });
    bulk.binaryType = 'arraybuffer';
    return bulk;
  }

  /** Keeps `connection`, records its frames, and resolves once it is open. */
  private async take(connection: DataConnection): Promise<void> {
    this.connection = connection;
    connection.on('data', (data) => {
      try {
        this.frames.push(JSON.parse(String(data)));
      } catch {
        this.frames.push({ unparsed: String(data) });
      }
      for (const listener of this.listeners) listener();
    });
    if (connection.open) return;
    await new Promise<void>((resolve, reject) => {
      connection.once('open', () => resolve());
      connection.once('error', reject);
    });
  }

  /** Sends a frame: objects as JSON, anything else as is. */
  send(frame: unknown): void {
    const channel = this.connection!.dataChannel;
    channel.send(typeof frame === 'string' || frame instanceof ArrayBuffer ? (frame as string) : JSON.stringify(frame));
  }

  sendBulk(data: ArrayBuffer | string): void {
    this.bulk!.send(data as ArrayBuffer);
  }

  get isOpen(): boolean {
    return !!this.connection?.open && this.connection.dataChannel?.readyState === 'open';
  }

  /** Resolves with the first received frame (past or future) that matches. */
  next(match: (frame: Record<string, unknown>) => boolean, timeoutMs = 15_000): Promise<Record<string, unknown>> {
    const found = this.frames.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching frame from <peer-chat>')), timeoutMs);
      const listener = () => {
        const frame = this.frames.find(match);
        if (!frame) return;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((other) => other !== listener);
        resolve(frame);
      };
      this.listeners.push(listener);
    });
  }

  /** Closes the connection as a network drop would: the peer stays registered, and can answer again. */
  drop(): void {
    this.connection?.close();
  }

  close(): void {
    this.connection?.close();
    this.peer.destroy();
  }
}

/** A binary chunk frame, as docs/protocol.md describes it. */
export function chunk(slot: number, offset: number, bytes: Uint8Array): ArrayBuffer {
  const frame = new Uint8Array(13 + bytes.byteLength);
  const view = new DataView(frame.buffer);
  view.setUint8(0, 0x50);
  view.setUint32(1, slot);
  view.setFloat64(5, offset);
  frame.set(bytes, 13);
  return frame.buffer;
}

/** A `<peer-chat>` that accepts every file, and a hand-made peer that dialed it: resolves once the element reports it connected. */
export async function chatDialedByRawPeer(port: number): Promise<{ chat: PeerChat; raw: RawPeer }> {
  const chat = await createChat(port, { acceptFiles: 'always' });
  const raw = await RawPeer.create(port);
  const connected = nextEvent(chat, 'peer-chat-connect');
  await raw.dial(chat.peerId);
  await connected;
  return { chat, raw };
}
