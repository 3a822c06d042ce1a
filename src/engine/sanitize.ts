/**
 * Strings from peers are shown to people: no control characters, and no bidirectional
 * embeddings, overrides or isolates, which could reorder what is shown around them (a name
 * starting with U+202E reverses the text after it).
 */

/** C0 and C1 controls, DEL, and the Unicode bidi embedding, override and isolate marks. */
export const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** A display name from a peer: unsafe characters removed, spaces collapsed, at most `max` code units. */
export function safeName(name: string, max: number): string {
  return String(name ?? '')
    .replace(UNSAFE_CHARACTERS, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max);
}
