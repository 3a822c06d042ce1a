/**
 * Stands in for the `webrtc-adapter` package inside the bundle. PeerJS reads only
 * `browserDetails` from it (to check for a supported browser); the adapter's shims are for
 * browsers older than any that PeerJS 1.5 itself supports, and would be a quarter of the
 * bundle. The detection below is the adapter's own (webrtc-adapter 9, `detectBrowser`).
 */
interface BrowserDetails {
  browser: string | null;
  version: number | null;
}

function versionIn(userAgent: string, pattern: RegExp, group: number): number | null {
  const match = userAgent.match(pattern);
  return match ? parseInt(match[group], 10) : null;
}

function detectBrowser(): BrowserDetails {
  if (typeof window === 'undefined' || !window.navigator?.userAgent) return { browser: 'Not a browser.', version: null };
  const navigator = window.navigator as Navigator & {
    userAgentData?: { brands?: Array<{ brand: string; version: string }> };
    mozGetUserMedia?: unknown;
    webkitGetUserMedia?: unknown;
  };
  const userAgent = navigator.userAgent;
  const chromium = navigator.userAgentData?.brands?.find((brand) => brand.brand === 'Chromium');
  if (chromium && parseInt(chromium.version, 10) >= 90) return { browser: 'chrome', version: parseInt(chromium.version, 10) };
  if (navigator.mozGetUserMedia) return { browser: 'firefox', version: versionIn(userAgent, /Firefox\/(\d+)\./, 1) };
  if (navigator.webkitGetUserMedia || (window.isSecureContext === false && 'webkitRTCPeerConnection' in window)) {
    return { browser: 'chrome', version: versionIn(userAgent, /Chrom(e|ium)\/(\d+)\./, 2) };
  }
  if (window.RTCPeerConnection && /AppleWebKit\/(\d+)\./.test(userAgent)) {
    return { browser: 'safari', version: versionIn(userAgent, /AppleWebKit\/(\d+)\./, 1) };
  }
  return { browser: 'Not a supported browser.', version: null };
}

export default { browserDetails: detectBrowser() };
