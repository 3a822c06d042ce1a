/**
 * Permission for the system notifications of the `notify` attribute: asked only from a person's
 * gesture in the element (browsers ignore or penalize asking on load). Showing them is in
 * notify-arrival.ts, loaded once `notify` is set.
 */
/** Asks for permission if it was never decided. Call from a click: in the main bundle, so that it runs within the gesture. */
export function askNotificationPermission(): void {
  if (typeof Notification !== 'undefined' && Notification.permission === 'default') Notification.requestPermission().catch(() => {});
}
