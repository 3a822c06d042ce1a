/**
 * System notifications for the `notify` attribute. Permission is asked only from a person's
 * gesture in the element (browsers ignore or penalize asking on load); a notification's
 * click brings the tab to the front.
 */
const supported = () => typeof Notification !== 'undefined';

/** Asks for permission if it was never decided. Call from a click. */
export function askNotificationPermission(): void {
  if (supported() && Notification.permission === 'default') Notification.requestPermission().catch(() => {});
}

export function showNotification(title: string, body: string, tag: string): void {
  if (!supported() || Notification.permission !== 'granted') return;
  const notification = new Notification(title, { body, tag });
  notification.onclick = () => {
    window.focus();
    notification.close();
  };
}
