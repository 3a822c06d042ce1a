/**
 * Which files are shown inline: PNG, JPEG, GIF and WebP, told by their first bytes, not by
 * the type or name a peer claims (an SVG, which can carry script, is never one of them).
 */

type Signature = ReadonlyArray<readonly [offset: number, bytes: readonly number[]]>;

const SIGNATURES: readonly Signature[] = [
  [[0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]]], // PNG
  [[0, [0xff, 0xd8, 0xff]]], // JPEG
  [[0, [0x47, 0x49, 0x46, 0x38]]], // GIF8
  [
    [0, [0x52, 0x49, 0x46, 0x46]], // RIFF, a size, then WEBP
    [8, [0x57, 0x45, 0x42, 0x50]],
  ],
];

export async function isInlineImage(file: Blob): Promise<boolean> {
  const head = new Uint8Array(await file.slice(0, 12).arrayBuffer());
  return SIGNATURES.some((signature) => signature.every(([offset, bytes]) => bytes.every((byte, i) => head[offset + i] === byte)));
}
