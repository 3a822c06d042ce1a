/** The sender's file reader: the file as a stream, from an offset, in pieces that fill one reused buffer. */
import { expect } from '@open-wc/testing';
import { readChunks } from '../../src/transfers/read-chunks.js';

describe('readChunks', () => {
  it('reads the file from an offset into the buffer, piece after piece, the last one shorter', async () => {
    const bytes = new Uint8Array(10_000).map((_, i) => (i * 7) & 0xff);
    // The stream's own pieces (two Blob parts here) do not line up with the buffer's.
    const file = new Blob([bytes.subarray(0, 3000), bytes.subarray(3000)]);
    const into = new Uint8Array(4096);
    const seen: Array<[number, number]> = [];
    const all: number[] = [];
    for await (const { position, bytes: piece } of readChunks(file, 1000, into)) {
      expect(piece.buffer).to.equal(into.buffer);
      seen.push([position, piece.byteLength]);
      all.push(...piece);
    }
    expect(seen).to.deep.equal([
      [1000, 4096],
      [5096, 4096],
      [9192, 808],
    ]);
    expect(all).to.deep.equal([...bytes.subarray(1000)]);
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
      for await (const piece of readChunks(failing, 0, new Uint8Array(10))) {
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
      for await (const piece of readChunks(failing, 0, new Uint8Array(10))) expect.fail(`read ${piece.position}`);
    } catch (error) {
      caught = error;
    }
    expect((caught as Error)?.message).to.equal('file gone');
  });
});
