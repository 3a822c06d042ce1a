/**
 * Stands in for the `webrtc-adapter` package inside the bundle. PeerJS 1.5 reads only
 * `browserDetails` from it, into `util.browser`, `util.browserVersion` and
 * `util.supports.browser`, which it offers apps but never acts on itself (it decides whether
 * it can work from `util.supports.data`, probed on an RTCPeerConnection); the bundle does not
 * offer PeerJS's `util` to pages. The adapter's shims are for browsers older than any that
 * PeerJS 1.5 itself supports, and would be a quarter of the bundle; its detection of the
 * browser, from the user agent, would be 0.4 KiB gzip that nothing reads.
 */
export default { browserDetails: { browser: null, version: null } };
