/**
 * System notifications for the `notify` attribute, loaded once it is set (most pages never
 * notify). Permission is asked only from a person's gesture in the element (browsers ignore or
 * penalize asking on load); a notification's click brings the tab to the front.
 */
import type { ChatEventDetails } from '../engine/types.js';
import type { PeerChatStrings } from '../strings.js';

/** Asks for permission if it was never decided. Call from a click, synchronously. */
export function askNotificationPermission(): void {
  if (typeof Notification !== 'undefined' && Notification.permission === 'default') Notification.requestPermission().catch(() => {});
}

/** A message or file offer arrived while the page was hidden. */
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
