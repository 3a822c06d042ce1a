/** SHA-256 in JavaScript, streamed: FIPS 180-4 vectors, and any split of the input into updates. */
import { expect } from '@open-wc/testing';
import { Sha256 } from '../../src/engine/sha256.js';
import { sha256Hex } from '../support/block-hash.js';

const text = (value: string) => new TextEncoder().encode(value);

describe('Sha256', () => {
  // FIPS 180-4 (NIST's example values for SHA-256).
  const vectors: Array<[string, Uint8Array, string]> = [
    ['empty', new Uint8Array(0), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['"abc"', text('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['448 bits', text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
    [
      '896 bits',
      text('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu'),
      'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
    ],
    ['a million "a"', new Uint8Array(1_000_000).fill(0x61), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
  ];
  for (const [name, input, digest] of vectors) {
    it(`hashes ${name} as FIPS 180-4 says`, () => {
      expect(new Sha256().update(input).hex()).to.equal(digest);
    });
  }

  it('gives the same digest however the input is split, at and around the 64-byte block boundaries', async () => {
    const input = new Uint8Array(1000).map((_, i) => (i * 31 + 7) & 0xff);
    const expected = await sha256Hex(input);
    for (const first of [0, 1, 55, 56, 63, 64, 65, 127, 128, 129, 999, 1000]) {
      for (const second of [1, 63, 64, 65, 200]) {
        const hasher = new Sha256();
        let at = 0;
        for (const size of [first, second]) {
          hasher.update(input.subarray(at, Math.min(input.length, at + size)));
          at = Math.min(input.length, at + size);
        }
        while (at < input.length) hasher.update(input.subarray(at, (at += 97)));
        expect(hasher.hex(), `split ${first} + ${second}`).to.equal(expected);
        expect(hasher.bytesHashed).to.equal(input.length);
      }
    }
  });

  it('matches WebCrypto on message lengths 0 to 300 (every padding case)', async () => {
    for (let length = 0; length <= 300; length++) {
      const input = new Uint8Array(length).map((_, i) => (i * 13) & 0xff);
      expect(new Sha256().update(input).hex(), `length ${length}`).to.equal(await sha256Hex(input));
    }
  });
});
