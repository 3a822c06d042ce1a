/** SHA-256 in hex, and the block hash (`sha256-blocks`, docs/protocol.md) by its definition, for tests to check the element's against. */

const hex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
/** SHA-256 of `bytes`, as raw bytes. */
export const sha256 = async (bytes: Uint8Array) => new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));

/** SHA-256 of the whole of `bytes`, in hex. */
export const sha256Hex = async (bytes: Uint8Array): Promise<string> => hex(await sha256(bytes));

/** The root in hex: SHA-256 of the concatenated SHA-256 of each block of `blockBytes` (the last one shorter). */
export async function blockRootHex(bytes: Uint8Array, blockBytes: number): Promise<string> {
  const leaves = new Uint8Array(Math.ceil(bytes.byteLength / blockBytes) * 32);
  for (let at = 0; at < bytes.byteLength; at += blockBytes) leaves.set(await sha256(bytes.subarray(at, at + blockBytes)), (at / blockBytes) * 32);
  return sha256Hex(leaves);
}
