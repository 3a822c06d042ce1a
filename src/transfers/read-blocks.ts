/**
 * Reads `file` from `offset` on as a stream, a block of `blockBytes` at a time: each piece it
 * yields ends where a block of the file ends (after an `offset` within a block, the first is the
 * rest of that block; the file's last may be shorter), in one buffer that the next piece
 * overwrites, so use it before asking for more. Where the file's stream is a byte stream, the
 * browser reads into that buffer itself (BYOB), a whole block in few large reads; else each
 * piece the stream gives is copied in.
 * When the reader stops early, the stream is cancelled: a read that then fails (the file was
 * deleted, say) is never left to reject unhandled.
 */
export async function* readBlocks(file: Blob, offset: number, blockBytes: number): AsyncGenerator<{ position: number; bytes: Uint8Array }> {
  const stream = file.slice(offset).stream();
  const { reader, fill } = byteReader(stream) ?? copyingReader(stream);
  let position = offset;
  try {
    for (let ended = false; !ended; ) {
      const wanted = blockBytes - (position % blockBytes);
      const { bytes, done } = await fill(wanted);
      ended = done;
      if (bytes.byteLength > 0) yield { position, bytes };
      position += bytes.byteLength;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

/** A reader of the stream, and how it fills one reused buffer with up to `wanted` bytes: fewer only where the stream ended (`done`). */
type Filler = { reader: ReadableStreamGenericReader; fill(wanted: number): Promise<{ bytes: Uint8Array; done: boolean }> };

/** The browser reads into our buffer: no piece of its own, no copy (null where the stream is not a byte stream). */
function byteReader(stream: ReadableStream<Uint8Array>): Filler | null {
  let reader: ReadableStreamBYOBReader;
  try {
    reader = stream.getReader({ mode: 'byob' });
  } catch {
    return null;
  }
  let buffer = new ArrayBuffer(0);
  const fill = async (wanted: number) => {
    if (buffer.byteLength < wanted) buffer = new ArrayBuffer(wanted);
    let filled = 0;
    while (filled < wanted) {
      const read = await reader.read(new Uint8Array(buffer, filled, wanted - filled));
      // Each read takes the buffer and gives it back, with what it wrote.
      if (read.value) buffer = read.value.buffer as ArrayBuffer;
      if (read.done) return { bytes: new Uint8Array(buffer, 0, filled), done: true };
      filled += read.value.byteLength;
    }
    return { bytes: new Uint8Array(buffer, 0, wanted), done: false };
  };
  return { reader, fill };
}

/** The stream's own pieces, copied into our buffer. */
function copyingReader(stream: ReadableStream<Uint8Array>): Filler {
  const reader = stream.getReader();
  let buffer = new Uint8Array(0);
  let rest: Uint8Array = new Uint8Array(0);
  const fill = async (wanted: number) => {
    if (buffer.byteLength < wanted) buffer = new Uint8Array(wanted);
    let filled = 0;
    while (filled < wanted) {
      if (rest.byteLength === 0) {
        const read = await reader.read();
        if (read.done) return { bytes: buffer.subarray(0, filled), done: true };
        rest = read.value;
      }
      const take = Math.min(rest.byteLength, wanted - filled);
      buffer.set(rest.subarray(0, take), filled);
      filled += take;
      rest = rest.subarray(take);
    }
    return { bytes: buffer.subarray(0, wanted), done: false };
  };
  return { reader, fill };
}
