/**
 * The wire protocol between two `<peer-chat>` elements (see docs/protocol.md).
 *
 * Plain TypeScript with no DOM, Lit or PeerJS: every frame a peer sends is untrusted, so
 * decoding validates each field and reports what is wrong instead of throwing.
 */

/**
 * Bumped on incompatible changes; peers announce it in `hello`. A peer that speaks another
 * version gets an error and plain text (see docs/protocol.md).
 */
export const PROTOCOL_VERSION = 1;

/** Limits that bound what a peer can make us hold or render. */
export const LIMITS = {
  /** Longest control frame, in UTF-16 code units, accepted from a peer. */
  maxControlFrame: 256 * 1024,
  /** Longest chat message text, in UTF-16 code units. */
  maxTextLength: 64 * 1024,
  /** Longest display name or file name. */
  maxNameLength: 256,
  /** Longest id (message id, transfer id, MIME type). */
  maxIdLength: 128,
  /** Most ids in one `peers` frame, and most members a group element connects to through introductions. */
  maxGroupSize: 32,
} as const;

/**
 * `mesh`: the sender takes part in groups. `readInAck`: the sender takes a `read` carried in
 * `ack`. Both optional: older elements neither send nor read them.
 */
export type HelloFrame = { t: 'hello'; v: number; name: string; session: string; mesh?: boolean; readInAck?: boolean };
/** Goodbye: the peer disconnects on purpose, so it is not dialed again. */
export type ByeFrame = { t: 'bye' };
export type PingFrame = { t: 'ping' };
/** A chat message; `seq` counts from 1 per pair of sessions, for acknowledgement and de-duplication. */
export type TextFrame = { t: 'msg'; id: string; text: string; time: number; seq: number };
/** Cumulative: every message up to `seq` arrived; `read`, to a peer whose `hello` said `readInAck`, what a `read` frame would say. */
export type AckFrame = { t: 'ack'; seq: number; read?: number };
/** The person is typing: sent at most every 2 s; the indicator lasts 5 s after the last one. */
export type TypingFrame = { t: 'typing' };
/** Cumulative, like `ack`: the person saw every message up to `seq`. */
export type ReadFrame = { t: 'read'; seq: number };
/** Between group members only: the other members the sender is connected to. */
export type PeersFrame = { t: 'peers'; ids: string[] };
/** `hash`: the block hashes the sender can verify with, the best first, separated by spaces (see transfers/file-hash.ts). */
export type OfferFrame = { t: 'offer'; tid: string; slot: number; name: string; size: number; type: string; hash?: string };
/** The receiver wants the bytes from `offset` on (non-zero when resuming); `hash`: the block hash it chose of those the offer named. */
export type AcceptFrame = { t: 'accept'; tid: string; offset: number; hash?: string };
/** `code: 'file-too-large'` when the file does not fit (`reason` then says how much space there is). */
export type DeclineFrame = { t: 'decline'; tid: string; code?: 'file-too-large'; reason?: string };
export type CancelFrame = { t: 'cancel'; tid: string; reason: string };
/** Sender → receiver, after the last chunk: the SHA-256 of the whole file (or the block hash's root, when chosen), in hex. */
export type EndFrame = { t: 'end'; tid: string; sha256: string };
/** Receiver → sender: bytes received so far; `size` bytes means it holds the whole, verified file. */
export type ReceivedFrame = { t: 'received'; tid: string; bytes: number };

export type ControlFrame =
  | HelloFrame
  | ByeFrame
  | PingFrame
  | TextFrame
  | AckFrame
  | PeersFrame
  | TypingFrame
  | ReadFrame
  | OfferFrame
  | AcceptFrame
  | DeclineFrame
  | CancelFrame
  | EndFrame
  | ReceivedFrame;

/** Frames about a file transfer, the offer included: they all name it by `tid`. */
export type TransferFrame = OfferFrame | AcceptFrame | DeclineFrame | CancelFrame | EndFrame | ReceivedFrame;

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: string };

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });

export function encodeControl(frame: ControlFrame): string {
  return JSON.stringify(frame);
}

type Fields = Record<string, unknown>;

function isString(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length <= max;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Checks each named field with its test; returns the first complaint, or null. */
function check(fields: Fields, tests: Record<string, (value: unknown) => boolean>): string | null {
  for (const [name, test] of Object.entries(tests)) {
    if (!test(fields[name])) return `field "${name}" is missing or invalid`;
  }
  return null;
}

const id = (value: unknown) => isString(value, LIMITS.maxIdLength) && value.length > 0;
const name = (value: unknown) => isString(value, LIMITS.maxNameLength);
const count = isCount;

const positive = (value: unknown) => isCount(value) && value > 0;
/** A field that may be left out. */
const optional = (test: (value: unknown) => boolean) => (value: unknown) => value === undefined || test(value);
const flag = optional((value) => typeof value === 'boolean');
/** Any names, so that a later scheme does not make the frame invalid; `xxh64-blocks` and `sha256-blocks` mean something now. */
const hashName = optional(id);
const sha256 = (value: unknown) => typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);

