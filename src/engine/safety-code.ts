/**
 * The safety code: derived from both ends' DTLS certificate fingerprints, the same on both
 * screens unless someone sits in the middle (each side would then see another fingerprint
 * for the other). 80 bits or more, so a dishonest signaling server that prepares
 * certificates in advance cannot find a collision (a birthday search over 2^40 per side);
 * see docs/security.md.
 */

/** 25 decimal digits (83 bits), in five groups of five: easy to read aloud and compare. */
export const SAFETY_CODE_DIGITS = 25;

/**
 * SHA-256 by WebCrypto; where a page is not a secure context (http), browsers leave out
 * `crypto.subtle`, and our JavaScript SHA-256 is loaded on demand instead. `subtle` is a
 * parameter for the tests, which check that both give the same code.
 */
export async function safetyCode(fingerprints: { local: string; remote: string }, subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle): Promise<string> {
  const input = new TextEncoder().encode([fingerprints.local, fingerprints.remote].sort().join('\n'));
  // 128 bits of the digest,
  const high = subtle
    ? new Uint8Array(await subtle.digest('SHA-256', input)).slice(0, 16).reduce((value, byte) => (value << 8n) | BigInt(byte), 0n)
    : BigInt(`0x${new (await import('./sha256.js')).Sha256().update(input).hex().slice(0, 32)}`);
  // reduced to 25 digits: the bias of the reduction is below 2^-40.
  const digits = (high % 10n ** BigInt(SAFETY_CODE_DIGITS)).toString().padStart(SAFETY_CODE_DIGITS, '0');
  return digits.match(/.{5}/g)!.join(' ');
}
