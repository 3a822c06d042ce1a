/**
 * Which files are shown inline: PNG, JPEG, GIF and WebP, told by their first bytes, not by
 * the type or name a peer claims (an SVG, which can carry script, is never one of them).
 */

type Signature = ReadonlyArray<readonly [offset: number, bytes: readonly number[]]>;

const SIGNATURES: ReadonlyArray<readonly [type: string, signature: Signature]> = [
  ['image/png', [[0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]]]],
  ['image/jpeg', [[0, [0xff, 0xd8, 0xff]]]],
  ['image/gif', [[0, [0x47, 0x49, 0x46, 0x38]]]], // GIF8
  [
    'image/webp',
    [
      [0, [0x52, 0x49, 0x46, 0x46]], // RIFF, a size, then WEBP
      [8, [0x57, 0x45, 0x42, 0x50]],
    ],
  ],
];

/**
 * The image type of `file` told by its first bytes, or '' when it is not one to show. A link
 * to the file carries this type, never the claimed one: a file claiming `text/html` whose bytes
 * begin like a GIF would otherwise open, from a link to it, as a page of this site's origin.
 */
export async function inlineImageType(file: Blob): Promise<string> {
  const head = new Uint8Array(await file.slice(0, 12).arrayBuffer());
  return SIGNATURES.find(([, signature]) => signature.every(([offset, bytes]) => bytes.every((byte, i) => head[offset + i] === byte)))?.[0] ?? '';
}
