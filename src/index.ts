/** The `<peer-chat>` bundle: loading it defines the element. */
export { PeerChat, type Theme } from './peer-chat.js';
export { ErrorType, PeerChatError } from './errors.js';
export * from './events.js';
export {
  AcceptFiles,
  Direction,
  DisconnectReason,
  MessageStatus,
  PeerStatus,
  Route,
  SignalingState,
  type ChatMessage,
  type PeerInfo,
  type ReadyDetail,
  type SignalingDetail,
  type ConnectDetail,
  type DisconnectDetail,
  type MessageDetail,
  type FileOfferDetail,
  type FileProgressDetail,
  type FileDetail,
  type ErrorDetail,
  type UnreadDetail,
} from './engine/types.js';
export { defaultStrings, type PeerChatStrings, type PeerChatStringOverrides } from './strings.js';
export { TransferStatus, type TransferInfo } from './transfers/types.js';
