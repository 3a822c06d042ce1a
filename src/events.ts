/**
 * The DOM events `<peer-chat>` fires. All are `CustomEvent`s that bubble and cross shadow
 * boundaries (`composed`); `peer-chat-file-offer` is cancelable: `preventDefault()` declines.
 */
import type { SignalingState } from './transport.js';

export const Direction = { in: 'in', out: 'out' } as const;
export type Direction = (typeof Direction)[keyof typeof Direction];

/** Values of `peer-chat-error`'s `type`. */
export const ErrorType = {
  invalidAttribute: 'invalid-attribute',
  signaling: 'signaling',
  idTaken: 'id-taken',
  unknownPeer: 'unknown-peer',
  timeout: 'timeout',
  connection: 'connection',
  notConnected: 'not-connected',
  protocol: 'protocol',
  fileTooLarge: 'file-too-large',
  transfer: 'transfer',
  /** A received file's SHA-256 did not match the sender's: it was discarded. */
  integrity: 'integrity',
  /** A message could not be delivered: the peer did not come back in time. */
  delivery: 'delivery',
  /** Only as the `type` of a `sendFile()` rejection: the receiver said no. */
  declined: 'declined',
} as const;
export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

/** Delivery of an outgoing message: acknowledged by every recipient, still queued, or given up. */
export const MessageStatus = { pending: 'pending', delivered: 'delivered', failed: 'failed' } as const;
export type MessageStatus = (typeof MessageStatus)[keyof typeof MessageStatus];

export interface ChatMessage {
  id: string;
  /** Sender's peer id (our own id for outgoing messages). */
  from: string;
  text: string;
  /** Milliseconds since the epoch, as stamped by the sender. */
  time: number;
  direction: Direction;
  /** Outgoing messages only (in `messages`, not in the event): where delivery stands. */
  status?: MessageStatus;
}

export interface PeerChatEventDetails {
  'peer-chat-ready': { peerId: string };
  'peer-chat-signaling': { state: SignalingState };
  'peer-chat-connect': { peerId: string; name?: string; safetyCode?: string };
  'peer-chat-disconnect': { peerId: string; reason?: string };
  'peer-chat-message': ChatMessage;
  'peer-chat-file-offer': { transferId: string; from: string; name: string; size: number; type: string };
  'peer-chat-file-progress': { transferId: string; peerId: string; direction: Direction; bytes: number; size: number };
  'peer-chat-file': { transferId: string; from: string; file: File };
  'peer-chat-error': { type: string; message: string; peerId?: string };
}

export type PeerChatEventName = keyof PeerChatEventDetails;

/** Events whose default action the host page may prevent. */
const CANCELABLE: ReadonlySet<PeerChatEventName> = new Set(['peer-chat-file-offer']);

/** Builds one of our events; returns whether its default action should go ahead. */
export function firePeerChatEvent<K extends PeerChatEventName>(target: EventTarget, name: K, detail: PeerChatEventDetails[K]): boolean {
  return target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true, cancelable: CANCELABLE.has(name) }));
}

declare global {
  interface HTMLElementEventMap {
    'peer-chat-ready': CustomEvent<PeerChatEventDetails['peer-chat-ready']>;
    'peer-chat-signaling': CustomEvent<PeerChatEventDetails['peer-chat-signaling']>;
    'peer-chat-connect': CustomEvent<PeerChatEventDetails['peer-chat-connect']>;
    'peer-chat-disconnect': CustomEvent<PeerChatEventDetails['peer-chat-disconnect']>;
    'peer-chat-message': CustomEvent<PeerChatEventDetails['peer-chat-message']>;
    'peer-chat-file-offer': CustomEvent<PeerChatEventDetails['peer-chat-file-offer']>;
    'peer-chat-file-progress': CustomEvent<PeerChatEventDetails['peer-chat-file-progress']>;
    'peer-chat-file': CustomEvent<PeerChatEventDetails['peer-chat-file']>;
    'peer-chat-error': CustomEvent<PeerChatEventDetails['peer-chat-error']>;
  }
}
