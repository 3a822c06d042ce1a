/** The sender's file reader: the file as a stream, from an offset, a block at a time, into one reused buffer. */
import { expect } from '@open-wc/testing';
import { readBlocks } from '../../src/transfers/read-blocks.js';

const content = new Uint8Array(10_000).map((_, i) => (i * 7) & 0xff);

/** A file whose stream gives `pieces` (their lengths, in turn), as a plain stream or as a byte stream. */
function fileOf(bytes: Uint8Array, pieces: number[], type?: 'bytes'): Blob {
  return {
    slice: (offset: number) => ({
      stream: () => {
        let at = offset;
        let turn = 0;
        return new ReadableStream({
          type,
          pull(controller: ReadableStreamDefaultController<Uint8Array> | ReadableByteStreamController) {
            if (at >= bytes.byteLength) {
              controller.close();
              // A byte stream's pending BYOB read is answered with no bytes, as a file's own stream does.
              return (controller as ReadableByteStreamController).byobRequest?.respond(0);
            }
            const length = Math.min(pieces[turn++ % pieces.length], bytes.byteLength - at);
            controller.enqueue(bytes.slice(at, at + length));
            at += length;
          },
        } as UnderlyingDefaultSource<Uint8Array>);
      },
    }),
  } as unknown as Blob;
}

async function readAll(file: Blob, offset: number, blockBytes: number) {
  const pieces: Array<[number, number]> = [];
  const all: number[] = [];
  for await (const { position, bytes } of readBlocks(file, offset, blockBytes)) {
    pieces.push([position, bytes.byteLength]);
    all.push(...bytes);
  }
  return { pieces, all };
}

describe('readBlocks', () => {
  // From 1000 with blocks of 4096: the rest of the first block, whole blocks, the file's end.
  const expected = [
    [1000, 3096],
    [4096, 4096],
    [8192, 1808],
  ];

  it('reads a file from an offset, each piece ending where a block ends, the last one shorter', async () => {
    // Two Blob parts, whose pieces do not line up with the blocks.
    const { pieces, all } = await readAll(new Blob([content.subarray(0, 3000), content.subarray(3000)]), 1000, 4096);
    expect(pieces).to.deep.equal(expected);
    expect(all).to.deep.equal([...content.subarray(1000)]);
  });

  it('copies the pieces of a plain stream into the block', async () => {
    const { pieces, all } = await readAll(fileOf(content, [700, 5000, 1]), 1000, 4096);
    expect(pieces).to.deep.equal(expected);
    expect(all).to.deep.equal([...content.subarray(1000)]);
  });

  it('reads a byte stream (as a file’s is in Chromium) the same way', async () => {
    const { pieces, all } = await readAll(fileOf(content, [700, 5000, 1], 'bytes'), 1000, 4096);
    expect(pieces).to.deep.equal(expected);
    expect(all).to.deep.equal([...content.subarray(1000)]);
  });

  it('never asks a byte stream for a read into its buffer (BYOB), which Chromium sometimes never completes', async () => {
    // A byte stream that answers plain reads only, as Chromium's file stream at its worst.
    const stuck = {
      slice: (offset: number) => {
        let at = offset;
        return {
          stream: () =>
            new ReadableStream({
              type: 'bytes',
              pull(controller: ReadableByteStreamController) {
                if (controller.byobRequest) return new Promise<void>(() => {});
                if (at >= content.byteLength) return controller.close();
                controller.enqueue(content.slice(at, at + 3000));
                at += 3000;
              },
            }),
        };
      },
    } as unknown as Blob;
    const timeout = new Promise<'timed out'>((resolve) => setTimeout(() => resolve('timed out'), 2000));
    const read = await Promise.race([readAll(stuck, 1000, 4096), timeout]);
    expect(read).to.deep.equal({ pieces: expected, all: [...content.subarray(1000)] });
  });

  it('yields nothing more when the file ends on a block boundary', async () => {
    for (const type of [undefined, 'bytes'] as const) {
      const { pieces } = await readAll(fileOf(content.subarray(0, 8192), [3000], type), 0, 4096);
      expect(pieces, type ?? 'plain').to.deep.equal([
        [0, 4096],
        [4096, 4096],
      ]);
    }
  });

  it('cancels the stream when the reader stops early: a read failing after that is not unhandled', async () => {
    const unhandled: unknown[] = [];
    const listener = (event: PromiseRejectionEvent) => {
      unhandled.push(event.reason);
      event.preventDefault();
    };
    window.addEventListener('unhandledrejection', listener);
    let cancelled = false;
    try {
      // A file whose stream fails after its first piece (the file was deleted, say).
      let pulls = 0;
      const failing = {
        slice: () => ({
          stream: () =>
            new ReadableStream<Uint8Array>({
              pull(controller) {
                if (++pulls === 1) controller.enqueue(new Uint8Array(10));
                else return new Promise((_, reject) => setTimeout(() => reject(new Error('file gone')), 20));
              },
              cancel: () => void (cancelled = true),
            }),
        }),
      } as unknown as Blob;
      for await (const piece of readBlocks(failing, 0, 10)) {
        expect(piece.position).to.equal(0);
        break; // The transfer stopped.
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(cancelled).to.equal(true);
      expect(unhandled).to.deep.equal([]);
    } finally {
      window.removeEventListener('unhandledrejection', listener);
    }
  });

  it('passes a read failure on to the reader', async () => {
    const failing = {
      slice: () => ({ stream: () => new ReadableStream({ pull: (controller) => controller.error(new Error('file gone')) }) }),
    } as unknown as Blob;
    let caught: unknown = null;
    try {
      for await (const piece of readBlocks(failing, 0, 10)) expect.fail(`read ${piece.position}`);
    } catch (error) {
      caught = error;
    }
    expect((caught as Error)?.message).to.equal('file gone');
  });
});
