/** Checks a list of ICE servers: from the `ice-servers` attribute, or from `ice-servers-url`. */

/** What is wrong with a list of ICE servers, or null when it is one. */
export function iceServersProblem(value: unknown): string | null {
  if (!Array.isArray(value)) return 'expected a JSON array of RTCIceServer';
  const valid = value.every((server: unknown) => {
    if (typeof server !== 'object' || server === null) return false;
    const urls = (server as RTCIceServer).urls;
    return typeof urls === 'string' || (Array.isArray(urls) && urls.every((url) => typeof url === 'string'));
  });
  return valid ? null : 'each entry needs "urls": a string or an array of strings';
}
