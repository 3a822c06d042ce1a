/**
 * XXH64 (seed 0) in WebAssembly: the leaf of the `xxh64-blocks` file hash. A fifth of the CPU of
 * WebCrypto's SHA-256 of the same block here, and no promise. A checksum, not a cryptographic
 * hash: DTLS already authenticates every byte between the peers, and what the file hash guards
 * is the path from the sender's disk to the receiver's (docs/protocol.md, Verification).
 *
 * The module is assembled here, a few hundred bytes, rather than shipped as a binary, so that
 * its code reads next to the algorithm it follows (the XXH64 specification: four 64-bit lanes
 * over 32-byte stripes, then the tail and the avalanche).
 */

const PRIME1 = 0x9e3779b185ebca87n;
const PRIME2 = 0xc2b2ae3d27d4eb4fn;
const PRIME3 = 0x165667b19e3779f9n;
const PRIME4 = 0x85ebca77c2b2ae63n;
const PRIME5 = 0x27d4eb2f165667c5n;

/** Unsigned and signed LEB128, as WebAssembly encodes sizes and constants. */
function unsigned(value: number): number[] {
  const bytes: number[] = [];
  do {
    const low = value & 0x7f;
    value >>>= 7;
    bytes.push(value ? low | 0x80 : low);
  } while (value);
  return bytes;
}
function signed(value: bigint): number[] {
  const bytes: number[] = [];
  for (let rest = BigInt.asIntN(64, value); ; ) {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    const done = (rest === 0n && (low & 0x40) === 0) || (rest === -1n && (low & 0x40) !== 0);
    bytes.push(done ? low : low | 0x80);
    if (done) return bytes;
  }
}
const list = (items: number[][]) => [...unsigned(items.length), ...items.flat()];
const section = (id: number, content: number[]) => [id, ...unsigned(content.length), ...content];
const text = (name: string) => list([...name].map((char) => [char.charCodeAt(0)]));