const SHAPES: Record<ControlFrame['t'], Record<string, (value: unknown) => boolean>> = {
  hello: { v: count, name, session: id, mesh: flag, readInAck: flag },
  bye: {},
  ping: {},
  msg: { id, text: (value) => isString(value, LIMITS.maxTextLength), time: count, seq: positive },
  ack: { seq: count, read: optional(count) },
  typing: {},
  read: { seq: count },
  peers: { ids: (value) => Array.isArray(value) && value.length <= LIMITS.maxGroupSize && value.every(id) },
  offer: { tid: id, slot: (value) => isCount(value) && value <= 0xffffffff, name, size: count, type: (value) => isString(value, LIMITS.maxIdLength), hash: hashName },
  accept: { tid: id, offset: count, hash: hashName },
  decline: { tid: id, code: optional((value) => value === 'file-too-large'), reason: optional(name) },
  cancel: { tid: id, reason: (value) => isString(value, LIMITS.maxNameLength) },
  end: { tid: id, sha256 },
  received: { tid: id, bytes: count },
};

export function isTransferFrame(frame: ControlFrame): frame is TransferFrame {
  return 'tid' in frame;
}

/** Decodes one control frame (a text message on the data channel). Never throws. */
export function decodeControl(raw: unknown): DecodeResult<ControlFrame> {
  if (typeof raw !== 'string') return fail('control frame is not text');
  if (raw.length > LIMITS.maxControlFrame) return fail(`control frame of ${raw.length} characters is over the limit`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return fail('control frame is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail('control frame is not an object');
  const fields = parsed as Fields;
  const type = fields.t;
  if (typeof type !== 'string' || !Object.hasOwn(SHAPES, type)) return fail(`unknown control frame type ${JSON.stringify(type)?.slice(0, 40)}`);
  const problem = check(fields, SHAPES[type as ControlFrame['t']]);
  if (problem) return fail(`"${type}" frame: ${problem}`);
  // Rebuild from the known fields only, so nothing unexpected travels further.
  const known: Fields = { t: type };
  for (const key of Object.keys(SHAPES[type as ControlFrame['t']])) if (fields[key] !== undefined) known[key] = fields[key];
  return { ok: true, value: known as ControlFrame };
}

/**
 * File data travels as binary frames: a fixed header, then the bytes.
 *   byte 0      magic 0x50 ('P')
 *   bytes 1-4   slot: uint32, big-endian, names the transfer (from its offer)
 *   bytes 5-12  offset: float64, big-endian, where these bytes go in the file
 */
export const CHUNK_MAGIC = 0x50;
export const CHUNK_HEADER_BYTES = 13;

export type Chunk = { slot: number; offset: number; bytes: Uint8Array };

/** One chunk's frame, in a new buffer. */
export function encodeChunk(slot: number, offset: number, bytes: Uint8Array): ArrayBuffer {
  const frame = new Uint8Array(CHUNK_HEADER_BYTES + bytes.byteLength);
  writeChunkHeader(frame, slot, offset);
  frame.set(bytes, CHUNK_HEADER_BYTES);
  return frame.buffer;
}

/** Writes a chunk's header into the start of `frame`, whose bytes after it are the chunk's: a sender reads the file straight into one frame it reuses. */
export function writeChunkHeader(frame: Uint8Array, slot: number, offset: number): void {
  const view = new DataView(frame.buffer, frame.byteOffset, CHUNK_HEADER_BYTES);
  view.setUint8(0, CHUNK_MAGIC);
  view.setUint32(1, slot);
  view.setFloat64(5, offset);
}

/** Decodes one binary frame. The returned bytes are a view into `raw`, not a copy. */
export function decodeChunk(raw: unknown): DecodeResult<Chunk> {
  if (!(raw instanceof ArrayBuffer)) return fail('binary frame is not an ArrayBuffer');
  if (raw.byteLength <= CHUNK_HEADER_BYTES) return fail(`binary frame of ${raw.byteLength} bytes is too short`);
  const view = new DataView(raw);
  if (view.getUint8(0) !== CHUNK_MAGIC) return fail('binary frame has a bad magic byte');
  const offset = view.getFloat64(5);
  if (!isCount(offset)) return fail('binary frame has an invalid offset');
  return { ok: true, value: { slot: view.getUint32(1), offset, bytes: new Uint8Array(raw, CHUNK_HEADER_BYTES) } };
}

/** A printable random id for messages, transfers and sessions. */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
