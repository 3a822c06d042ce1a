/** Checks a list of ICE servers: from the `ice-servers` attribute, or from `ice-servers-url`. */

/** What is wrong with a list of ICE servers, or null when it is one. */
export function iceServersProblem(value: unknown): string | null {
  if (!Array.isArray(value)) return 'expected a JSON array of RTCIceServer';
  // What RTCPeerConnection refuses, refused here: named as the setting at fault, not a failed dial later.
  const valid = value.every((server: unknown) => {
    if (typeof server !== 'object' || server === null) return false;
    const { urls, username, credential } = server as RTCIceServer;
    const list = typeof urls === 'string' ? [urls] : urls;
    return (
      Array.isArray(list) &&
      list.length > 0 &&
      list.every((url) => typeof url === 'string' && /^(stun|turn)s?:/i.test(url) && (/^s/i.test(url) || (typeof username === 'string' && typeof credential === 'string')))
    );
  });
  return valid ? null : 'each entry needs "urls": stun:, stuns:, turn: or turns: URLs (a string or an array), and "username" and "credential" for turn: ones';
}