// Locals of xxh64(start, length): the two parameters, then `end`, the hash and the four lanes.
const [START, LENGTH, END, HASH, LANE1, LANE2, LANE3, LANE4] = [0, 1, 2, 3, 4, 5, 6, 7];
const get = (local: number) => [0x20, local];
const set = (local: number) => [0x21, local];
const i64 = (value: bigint) => [0x42, ...signed(value)];
const i32 = (value: number) => [0x41, ...signed(BigInt(value))];
const load64 = (offset: number) => [0x29, 3, ...unsigned(offset)];
const [ADD, MUL, XOR, SHR_U, ROTL] = [0x7c, 0x7e, 0x85, 0x88, 0x89];
const [I32_ADD, I32_GT_U, I32_GE_U, I32_LE_U, I32_LT_U, I32_EQZ] = [0x6a, 0x4b, 0x4f, 0x4d, 0x49, 0x45];
const [BLOCK, LOOP, IF, ELSE, END_OP, BR, BR_IF, VOID] = [0x02, 0x03, 0x04, 0x05, 0x0b, 0x0c, 0x0d, 0x40];
/** Stack: lane, input → rotl(lane + input × PRIME2, 31) × PRIME1. */
const round = [...i64(PRIME2), MUL, ADD, ...i64(31n), ROTL, ...i64(PRIME1), MUL];
/** Stack: x → rotl(x, bits) × prime. */
const rotateMultiply = (bits: bigint, prime: bigint) => [...i64(bits), ROTL, ...i64(prime), MUL];
/** `while (start + step <= end) { body; start += step }`; with `step` 0, `while (start < end) { body; start += 1 }`. */
const whileRoom = (step: number, body: number[]) => [
  BLOCK, VOID, LOOP, VOID,
  ...get(START), ...(step ? [...i32(step), I32_ADD] : []), ...get(END), ...(step ? [I32_GT_U] : [I32_LT_U, I32_EQZ]), BR_IF, 1,
  ...body,
  ...get(START), ...i32(step || 1), I32_ADD, ...set(START), BR, 0, END_OP, END_OP,
];
const stripe = [LANE1, LANE2, LANE3, LANE4].flatMap((lane, index) => [...get(lane), ...get(START), ...load64(index * 8), ...round, ...set(lane)]);
const code = [
  ...get(START), ...get(LENGTH), I32_ADD, ...set(END),
  ...get(LENGTH), ...i32(32), I32_GE_U, IF, VOID,
  ...i64(PRIME1 + PRIME2), ...set(LANE1), ...i64(PRIME2), ...set(LANE2), ...i64(0n), ...set(LANE3), ...i64(-PRIME1), ...set(LANE4),
  ...whileRoom(32, stripe),
  ...get(LANE1), ...i64(1n), ROTL, ...get(LANE2), ...i64(7n), ROTL, ADD, ...get(LANE3), ...i64(12n), ROTL, ADD, ...get(LANE4), ...i64(18n), ROTL, ADD, ...set(HASH),
  ...[LANE1, LANE2, LANE3, LANE4].flatMap((lane) => [...get(HASH), ...i64(0n), ...get(lane), ...round, XOR, ...i64(PRIME1), MUL, ...i64(PRIME4), ADD, ...set(HASH)]),
  ELSE, ...i64(PRIME5), ...set(HASH), END_OP,
  ...get(HASH), ...get(LENGTH), 0xad /* i64.extend_i32_u */, ADD, ...set(HASH),
  ...whileRoom(8, [...get(HASH), ...i64(0n), ...get(START), ...load64(0), ...round, XOR, ...rotateMultiply(27n, PRIME1), ...i64(PRIME4), ADD, ...set(HASH)]),
  ...get(START), ...i32(4), I32_ADD, ...get(END), I32_LE_U, IF, VOID,
  ...get(HASH), ...get(START), 0x35, 2, 0 /* i64.load32_u */, ...i64(PRIME1), MUL, XOR, ...rotateMultiply(23n, PRIME2), ...i64(PRIME3), ADD, ...set(HASH),
  ...get(START), ...i32(4), I32_ADD, ...set(START), END_OP,
  ...whileRoom(0, [...get(HASH), ...get(START), 0x31, 0, 0 /* i64.load8_u */, ...i64(PRIME5), MUL, XOR, ...rotateMultiply(11n, PRIME1), ...set(HASH)]),
  ...[[33n, PRIME2], [29n, PRIME3]].flatMap(([bits, prime]) => [...get(HASH), ...get(HASH), ...i64(bits), SHR_U, XOR, ...i64(prime), MUL, ...set(HASH)]),
  ...get(HASH), ...get(HASH), ...i64(32n), SHR_U, XOR, END_OP,
];
const [I32_TYPE, I64_TYPE] = [0x7f, 0x7e];
/** The function's body: its locals (`end`; the hash and the lanes), then the code. */
const body = [...list([[1, I32_TYPE], [5, I64_TYPE]]), ...code];
/** Pages of 64 KiB the module starts with: a block of the file hash (512 KiB) fits. */
const PAGES = 8;
const MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
  ...section(1, list([[0x60, ...list([[I32_TYPE], [I32_TYPE]]), ...list([[I64_TYPE]])]])),
  ...section(3, list([[0]])),
  ...section(5, list([[0x00, ...unsigned(PAGES)]])),
  ...section(7, list([[...text('xxh64'), 0x00, 0], [...text('memory'), 0x02, 0]])),
  ...section(10, list([[...unsigned(body.length), ...body]])),
]);

type Exports = { xxh64(start: number, length: number): bigint; memory: WebAssembly.Memory };
/** The instance's exports, made on first use; null where this page cannot run WebAssembly (a CSP without `wasm-unsafe-eval`). */
let instance: Exports | null | undefined;

function hasher(): Exports | null {
  if (instance === undefined) {
    try {
      // Synchronous: the module is far below the size browsers compile on the main thread at once.
      instance = new WebAssembly.Instance(new WebAssembly.Module(MODULE)).exports as unknown as Exports;
    } catch {
      instance = null;
    }
  }
  return instance;
}

/** Whether this page can compute XXH64 (WebAssembly exists and may run). */
export const canXxh64 = (): boolean => typeof WebAssembly !== 'undefined' && hasher() !== null;

/** XXH64 of `bytes`, seed 0, as 8 bytes, most significant first (XXH64's canonical form). */
export function xxh64(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const wasm = hasher();
  if (!wasm) throw new Error('WebAssembly is not available here');
  const needed = Math.ceil(bytes.byteLength / 65_536) - wasm.memory.buffer.byteLength / 65_536;
  if (needed > 0) wasm.memory.grow(needed);
  new Uint8Array(wasm.memory.buffer).set(bytes);
  const digest = new Uint8Array(8);
  new DataView(digest.buffer).setBigUint64(0, BigInt.asUintN(64, wasm.xxh64(0, bytes.byteLength)));
  return digest;
}
