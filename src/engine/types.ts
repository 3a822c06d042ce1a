/**
 * The engine's vocabulary: status values (as `as const` objects with union types of the same
 * name), the snapshots it hands out, and the details of the events it emits. Plain data.
 */
import type { ErrorType } from '../errors.js';
import type { TransferInfo } from '../transfers/types.js';

export const Direction = { in: 'in', out: 'out' } as const;
export type Direction = (typeof Direction)[keyof typeof Direction];

/**
 * Where an outgoing message stands: still queued, acknowledged by every recipient, seen by
 * every recipient (its page visible with the message in view), or given up.
 */
export const MessageStatus = { pending: 'pending', delivered: 'delivered', read: 'read', failed: 'failed' } as const;
export type MessageStatus = (typeof MessageStatus)[keyof typeof MessageStatus];

export const SignalingState = { connecting: 'connecting', open: 'open', reconnecting: 'reconnecting', closed: 'closed' } as const;
export type SignalingState = (typeof SignalingState)[keyof typeof SignalingState];

export const AcceptFiles = { ask: 'ask', always: 'always', never: 'never' } as const;
export type AcceptFiles = (typeof AcceptFiles)[keyof typeof AcceptFiles];

export const PeerStatus = { connecting: 'connecting', connected: 'connected', reconnecting: 'reconnecting' } as const;
export type PeerStatus = (typeof PeerStatus)[keyof typeof PeerStatus];

/** How a connection's data travels: straight between the two browsers, or through a TURN relay. */
export const Route = { direct: 'direct', relay: 'relay' } as const;
export type Route = (typeof Route)[keyof typeof Route];

export const DisconnectReason = {
  /** The remote peer's connection closed: it left, its tab closed, or the network failed. */
  closed: 'closed',
  /** Nothing heard from the peer for too long: network gone or tab frozen. */
  timeout: 'timeout',
  /** The peer said goodbye (it called `disconnect()`). */
  left: 'left',
  /** We disconnected. */
  local: 'local',
  /** We cut the peer off: it sent too much invalid data, or too much data, or speaks another protocol version. */
  protocol: 'protocol',
} as const;
export type DisconnectReason = (typeof DisconnectReason)[keyof typeof DisconnectReason];

export interface ChatMessage {
  id: string;
  /** Sender's peer id (our own id for outgoing messages). */
  from: string;
  text: string;
  /** Milliseconds since the epoch, as the sender's clock stamped it: a label, not an order. */
  time: number;
  direction: Direction;
  /** Outgoing messages only (in `messages`, not in the event): where delivery stands. */
  status?: MessageStatus;
}

export interface PeerInfo {
  peerId: string;
  name: string;
  status: PeerStatus;
  /** Same on both screens unless someone sits in the middle (see docs/security.md). */
  safetyCode: string;
  /** How the data travels (from the selected ICE candidate pair); absent while reconnecting. */
  route?: Route;
}

/** One entry of the conversation, in the order it happened here. A message's is frozen (see ChatEngine.recentEntries). */
export type HistoryEntry = Readonly<{ kind: 'message'; message: Readonly<ChatMessage> }> | { kind: 'transfer'; transfer: TransferInfo };

export interface ReadyDetail {
  peerId: string;
}
export interface SignalingDetail {
  state: SignalingState;
}
export interface ConnectDetail {
  peerId: string;
  name?: string;
  safetyCode?: string;
  route?: Route;
}
export interface DisconnectDetail {
  peerId: string;
  reason: DisconnectReason;
}
export type MessageDetail = Omit<ChatMessage, 'status'>;
export interface FileOfferDetail {
  transferId: string;
  from: string;
  name: string;
  size: number;
  type: string;
}
export interface FileProgressDetail {
  transferId: string;
  peerId: string;
  direction: Direction;
  bytes: number;
  size: number;
}
export interface FileDetail {
  transferId: string;
  from: string;
  file: File;
}
export interface UnreadDetail {
  count: number;
}
export interface ErrorDetail {
  type: ErrorType;
  message: string;
  peerId?: string;
}

/** What the engine tells its host, by the name of the DOM event each becomes. */
export interface ChatEventDetails {
  'peer-chat-ready': ReadyDetail;
  'peer-chat-signaling': SignalingDetail;
  'peer-chat-connect': ConnectDetail;
  'peer-chat-disconnect': DisconnectDetail;
  'peer-chat-message': MessageDetail;
  'peer-chat-file-offer': FileOfferDetail;
  'peer-chat-file-progress': FileProgressDetail;
  'peer-chat-file': FileDetail;
  'peer-chat-error': ErrorDetail;
  /** Fired by the element (it knows what the person sees), never by the engine. */
  'peer-chat-unread': UnreadDetail;
}
export type ChatEventName = keyof ChatEventDetails;

/** Receives the engine's events; for a cancelable one (`peer-chat-file-offer`), false means "prevented". */
export type Emit = <K extends ChatEventName>(name: K, detail: ChatEventDetails[K]) => boolean;
