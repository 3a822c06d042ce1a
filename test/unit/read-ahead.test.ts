/** The sender's file reader: large slices, read ahead, and nothing left unhandled when it stops. */
import { expect } from '@open-wc/testing';
import { readAhead } from '../../src/transfers/read-ahead.js';

describe('readAhead', () => {
  it('reads the file from an offset in slices, in order', async () => {
    const bytes = new Uint8Array(10_000).map((_, i) => i & 0xff);
    const seen: Array<[number, number]> = [];
    const all: number[] = [];
    for await (const { position, bytes: slice } of readAhead(new Blob([bytes]), 1000, 4096)) {
      seen.push([position, slice.byteLength]);
      all.push(...slice);
    }
    expect(seen).to.deep.equal([
      [1000, 4096],
      [5096, 4096],
      [9192, 808],
    ]);
    expect(all).to.deep.equal([...bytes.subarray(1000)]);
  });

  it('settles the read in flight when the reader stops early: no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const listener = (event: PromiseRejectionEvent) => {
      unhandled.push(event.reason);
      event.preventDefault();
    };
    window.addEventListener('unhandledrejection', listener);
    try {
      // A file whose second read fails after the reader has stopped (the file was deleted, say).
      let reads = 0;
      const failing = {
        size: 100,
        slice: () => ({
          arrayBuffer: () =>
            ++reads === 1 ? Promise.resolve(new ArrayBuffer(10)) : new Promise<ArrayBuffer>((_, reject) => setTimeout(() => reject(new Error('file gone')), 20)),
        }),
      } as unknown as Blob;
      for await (const slice of readAhead(failing, 0, 10)) {
        expect(slice.position).to.equal(0);
        break; // The transfer stopped: the second read is still in flight.
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(reads).to.equal(2);
      expect(unhandled).to.deep.equal([]);
    } finally {
      window.removeEventListener('unhandledrejection', listener);
    }
  });
});
