/**
 * SHA-256 in hex, XXH64 and the block hashes (`xxh64-blocks`, `sha256-blocks`, docs/protocol.md)
 * by their definitions, for tests to check the element's against.
 */

/** Bytes as lowercase hex digits. */
export const hex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
/** SHA-256 of `bytes`, as raw bytes. */
export const sha256 = async (bytes: Uint8Array) => new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));

/** SHA-256 of the whole of `bytes`, in hex. */
export const sha256Hex = async (bytes: Uint8Array): Promise<string> => hex(await sha256(bytes));

const MASK = (1n << 64n) - 1n;
const [P1, P2, P3, P4, P5] = [0x9e3779b185ebca87n, 0xc2b2ae3d27d4eb4fn, 0x165667b19e3779f9n, 0x85ebca77c2b2ae63n, 0x27d4eb2f165667c5n];
const rotl = (value: bigint, bits: bigint) => ((value << bits) | (value >> (64n - bits))) & MASK;
const round = (lane: bigint, input: bigint) => (rotl((lane + input * P2) & MASK, 31n) * P1) & MASK;
const merge = (hash: bigint, lane: bigint) => (((hash ^ round(0n, lane)) * P1) + P4) & MASK;

/** XXH64 of `bytes`, seed 0, by the specification, in BigInt arithmetic (slow, and plainly so). */
function xxh64Reference(bytes: Uint8Array): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = bytes.byteLength;
  let at = 0;
  let hash: bigint;
  if (length >= 32) {
    const lanes = [(P1 + P2) & MASK, P2, 0n, (0n - P1) & MASK];
    for (; at + 32 <= length; at += 32) for (let lane = 0; lane < 4; lane++) lanes[lane] = round(lanes[lane], view.getBigUint64(at + lane * 8, true));
    hash = (rotl(lanes[0], 1n) + rotl(lanes[1], 7n) + rotl(lanes[2], 12n) + rotl(lanes[3], 18n)) & MASK;
    for (const lane of lanes) hash = merge(hash, lane);
  } else {
    hash = P5;
  }
  hash = (hash + BigInt(length)) & MASK;
  for (; at + 8 <= length; at += 8) hash = (rotl(hash ^ round(0n, view.getBigUint64(at, true)), 27n) * P1 + P4) & MASK;
  if (at + 4 <= length) {
    hash = (rotl(hash ^ ((BigInt(view.getUint32(at, true)) * P1) & MASK), 23n) * P2 + P3) & MASK;
    at += 4;
  }
  for (; at < length; at++) hash = (rotl(hash ^ ((BigInt(bytes[at]) * P5) & MASK), 11n) * P1) & MASK;
  hash = ((hash ^ (hash >> 33n)) * P2) & MASK;
  hash = ((hash ^ (hash >> 29n)) * P3) & MASK;
  return hash ^ (hash >> 32n);
}

/** XXH64 of `bytes` as 8 bytes, most significant first (its canonical form). */
export function xxh64Bytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, xxh64Reference(bytes));
  return out;
}

/** The root in hex: SHA-256 of the leaves of each block of `blockBytes` (the last one shorter), concatenated. */
export async function blockRootHex(bytes: Uint8Array, blockBytes: number, scheme: 'sha256-blocks' | 'xxh64-blocks' = 'sha256-blocks'): Promise<string> {
  const leaves: Uint8Array[] = [];
  for (let at = 0; at < bytes.byteLength; at += blockBytes) {
    const block = bytes.subarray(at, at + blockBytes);
    leaves.push(scheme === 'xxh64-blocks' ? xxh64Bytes(block) : await sha256(block));
  }
  const list = new Uint8Array(leaves.reduce((total, leaf) => total + leaf.byteLength, 0));
  leaves.reduce((at, leaf) => (list.set(leaf, at), at + leaf.byteLength), 0);
  return sha256Hex(list);
}
