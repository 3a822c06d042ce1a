/**
 * src/vendor/binarypack.ts, the bundle's stand-in for `peerjs-js-binarypack`, against the real
 * package: the same bytes for what we send a plain PeerJS app (strings, and PeerJS's chunks of
 * a long one), the same values for what such an app sends us, and a non-string value (never an
 * exception) for what the stand-in does not read.
 */
import { expect } from '@open-wc/testing';
import * as real from 'peerjs-js-binarypack';
import { pack, unpack } from '../../src/vendor/binarypack.js';

const bytes = (buffer: ArrayBuffer) => [...new Uint8Array(buffer)];

/** A string whose UTF-8 is exactly `length` bytes, with multi-byte characters in it. */
function utf8Of(length: number): string {
  const start = length >= 7 ? 'é€😀' : '';
  return start + 'x'.repeat(length - new TextEncoder().encode(start).length);
}

/** PeerJS's BinaryPack connection: a packed message over 16,300 bytes goes as chunks (`_sendChunks`, `_handleChunk`). */
const MTU = 16300;
function chunksOf(packed: ArrayBuffer, id: number) {
  const total = Math.ceil(packed.byteLength / MTU);
  return Array.from({ length: total }, (_, n) => ({ __peerData: id, n, data: packed.slice(n * MTU, (n + 1) * MTU), total }));
}
function reassemble(chunks: Array<{ n: number; data: ArrayBuffer }>): Uint8Array {
  const whole = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.data.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    whole.set(new Uint8Array(chunk.data), offset);
    offset += chunk.data.byteLength;
  }
  return whole;
}

describe('binarypack stand-in', () => {
  const lengths = [0, 1, 15, 16, 255, 256, 0xffff, 0x10000, 200_000];

  it('packs strings byte for byte as binarypack does, and reads back what binarypack packs', () => {
    for (const text of [...lengths.map(utf8Of), 'hello from plain PeerJS <b>!</b>', 'Grüße 👋🏽 e\u0301 \u202Eevil\u202C 中文']) {
      expect(bytes(pack(text)), `${text.length} characters`).to.deep.equal(bytes(real.pack(text) as ArrayBuffer));
      expect(unpack(real.pack(text) as ArrayBuffer)).to.equal(text);
      expect(real.unpack(pack(text))).to.equal(text);
    }
  });

  it('packs PeerJS chunks byte for byte as binarypack does: integers of every width, bytes of every length', () => {
    for (const id of [1, 127, 128, 255, 256, 0xffff, 0x10000, 0xffffffff]) {
      for (const length of [0, 15, 16, MTU, 0x10000]) {
        const chunk = { __peerData: id, n: 0, data: new Uint8Array(length).map((_, i) => i * 31).buffer, total: 3 };
        expect(bytes(pack(chunk)), `id ${id}, ${length} bytes`).to.deep.equal(bytes(real.pack(chunk) as ArrayBuffer));
        const read = unpack(real.pack(chunk) as ArrayBuffer) as typeof chunk;
        expect({ ...read, data: bytes(read.data) }).to.deep.equal({ ...chunk, data: bytes(chunk.data) });
      }
    }
    const view = new Uint8Array([1, 2, 3, 4, 5]).subarray(1, 4);
    expect(bytes(pack(view))).to.deep.equal(bytes(real.pack(view) as ArrayBuffer));
    expect(bytes(pack({}))).to.deep.equal(bytes(real.pack({}) as ArrayBuffer));
  });

  it('a long string, chunked each way as PeerJS does, arrives whole', () => {
    const text = utf8Of(64 * 1024 * 3);
    const ours = chunksOf(pack(text), 1).map((chunk) => real.unpack(pack(chunk)) as { n: number; data: ArrayBuffer });
    expect(ours).to.have.length(13);
    expect(real.unpack(reassemble(ours).buffer as ArrayBuffer)).to.equal(text);
    const theirs = chunksOf(real.pack(text) as ArrayBuffer, 7).map((chunk) => unpack(real.pack(chunk) as ArrayBuffer) as { __peerData: number; n: number; data: ArrayBuffer; total: number });
    expect(theirs.map(({ __peerData, n, total }) => [__peerData, n, total])).to.deep.equal(theirs.map((_, n) => [7, n, 13]));
    // PeerJS hands the joined chunks to `unpack` as a Uint8Array.
    expect(unpack(reassemble(theirs))).to.equal(text);
  });

  it('reads maps, bytes, strings and non-negative integers as binarypack does, as deep as they go', () => {
    const values = [
      { some: 'object' },
      { __peerData: { type: 'close' } },
      Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`key${i}`, i])),
      { nested: { deeper: { bytes: new Uint8Array([9, 8, 7]).buffer, text: 'ü' } } },
      0,
      127,
      128,
      65_535,
      4_294_967_295,
    ];
    const plain = (value: unknown): unknown =>
      value instanceof ArrayBuffer ? bytes(value) : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plain(inner)])) : value;
    for (const value of values) {
      const packed = real.pack(value) as ArrayBuffer;
      expect(plain(unpack(packed)), JSON.stringify(value)).to.deep.equal(plain(real.unpack(packed)));
    }
  });

  it('gives a value that is no string, and throws nothing, for the rest', () => {
    const rest = [[1, 'two'], null, true, false, -1, -200, 1.5, -0.25, 2 ** 40, { some: 1.5 }, { list: ['a'] }].map((value) => real.pack(value) as ArrayBuffer);
    const malformed = [new Uint8Array([0xc1]), new Uint8Array([0xd9, 0, 0, 0, 9, 0x41]), new Uint8Array([0x82, 0xa1, 0x61]), new Uint8Array(0)].map((array) => array.buffer);
    for (const data of [...rest, ...malformed]) {
      const value = unpack(data);
      expect(value).to.be.an('object').and.not.equal(null);
      expect(typeof value).to.not.equal('string');
    }
  });

  it('throws on what it does not pack (nothing we send)', () => {
    for (const value of [1.5, -1, true, null, [1], new Date(0)]) expect(() => pack(value as never)).to.throw();
  });
});
