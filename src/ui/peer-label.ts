/**
 * How a peer is shown: its name, or, without one, a short label that stays the same for its
 * id ("Peer 4F2A"); and a colored initial whose hue also comes from the id. The full id is
 * never the label (it stays in the tooltip and the API).
 */

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
