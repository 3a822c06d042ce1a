/** The `<peer-chat>` bundle: loading it defines the element. */
export { PeerChat } from './peer-chat.js';
export { AcceptFiles, DisconnectReason, PeerStatus, type ChatSettings, type PeerInfo } from './chat-controller.js';
export { Direction, ErrorType, MessageStatus, type ChatMessage, type PeerChatEventDetails, type PeerChatEventName } from './events.js';
export { defaultStrings, type PeerChatStrings, type PeerChatStringOverrides } from './strings.js';
export { TransferStatus, type TransferInfo } from './transfers.js';
export { SignalingState } from './transport.js';
