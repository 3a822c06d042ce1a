/**
 * A peer that speaks the wire protocol by hand, over the stock PeerJS client: it can do what
 * a correct `<peer-chat>` does, and everything a broken or hostile one might.
 */
import type { DataConnection, Peer } from 'peerjs';
import { plainPeer } from './helpers.js';

export const BULK_CHANNEL_ID = 64;

export class RawPeer {
  /** Every control frame received, parsed. */
  readonly frames: Array<Record<string, unknown>> = [];
  private connection: DataConnection | null = null;
  private bulk: RTCDataChannel | null = null;
  private listeners: Array<() => void> = [];

  private constructor(readonly peer: Peer) {}

  static async create(port: number): Promise<RawPeer> {
    return new RawPeer(await plainPeer(port));
  }

  get id(): string {
    return this.peer.id;
  }

  /** Dials a `<peer-chat>` as one would, opens the bulk channel, and says hello. */
  async dial(remoteId: string, name = 'raw'): Promise<void> {
    const connection = this.peer.connect(remoteId, { serialization: 'raw', reliable: true, metadata: { peerChat: 1, name } });
    this.connection = connection;
    connection.on('data', (data) => {
      try {
        this.frames.push(JSON.parse(String(data)));
      } catch {
        this.frames.push({ unparsed: String(data) });
      }
      for (const listener of this.listeners) listener();
    });
    await new Promise<void>((resolve, reject) => {
      connection.once('open', () => resolve());
      connection.once('error', reject);
    });
    const bulk = connection.peerConnection.createDataChannel('peer-chat-bulk', { negotiated: true, id: BULK_CHANNEL_ID, ordered: true });
    bulk.binaryType = 'arraybuffer';
    await new Promise((resolve) => (bulk.readyState === 'open' ? resolve(null) : bulk.addEventListener('open', resolve, { once: true })));
    this.bulk = bulk;
    this.send({ t: 'hello', v: 1, name, session: `raw${Math.random().toString(36).slice(2)}` });
    await this.next((frame) => frame.t === 'hello');
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

export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
