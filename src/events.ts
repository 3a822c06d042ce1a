/**
 * The DOM events `<peer-chat>` fires: one class per event, each a `CustomEvent` whose
 * `detail` is typed. All bubble and cross shadow boundaries (`composed`);
 * `peer-chat-file-offer` is cancelable: `preventDefault()` declines the file.
 */
import type {
  ChatEventDetails,
  ChatEventName,
  ConnectDetail,
  DisconnectDetail,
  ErrorDetail,
  FileDetail,
  FileOfferDetail,
  FileProgressDetail,
  MessageDetail,
  ReadyDetail,
  SignalingDetail,
  UnreadDetail,
} from './engine/types.js';

const init = { bubbles: true, composed: true } as const;

/** Registered with the signaling server. */
export class PeerChatReadyEvent extends CustomEvent<ReadyDetail> {
  constructor(detail: ReadyDetail) {
    super('peer-chat-ready', { ...init, detail });
  }
}
/** The signaling connection changed state. */
export class PeerChatSignalingEvent extends CustomEvent<SignalingDetail> {
  constructor(detail: SignalingDetail) {
    super('peer-chat-signaling', { ...init, detail });
  }
}
/** A peer connected (again, after a drop). */
export class PeerChatConnectEvent extends CustomEvent<ConnectDetail> {
  constructor(detail: ConnectDetail) {
    super('peer-chat-connect', { ...init, detail });
  }
}
/** A peer left or was disconnected. */
export class PeerChatDisconnectEvent extends CustomEvent<DisconnectDetail> {
  constructor(detail: DisconnectDetail) {
    super('peer-chat-disconnect', { ...init, detail });
  }
}
/** A chat message was sent or received. */
export class PeerChatMessageEvent extends CustomEvent<MessageDetail> {
  constructor(detail: MessageDetail) {
    super('peer-chat-message', { ...init, detail });
  }
}
/** A peer offers a file; `preventDefault()` declines it. */
export class PeerChatFileOfferEvent extends CustomEvent<FileOfferDetail> {
  constructor(detail: FileOfferDetail) {
    super('peer-chat-file-offer', { ...init, cancelable: true, detail });
  }
}
/** Bytes moved in a transfer. */
export class PeerChatFileProgressEvent extends CustomEvent<FileProgressDetail> {
  constructor(detail: FileProgressDetail) {
    super('peer-chat-file-progress', { ...init, detail });
  }
}
/** A file arrived whole and verified. */
export class PeerChatFileEvent extends CustomEvent<FileDetail> {
  constructor(detail: FileDetail) {
    super('peer-chat-file', { ...init, detail });
  }
}
/** Something went wrong; `detail.type` says what. */
export class PeerChatErrorEvent extends CustomEvent<ErrorDetail> {
  constructor(detail: ErrorDetail) {
    super('peer-chat-error', { ...init, detail });
  }
}

/** The number of messages received while the person was away changed. */
export class PeerChatUnreadEvent extends CustomEvent<UnreadDetail> {
  constructor(detail: UnreadDetail) {
    super('peer-chat-unread', { ...init, detail });
  }
}

/** Every event of `<peer-chat>` by name, with its class. */
export interface PeerChatEventMap {
  'peer-chat-ready': PeerChatReadyEvent;
  'peer-chat-signaling': PeerChatSignalingEvent;
  'peer-chat-connect': PeerChatConnectEvent;
  'peer-chat-disconnect': PeerChatDisconnectEvent;
  'peer-chat-message': PeerChatMessageEvent;
  'peer-chat-file-offer': PeerChatFileOfferEvent;
  'peer-chat-file-progress': PeerChatFileProgressEvent;
  'peer-chat-file': PeerChatFileEvent;
  'peer-chat-error': PeerChatErrorEvent;
  'peer-chat-unread': PeerChatUnreadEvent;
}
export type PeerChatEventName = ChatEventName;
export type PeerChatEventDetails = ChatEventDetails;

const EVENT_CLASSES: { [K in PeerChatEventName]: new (detail: PeerChatEventDetails[K]) => PeerChatEventMap[K] } = {
  'peer-chat-ready': PeerChatReadyEvent,
  'peer-chat-signaling': PeerChatSignalingEvent,
  'peer-chat-connect': PeerChatConnectEvent,
  'peer-chat-disconnect': PeerChatDisconnectEvent,
  'peer-chat-message': PeerChatMessageEvent,
  'peer-chat-file-offer': PeerChatFileOfferEvent,
  'peer-chat-file-progress': PeerChatFileProgressEvent,
  'peer-chat-file': PeerChatFileEvent,
  'peer-chat-error': PeerChatErrorEvent,
  'peer-chat-unread': PeerChatUnreadEvent,
};

/** Dispatches the event `name` on `target`; returns false when a listener prevented its default. */
export function firePeerChatEvent<K extends PeerChatEventName>(target: EventTarget, name: K, detail: PeerChatEventDetails[K]): boolean {
  return target.dispatchEvent(new EVENT_CLASSES[name](detail));
}

declare global {
  // On the element, and on any ancestor or the document, since the events bubble and are composed.
  interface GlobalEventHandlersEventMap extends PeerChatEventMap {}
}
