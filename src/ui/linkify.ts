/**
 * Finds `http:`, `https:` and `mailto:` URLs in a peer's text. The element renders them as
 * `<a>` elements whose text and `href` are set through Lit bindings (a text node and an
 * attribute), never as HTML: everything else stays text.
 */

export type TextPiece = { text: string; href?: string };

const CANDIDATE = /\b(?:https?:\/\/|mailto:)[^\s<>"]+/gi;
const ALLOWED = new Set(['http:', 'https:', 'mailto:']);
/** Punctuation that ends a sentence rather than the URL. */
const TRAILING = /[.,;:!?'’)\]}]+$/;

/** Splits `text` into plain pieces and links, in order; joined, the pieces' texts give `text` back. */
export function splitLinks(text: string): TextPiece[] {
  const pieces: TextPiece[] = [];
  let plainFrom = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    let url = match[0];
    // Keep a closing parenthesis that the URL itself opened (Wikipedia-style links).
    const trailing = TRAILING.exec(url)?.[0] ?? '';
    let cut = trailing.length;
    if (trailing.startsWith(')') && url.slice(0, -cut).includes('(')) cut = trailing.length - 1;
    url = url.slice(0, url.length - cut);
    const href = safeHref(url);
    if (!href) continue;
    if (match.index > plainFrom) pieces.push({ text: text.slice(plainFrom, match.index) });
    pieces.push({ text: url, href });
    plainFrom = match.index + url.length;
  }
  if (plainFrom < text.length) pieces.push({ text: text.slice(plainFrom) });
  return pieces;
}

/** The URL as the browser parses it, if its scheme is allowed and it has somewhere to go. */
function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate);
    if (!ALLOWED.has(url.protocol)) return null;
    if (url.protocol === 'mailto:' ? url.pathname === '' : url.hostname === '') return null;
    return url.href;
  } catch {
    return null;
  }
}
