/**
 * The system notification of the `notify` attribute for a message or file offer that arrived
 * while the page was hidden; its click brings the tab to the front. Loaded once `notify` is set:
 * most pages never notify (permission is asked in notifications.ts).
 */
import type { ChatEventDetails } from '../engine/types.js';
import type { PeerChatStrings } from '../strings.js';

export function notifyArrival(
  strings: PeerChatStrings,
  labelOf: (peerId: string) => string,
  message: ChatEventDetails['peer-chat-message'] | null,
  offer: ChatEventDetails['peer-chat-file-offer'] | null,
): void {
  if (message) show(strings.notifyMessage(labelOf(message.from)), message.text, message.from);
  if (offer) show(strings.transfer.offered(labelOf(offer.from)), offer.name, offer.from);
}

function show(title: string, body: string, from: string): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  let notification: Notification;
  try {
    // One per peer: a newer one replaces the last.
    notification = new Notification(title, { body, tag: `peer-chat-${from}` });
  } catch {
    return; // Chrome for Android shows them only from a service worker.
  }
  notification.onclick = () => {
    window.focus();
    notification.close();
  };
}
