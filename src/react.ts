/**
 * `<peer-chat>` for React (`peer-chat/react`), made with `@lit/react`: properties are set as
 * properties, and each event has a prop named like Shoelace's wrappers name theirs
 * (`peer-chat-message` → `onPeerChatMessage`) whose handler gets the typed event class.
 * Importing it defines the element.
 */
import { createComponent, type EventName } from '@lit/react';
import * as React from 'react';
import type {
  PeerChatConnectEvent,
  PeerChatDisconnectEvent,
  PeerChatErrorEvent,
  PeerChatFileEvent,
  PeerChatFileOfferEvent,
  PeerChatFileProgressEvent,
  PeerChatMessageEvent,
  PeerChatReadyEvent,
  PeerChatSignalingEvent,
  PeerChatUnreadEvent,
} from './events.js';
import { PeerChat as PeerChatElement } from './peer-chat.js';

export const PeerChat = createComponent({
  tagName: 'peer-chat',
  elementClass: PeerChatElement,
  react: React,
  displayName: 'PeerChat',
  events: {
    onPeerChatReady: 'peer-chat-ready' as EventName<PeerChatReadyEvent>,
    onPeerChatSignaling: 'peer-chat-signaling' as EventName<PeerChatSignalingEvent>,
    onPeerChatConnect: 'peer-chat-connect' as EventName<PeerChatConnectEvent>,
    onPeerChatDisconnect: 'peer-chat-disconnect' as EventName<PeerChatDisconnectEvent>,
    onPeerChatMessage: 'peer-chat-message' as EventName<PeerChatMessageEvent>,
    onPeerChatFileOffer: 'peer-chat-file-offer' as EventName<PeerChatFileOfferEvent>,
    onPeerChatFileProgress: 'peer-chat-file-progress' as EventName<PeerChatFileProgressEvent>,
    onPeerChatFile: 'peer-chat-file' as EventName<PeerChatFileEvent>,
    onPeerChatError: 'peer-chat-error' as EventName<PeerChatErrorEvent>,
    onPeerChatUnread: 'peer-chat-unread' as EventName<PeerChatUnreadEvent>,
  },
});
