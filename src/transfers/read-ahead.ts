/** Bytes read from the file at a time: large reads cost far less per byte than one per chunk. */
export const READ_BYTES = 2 * 1024 * 1024;

/**
 * Reads `file` from `offset` on in large slices, reading the next while the last is sent.
 * When the reader stops early, the read still in flight is settled here, never left to
 * reject unhandled.
 */
export async function* readAhead(file: Blob, offset: number, readBytes = READ_BYTES): AsyncGenerator<{ position: number; bytes: Uint8Array }> {
  const read = (at: number) => file.slice(at, Math.min(file.size, at + readBytes)).arrayBuffer();
  let position = offset;
  let next: Promise<ArrayBuffer> | null = position < file.size ? read(position) : null;
  try {
    while (next) {
      const bytes = new Uint8Array(await next);
      const following = position + bytes.byteLength;
      next = following < file.size ? read(following) : null;
      yield { position, bytes };
      position = following;
    }
  } finally {
    next?.catch(() => {});
  }
}
