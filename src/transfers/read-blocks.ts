/**
 * Reads `file` from `offset` on as a stream, a block of `blockBytes` at a time: each piece it
 * yields ends where a block of the file ends (after an `offset` within a block, the first is the
 * rest of that block; the file's last may be shorter), in one buffer that the next piece
 * overwrites, so use it before asking for more. The pieces the stream gives are copied in.
 *
 * Not through a BYOB reader, though Chromium's file streams are byte streams: there, now and
 * then, a BYOB read of a file never completes (in a loop reading four 10 MiB files at once, 40
 * times, one run in three hung), and the transfer with it.
 *
 * When the reader stops early, the stream is cancelled: a read that then fails (the file was
 * deleted, say) is never left to reject unhandled.
 */
export async function* readBlocks(file: Blob, offset: number, blockBytes: number): AsyncGenerator<{ position: number; bytes: Uint8Array }> {
  const reader = file.slice(offset).stream().getReader();
  const buffer = new Uint8Array(blockBytes);
  /** What the last read gave beyond the block it filled. */
  let rest: Uint8Array = new Uint8Array(0);
  let position = offset;
  try {
    for (let ended = false; !ended; ) {
      const wanted = blockBytes - (position % blockBytes);
      let filled = 0;
      while (filled < wanted) {
        if (rest.byteLength === 0) {
          const read = await reader.read();
          if (read.done) {
            ended = true;
            break;
          }
          rest = read.value;
        }
        const take = Math.min(rest.byteLength, wanted - filled);
        buffer.set(rest.subarray(0, take), filled);
        filled += take;
        rest = rest.subarray(take);
      }
      if (filled > 0) yield { position, bytes: buffer.subarray(0, filled) };
      position += filled;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
