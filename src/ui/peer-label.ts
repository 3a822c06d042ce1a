/**
 * How a peer is shown: its name, or, without one, a short label that stays the same for its
 * id ("Peer 4F2A"); and a colored initial whose hue also comes from the id. The full id is
 * never the label (it stays in the tooltip and the API).
 */

/** Code points of a label shown whole above each message; a longer one is cut with an ellipsis. */
export const MESSAGE_LABEL_LENGTH = 32;

/** FNV-1a over the id's UTF-16 code units: stable across pages and browsers. */
function hashOf(peerId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < peerId.length; i++) hash = Math.imul(hash ^ peerId.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** Four hex digits from the id, for the label of a peer without a name. */
export function peerCode(peerId: string): string {
  return (hashOf(peerId) >>> 16).toString(16).toUpperCase().padStart(4, '0');
}

/** The initial's hue, 0–359. */
export function peerHue(peerId: string): number {
  return hashOf(peerId) % 360;
}

/** The first character (code point) of a name or code, upper-cased. */
export function initialOf(label: string): string {
  return (Array.from(label.trim())[0] ?? '?').toUpperCase();
}

/**
 * The label as a message shows it: cut here rather than by CSS, whose ellipsis needs a box that
 * clips, one per message, which cost each new message 0.3–0.5 ms of layout and paint.
 */
export function messageLabel(label: string): string {
  const points = Array.from(label);
  return points.length > MESSAGE_LABEL_LENGTH ? `${points.slice(0, MESSAGE_LABEL_LENGTH - 1).join('')}…` : label;
}
