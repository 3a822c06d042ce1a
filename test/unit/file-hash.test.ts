/** The file hashes: the block hash's known values, and any split of the file into pieces, resumed or not. */
import { expect } from '@open-wc/testing';
import { BlockHash, BlockScheme, blockSchemes, chooseBlockScheme, fileHash } from '../../src/transfers/file-hash.js';
import { blockRootHex, sha256, sha256Hex } from '../support/block-hash.js';

/** The block size, as docs/protocol.md defines it (not the source's constant: a change of it must fail here). */
const BLOCK = 512 * 1024;


const fileOf = (size: number) => new Uint8Array(size).map((_, i) => (i * 131 + (i >> 12)) & 0xff);

/** Feeds `file` in pieces of the given sizes (cycled), from `start`. */
function feed(hash: { add(position: number, bytes: Uint8Array): void }, file: Uint8Array, sizes: number[], start = 0) {
  for (let at = start, index = 0; at < file.byteLength; index++) {
    const end = Math.min(file.byteLength, at + sizes[index % sizes.length]);
    hash.add(at, file.subarray(at, end));
    at = end;
  }
}

describe('BlockHash', () => {
  it('has known values: the empty file is SHA-256 of nothing, a one-block file SHA-256 of its leaf', async () => {
    for (const [scheme, abcRoot] of [
      [BlockScheme.sha256, '4f8b42c22dd3729b519ba6f68d2da7cc5b2d606d05daed5ad5128cc03e6c6358'],
      // SHA-256 of XXH64("abc") = 44bc2cf5ad770999, as its 8 bytes.
      [BlockScheme.xxh64, 'd6c67878e08ee716f393c58c06498c78c025bc93556724dc62231898dfc73f9d'],
    ] as const) {
      const empty = new BlockHash(0, scheme);
      expect(await empty.hex()).to.equal('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
      const abc = new BlockHash(3, scheme);
      abc.add(0, new TextEncoder().encode('abc'));
      expect(await abc.hex(), scheme).to.equal(abcRoot);
    }
  });

  for (const scheme of [BlockScheme.xxh64, BlockScheme.sha256]) {
    it(`${scheme}: matches its definition at and around the block boundaries, however the bytes are split`, async () => {
      const B = BLOCK;
      for (const size of [1, B - 1, B, B + 1, 2 * B + 5]) {
        const file = fileOf(size);
        const expected = await blockRootHex(file, BLOCK, scheme);
        for (const sizes of [[size], [B], [65_472], [1, B - 1, 7], [B + 3]]) {
          const hash = new BlockHash(size, scheme);
          feed(hash, file, sizes);
          expect(await hash.hex(), `size ${size}, pieces ${sizes}`).to.equal(expected);
        }
      }
    });

    it(`${scheme}: skips bytes fed again (a resumed sender), and refuses a gap`, async () => {
      const file = fileOf(3 * BLOCK - 10);
      const hash = new BlockHash(file.byteLength, scheme);
      feed(hash, file.subarray(0, 1_500_000), [65_472]);
      // Resumed from an earlier offset, not on a block boundary.
      feed(hash, file, [65_472], 1_200_000);
      expect(hash.bytesHashed).to.equal(file.byteLength);
      expect(await hash.hex()).to.equal(await blockRootHex(file, BLOCK, scheme));
      expect(() => new BlockHash(10, scheme).add(5, new Uint8Array(5))).to.throw(/gap/);
    });
  }

  it('sha256-blocks: takes whole blocks by their leaf, hashed elsewhere (the storage worker), mixed with bytes; refuses a leaf that is not the next block', async () => {
    const B = BLOCK;
    const file = fileOf(2 * B + 5);
    const hash = new BlockHash(file.byteLength, BlockScheme.sha256);
    hash.addLeaf(0, B, (await sha256(file.subarray(0, B))).buffer as ArrayBuffer);
    feed(hash, file.subarray(0, B + 100), [65_472], B);
    expect(() => hash.addLeaf(B, B, new ArrayBuffer(32)), 'a block begun with bytes').to.throw(/leaf/);
    feed(hash, file.subarray(0, 2 * B), [65_472], B + 100);
    expect(() => hash.addLeaf(2 * B, 6, new ArrayBuffer(32)), 'longer than the last block').to.throw(/leaf/);
    expect(() => hash.addLeaf(B, 5, new ArrayBuffer(32)), 'a block fed already').to.throw(/leaf/);
    hash.addLeaf(2 * B, 5, (await sha256(file.subarray(2 * B))).buffer as ArrayBuffer);
    expect(await hash.hex()).to.equal(await blockRootHex(file, BLOCK));
  });

  it('refuses to give a digest before every byte is in', async () => {
    const hash = new BlockHash(10, BlockScheme.sha256);
    hash.add(0, new Uint8Array(4));
    let error: unknown;
    await hash.hex().catch((caught) => (error = caught));
    expect(error).to.be.instanceOf(Error);
  });
});

describe('fileHash: plain SHA-256 for protocol v1 peers', () => {
  it('is SHA-256 of the whole file, resumed or not', async () => {
    const file = fileOf(BLOCK + 1000);
    const hash = fileHash(null, file.byteLength);
    feed(hash, file.subarray(0, 300_000), [65_472]);
    feed(hash, file, [65_472], 200_000);
    expect(await hash.hex()).to.equal(await sha256Hex(file));
  });
});

describe('the block hash both sides choose', () => {
  it('offers XXH64 leaves first, then SHA-256 ones; takes the first offered name it knows', () => {
    expect(blockSchemes()).to.deep.equal([BlockScheme.xxh64, BlockScheme.sha256]);
    expect(chooseBlockScheme('xxh64-blocks sha256-blocks')).to.equal(BlockScheme.xxh64);
    expect(chooseBlockScheme('sha256-blocks')).to.equal(BlockScheme.sha256);
    expect(chooseBlockScheme('a-later-scheme sha256-blocks xxh64-blocks')).to.equal(BlockScheme.sha256);
    expect(chooseBlockScheme('a-later-scheme')).to.equal(null);
    expect(chooseBlockScheme(undefined)).to.equal(null);
  });
});
