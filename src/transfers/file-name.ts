/**
 * File names come from peers: make them safe to show and to save. Removes path separators
 * (no "../../.bashrc"), control characters, and bidirectional overrides (no "exe.txt"
 * that is really "txt.exe"), avoids names Windows reserves, and caps the length while
 * keeping the extension.
 */
import { UNSAFE_CHARACTERS } from '../engine/sanitize.js';

const MAX_LENGTH = 120;
const SEPARATORS = /[/\\:*?"<>|]/g;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

export function safeFileName(name: string): string {
  let safe = String(name ?? '')
    .normalize('NFC')
    .replace(UNSAFE_CHARACTERS, '')
    .replace(SEPARATORS, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+|[.\s]+$/g, '');
  if (WINDOWS_RESERVED.test(safe)) safe = `_${safe}`;
  const characters = Array.from(safe); // code points, so no surrogate pair is cut in half
  if (characters.length > MAX_LENGTH) {
    const dot = safe.lastIndexOf('.');
    const extension = dot > 0 && safe.length - dot <= 16 ? safe.slice(dot) : '';
    safe = `${characters.slice(0, MAX_LENGTH - Array.from(extension).length - 1).join('')}…${extension}`;
  }
  return safe || 'file';
}
