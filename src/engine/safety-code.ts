/**
 * The safety code: derived from both ends' DTLS certificate fingerprints, the same on both
 * screens unless someone sits in the middle (each side would then see another fingerprint
 * for the other). 80 bits or more, so a dishonest signaling server that prepares
 * certificates in advance cannot find a collision (a birthday search over 2^40 per side);
 * see docs/security.md.
 */
import { Sha256 } from './sha256.js';

/** 25 decimal digits (83 bits), in five groups of five: easy to read aloud and compare. */
export const SAFETY_CODE_DIGITS = 25;

export function safetyCode(fingerprints: { local: string; remote: string } | null): string {
  if (!fingerprints) return '';
  const digest = new Sha256().update(new TextEncoder().encode([fingerprints.local, fingerprints.remote].sort().join('\n'))).hex();
  // 128 bits of the digest reduced to 25 digits: the bias of the reduction is below 2^-40.
  const digits = (BigInt(`0x${digest.slice(0, 32)}`) % 10n ** BigInt(SAFETY_CODE_DIGITS)).toString().padStart(SAFETY_CODE_DIGITS, '0');
  return digits.match(/.{5}/g)!.join(' ');
}
