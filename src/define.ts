/**
 * The guard that lets two copies of peer-chat share a page: the bundle loaded twice, or the
 * bundle and the npm entry. Each copy has its own element class, and a second
 * `customElements.define` of a name throws; so the first copy keeps the name and the others
 * only warn, once per page.
 */

/** Page-wide (shared by every copy of this module): the tag names already warned about. */
const WARNED = Symbol.for('peer-chat.define.warned');

/** Whether `tagName` is still free to define; if another copy took it, warns (once per tag name and page). */
export function shouldDefine(tagName: string): boolean {
  if (!customElements.get(tagName)) return true;
  const page = globalThis as typeof globalThis & { [WARNED]?: Set<string> };
  const warned = (page[WARNED] ??= new Set());
  if (!warned.has(tagName)) {
    warned.add(tagName);
    console.warn(
      `<${tagName}> is already defined: peer-chat is loaded more than once on this page (the bundle twice, or the bundle and the npm package). ` +
        'The first definition stays in use; load one copy to silence this.',
    );
  }
  return false;
}
