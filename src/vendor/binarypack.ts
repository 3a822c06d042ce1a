/**
 * Stands in for the `peerjs-js-binarypack` package inside the bundle. PeerJS imports its
 * `pack` and `unpack`, and uses them only on connections with its default `binary`
 * serialization: ours dial with `raw`, so they serve only plain PeerJS apps, which we send
 * strings and from which we take strings (anything else is a protocol error). What goes over
 * such a connection:
 * - ours: strings, and when one packs to more than 16,300 bytes, PeerJS's chunks of it:
 *   `{ __peerData, n, data, total }` (integers, and the bytes as an `ArrayBuffer`);
 * - theirs: whatever the app sends, those chunks, and `{ __peerData: { type: 'close' } }`
 *   (`close({ flush: true })`).
 * So `pack` writes strings, plain objects, non-negative integers and bytes, byte for byte as
 * binarypack 2.1 does, and throws on anything else; `unpack` reads the same types as
 * binarypack does, and returns an empty object for anything else (arrays, nil, booleans,
 * negative numbers, floats, malformed data), and for a map or bytes that hold any of it: a
 * value that is no string, which the engine reports as before.
 * Strings are decoded with `TextDecoder`: the same as binarypack for valid UTF-8, and U+FFFD
 * for bytes that are not. test/unit/binarypack.test.ts checks it against the real package.
 */

type Packable = string | number | ArrayBuffer | ArrayBufferView | { [key: string]: Packable };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A type byte, then `length` in 0, 2 or 4 bytes: the short form for up to 15, else 16 or 32 bits. */
function head(out: number[], length: number, short: number, long: number): void {
  if (length <= 0x0f) out.push(short + length);
  else if (length <= 0xffff) out.push(long, length >> 8, length & 0xff);
  else out.push(long + 1, length >>> 24, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff);
}

function write(out: number[], value: Packable): void {
  if (typeof value === 'string') {
    const bytes = encoder.encode(value);
    head(out, bytes.length, 0xb0, 0xd8);
    for (const byte of bytes) out.push(byte);
  } else if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff) {
    if (value <= 0x7f) out.push(value);
    else if (value <= 0xff) out.push(0xcc, value);
    else if (value <= 0xffff) out.push(0xcd, value >> 8, value & 0xff);
    else out.push(0xce, value >>> 24, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff);
  } else if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    head(out, bytes.length, 0xa0, 0xda);
    for (const byte of bytes) out.push(byte);
  } else if (value?.constructor === Object) {
    const keys = Object.keys(value);
    head(out, keys.length, 0x80, 0xde);
    for (const key of keys) {
      write(out, key);
      write(out, (value as Record<string, Packable>)[key]);
    }
  } else {
    throw new Error(`BinaryPack: ${typeof value} not supported here`);
  }
}

export function pack(value: Packable): ArrayBuffer {
  const out: number[] = [];
  write(out, value);
  return new Uint8Array(out).buffer;
}

export function unpack(data: ArrayBuffer | Uint8Array): unknown {
  const bytes = new Uint8Array(data);
  let at = 0;
  const take = (length: number) => {
    if (at + length > bytes.length) throw new RangeError('BinaryPack: out of range');
    return bytes.subarray(at, (at += length));
  };
  const uint = (length: number) => take(length).reduce((sum, byte) => sum * 256 + byte, 0);
  const read = (): unknown => {
    const type = uint(1);
    if (type < 0x80) return type;
    if (type >= 0xcc && type <= 0xce) return uint(1 << (type - 0xcc));
    // A map, bytes or a string: its length in the type byte (up to 15), or in 2 or 4 bytes after it.
    let kind = type >> 4;
    let length = type & 0x0f;
    if (type >= 0xd8) {
      kind = [0xb, 0xb, 0xa, 0xa, 0, 0, 0x8, 0x8][type - 0xd8];
      length = uint(type & 1 ? 4 : 2);
    }
    if (kind === 0xa) return take(length).slice().buffer;
    if (kind === 0xb) return decoder.decode(take(length));
    if (kind !== 0x8) throw new TypeError('BinaryPack: type not supported here');
    const map: Record<string, unknown> = {};
    for (let i = 0; i < length; i++) {
      const key = read();
      map[key as string] = read();
    }
    return map;
  };
  try {
    return read();
  } catch {
    return {};
  }
}
