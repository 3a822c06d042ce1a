/** XXH64 in WebAssembly against the algorithm's published values and a plain BigInt reference. */
import { expect } from '@open-wc/testing';
import { canXxh64, xxh64 } from '../../src/transfers/xxh64.js';
import { hex, xxh64Bytes } from '../support/block-hash.js';
const text = (value: string) => new TextEncoder().encode(value);

describe('xxh64 (WebAssembly)', () => {
  it('runs here', () => {
    expect(canXxh64()).to.equal(true);
  });

  it('gives the published values (seed 0), in canonical byte order', () => {
    expect(hex(xxh64(new Uint8Array(0)))).to.equal('ef46db3751d8e999');
    expect(hex(xxh64(text('a')))).to.equal('d24ec4f1a98c6e5b');
    expect(hex(xxh64(text('abc')))).to.equal('44bc2cf5ad770999');
    // 39 bytes: the four lanes of the long path, then the tail.
    expect(hex(xxh64(text('Nobody inspects the spammish repetition')))).to.equal('fbcea83c8a378bf1');
  });

  it('matches the reference at every length up to 100 bytes, from any offset of a larger buffer', () => {
    const buffer = new Uint8Array(200).map((_, i) => (i * 167 + 13) & 0xff);
    for (let length = 0; length <= 100; length++) {
      for (const offset of [0, 3]) {
        const bytes = buffer.subarray(offset, offset + length);
        expect(hex(xxh64(bytes)), `length ${length}, offset ${offset}`).to.equal(hex(xxh64Bytes(bytes)));
      }
    }
  });

  it('matches the reference for a whole block and for more than its memory holds at first (it grows)', () => {
    for (const length of [512 * 1024, 512 * 1024 + 37, 1_300_001]) {
      const bytes = new Uint8Array(length).map((_, i) => (i * 131 + (i >> 9)) & 0xff);
      expect(hex(xxh64(bytes)), `length ${length}`).to.equal(hex(xxh64Bytes(bytes)));
    }
  });
});
