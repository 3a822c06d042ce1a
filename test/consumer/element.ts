// An app's code against the packed package (scripts/check-package.mjs type-checks it in a
// strict project that installed the tarball). Each @ts-expect-error marks code that must NOT
// type-check: were a type loose (`any`, bare `string`), the directive would go unused and fail.
import 'peer-chat/bundle';
import {
  DisconnectReason,
  ErrorType,
  PeerChat,
  PeerChatError,
  PeerChatFileOfferEvent,
  PeerChatMessageEvent,
  Route,
  PeerChatUnreadEvent,
  MessageStatus,
  SignalingState,
  TransferStatus,
  type ChatMessage,
  type MessageDetail,
  type PeerInfo,
  type TransferInfo,
} from 'peer-chat';

// HTMLElementTagNameMap: the tag name gives the class.
const chat: PeerChat = document.querySelector('peer-chat')!;
const created: PeerChat = document.createElement('peer-chat');
created.host = 'signal.example';
created.port = 9000;
created.acceptFiles = 'never';
// @ts-expect-error not an accept-files value
created.acceptFiles = 'sometimes';
created.iceServersUrl = '/peerjs/ice';
created.iceTransportPolicy = 'relay';
// @ts-expect-error not an ICE transport policy
created.iceTransportPolicy = 'turn-only';

/** The peers whose data goes through a TURN relay. */
export function relayedPeers(): string[] {
  // @ts-expect-error a route is a closed union
  if (chat.peers.some((peer) => peer.route === 'bogus')) return [];
  return chat.peers.filter((peer) => peer.route === Route.relay).map((peer) => peer.peerId);
}
chat.addEventListener('peer-chat-connect', (event) => {
  const route: Route | undefined = event.detail.route;
  // @ts-expect-error a route is a closed union
  if (event.detail.route === 'bogus') return;
  console.log(route === Route.direct);
});
created.theme = 'dark';
created.notify = true;
// @ts-expect-error not a theme
created.theme = 'sepia';
const unread: number = created.unread;
// @ts-expect-error unread is read-only
created.unread = unread + 1;

export async function talk(file: File): Promise<string[]> {
  await document.querySelector('peer-chat')!.connect('other-peer');
  const sent: ChatMessage = await chat.send('hello', 'other-peer');
  await chat.sendFile(file, 'other-peer');
  const peers: PeerInfo[] = chat.peers;
  const messages: ChatMessage[] = chat.messages;
  const transfers: TransferInfo[] = chat.transfers;
  const state: SignalingState = chat.signalingState;
  // @ts-expect-error signalingState is a closed union
  if (chat.signalingState === 'bogus') return [];
  // @ts-expect-error a transfer's status is a closed union
  if (transfers[0]?.status === 'bogus') return [];
  const read = messages.filter((message) => message.status === MessageStatus.read);
  // @ts-expect-error a message's status is a closed union
  if (messages[0]?.status === 'seen') return [];
  const done = transfers.filter((transfer) => transfer.status === TransferStatus.done);
  return [sent.id, state, ...read.map((message) => message.id), ...peers.map((peer) => peer.status), ...messages.map((message) => message.text), ...done.map((transfer) => transfer.name)];
}

export async function connectOrExplain(remoteId: string): Promise<string> {
  try {
    await chat.connect(remoteId);
    return 'connected';
  } catch (error) {
    if (!(error instanceof PeerChatError)) throw error;
    const type: ErrorType = error.type;
    // @ts-expect-error not an ErrorType
    const bogus: ErrorType = 'bogus';
    return type === ErrorType.idTaken ? 'id taken' : `${type} ${bogus}`;
  }
}

// Events on the element: typed by name.
chat.addEventListener('peer-chat-message', (event) => {
  const typed: PeerChatMessageEvent = event;
  const text: string = event.detail.text;
  // @ts-expect-error no such detail
  console.log(typed, text, event.detail.nope);
});
chat.addEventListener('peer-chat-file-offer', (event: PeerChatFileOfferEvent) => {
  if (event.detail.size > 1e9) event.preventDefault();
});

chat.addEventListener('peer-chat-unread', (event) => {
  const typed: PeerChatUnreadEvent = event;
  const count: number = event.detail.count;
  // @ts-expect-error no such detail
  console.log(typed, count, event.detail.nope);
});

// And on the document and the window: they bubble and are composed (GlobalEventHandlersEventMap).
document.addEventListener('peer-chat-file', (e) => e.detail.file);
document.addEventListener('peer-chat-disconnect', (event) => {
  const reason: DisconnectReason = event.detail.reason;
  // @ts-expect-error a disconnect reason is a closed union
  if (event.detail.reason === 'bogus') return;
  console.log(reason === DisconnectReason.timeout);
});
window.addEventListener('peer-chat-error', (event) => {
  const type: ErrorType = event.detail.type;
  console.log(type, event.detail.message, event.detail.peerId);
});
document.addEventListener('peer-chat-ready', (event) => console.log(event.detail.peerId));

// Each event is a CustomEvent subclass, so `detail` is there for code that takes any CustomEvent.
const detail: MessageDetail = { id: '1', from: 'a', text: 'hi', time: 0, direction: 'in' };
const asCustomEvent: CustomEvent<MessageDetail> = new PeerChatMessageEvent(detail);
console.log(asCustomEvent.detail.text);
