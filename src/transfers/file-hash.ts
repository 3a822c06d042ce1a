/**
 * The hash that verifies a file end to end, fed as the bytes stream past on either side.
 *
 * - `sha256`: SHA-256 of the whole file, in JavaScript (WebCrypto cannot hash a stream). What
 *   protocol v1 peers send and expect.
 * - The block hashes: the file in blocks of {@link HASH_BLOCK_BYTES} (the last one shorter), a leaf
 *   for each block, and the root SHA-256(leaf 0 ‖ leaf 1 ‖ …). Used when both sides announce one
 *   (see docs/protocol.md):
 *   - `xxh64-blocks`: each leaf XXH64 of its block (WebAssembly, xxh64.ts), cheap enough to
 *     compute where the bytes are, on the main thread;
 *   - `sha256-blocks`: each leaf WebCrypto's native SHA-256 of its block (on the calling thread,
 *     in Chromium: the receiver's storage worker hashes the blocks it writes), for pages that
 *     cannot run WebAssembly.
 */
import { Sha256 } from '../engine/sha256.js';
import { canXxh64, xxh64 } from './xxh64.js';

/**
 * WebCrypto hashes a copy of its input, and Chromium maps fresh memory for a copy of over 640 KiB:
 * a 1 MiB block cost 1.19 ms per MiB to hash here, a 512 KiB one 0.67.
 */
export const HASH_BLOCK_BYTES = 512 * 1024;
/** The block hashes, by the names both sides announce in `offer` and `accept`. */
export const BlockScheme = { xxh64: 'xxh64-blocks', sha256: 'sha256-blocks' } as const;
export type BlockScheme = (typeof BlockScheme)[keyof typeof BlockScheme];

export interface FileHash {
  /** Bytes fed so far, from the file's start. */
  readonly bytesHashed: number;
  /**
   * Feeds the bytes at `position` in the file. They must start at or before `bytesHashed`;
   * bytes fed already (a resumed sender reads some again) are skipped.
   */
  add(position: number, bytes: Uint8Array): void;
  /** The digest as 64 lowercase hex digits, once every byte of the file was fed. */
  hex(): Promise<string>;
}

/**
 * The block hashes this page can compute, the best first: what a sender offers. Every root is
 * WebCrypto's SHA-256, which exists in secure contexts only.
 */
export function blockSchemes(): BlockScheme[] {
  if (typeof crypto === 'undefined' || crypto.subtle === undefined) return [];
  return canXxh64() ? [BlockScheme.xxh64, BlockScheme.sha256] : [BlockScheme.sha256];
}

/** The first name in `offered` (names separated by spaces) that this page can compute; null: plain SHA-256. */
export function chooseBlockScheme(offered: string | undefined): BlockScheme | null {
  const schemes = blockSchemes();
  return (offered?.split(' ').find((name) => schemes.includes(name as BlockScheme)) as BlockScheme | undefined) ?? null;
}

/** The hash for a file of `size` bytes: the block hash both sides chose, else SHA-256 of the whole file. */
export function fileHash(scheme: BlockScheme | null, size: number): FileHash {
  return scheme ? new BlockHash(size, scheme) : new StreamSha256();
}

/** The part of `bytes` at `position` that is not fed yet; throws on a gap. */
function unfed(hashed: number, position: number, bytes: Uint8Array): Uint8Array {
  if (position > hashed) throw new Error(`hash fed at ${position}, after a gap from ${hashed}`);
  return hashed - position >= bytes.byteLength ? bytes.subarray(bytes.byteLength) : bytes.subarray(hashed - position);
}

class StreamSha256 implements FileHash {
  private readonly sha = new Sha256();

  get bytesHashed(): number {
    return this.sha.bytesHashed;
  }

  add(position: number, bytes: Uint8Array): void {
    const fresh = unfed(this.sha.bytesHashed, position, bytes);
    if (fresh.byteLength > 0) this.sha.update(fresh);
  }

  async hex(): Promise<string> {
    return this.sha.hex();
  }
}

export class BlockHash implements FileHash {
  private readonly leaves: Array<Promise<ArrayBuffer>> = [];
  /** The block being filled, when bytes came in pieces that do not make whole blocks. */
  private partial: Uint8Array<ArrayBuffer> | null = null;
  private fed = 0;

  constructor(
    private readonly size: number,
    readonly scheme: BlockScheme,
  ) {}

  /** SHA-256 leaves cost the main thread about 0.7 ms per MiB: where a storage worker writes the blocks, it hashes them too. */
  get hashedWhereWritten(): boolean {
    return this.scheme === BlockScheme.sha256;
  }

  get bytesHashed(): number {
    return this.fed;
  }

  add(position: number, bytes: Uint8Array): void {
    let fresh = unfed(this.fed, position, bytes);
    while (fresh.byteLength > 0) {
      const inBlock = this.fed % HASH_BLOCK_BYTES;
      const blockLength = Math.min(HASH_BLOCK_BYTES, this.size - (this.fed - inBlock));
      const take = Math.min(fresh.byteLength, blockLength - inBlock);
      if (take <= 0) throw new Error('hash fed past the end of the file');
      if (inBlock === 0 && take === blockLength) {
        // A whole block in one piece (the receiver's case): hashed without a copy of ours.
        this.leaf(fresh.subarray(0, take));
      } else {
        this.partial ??= new Uint8Array(HASH_BLOCK_BYTES);
        this.partial.set(fresh.subarray(0, take), inBlock);
        if (inBlock + take === blockLength) this.leaf(this.partial.subarray(0, blockLength));
      }
      this.fed += take;
      fresh = fresh.subarray(take);
    }
  }

  /** Feeds the whole block at `position` by its SHA-256, computed elsewhere (by the storage worker, writing it). */
  addLeaf(position: number, length: number, digest: ArrayBuffer): void {
    const whole = position === this.fed && position % HASH_BLOCK_BYTES === 0 && length === Math.min(HASH_BLOCK_BYTES, this.size - position);
    if (!whole) throw new Error(`hash fed a leaf of ${length} bytes at ${position}, not the block at ${this.fed}`);
    this.leaves.push(Promise.resolve(digest));
    this.fed += length;
  }

  async hex(): Promise<string> {
    if (this.fed !== this.size) throw new Error(`hash of ${this.fed} of ${this.size} bytes`);
    const leaves = await Promise.all(this.leaves);
    const list = new Uint8Array(leaves.reduce((total, leaf) => total + leaf.byteLength, 0));
    let at = 0;
    for (const leaf of leaves) {
      list.set(new Uint8Array(leaf), at);
      at += leaf.byteLength;
    }
    return hex(await crypto.subtle.digest('SHA-256', list));
  }

  /** Both leaves are taken from the bytes when called, so the buffer may be reused or transferred at once. */
  private leaf(block: Uint8Array): void {
    if (this.scheme === BlockScheme.xxh64) {
      this.leaves.push(Promise.resolve(xxh64(block).buffer));
      return;
    }
    const digest = crypto.subtle.digest('SHA-256', block as Uint8Array<ArrayBuffer>);
    // Rejections surface in hex(); never unhandled meanwhile.
    digest.catch(() => {});
    this.leaves.push(digest);
  }
}

const hex = (buffer: ArrayBuffer): string => Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, '0')).join('');
