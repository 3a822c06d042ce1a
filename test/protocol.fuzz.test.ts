import { expect } from '@open-wc/testing';
import fc from 'fast-check';
import { LIMITS, decodeChunk, decodeControl, encodeChunk, encodeControl, type ControlFrame } from '../src/engine/protocol.js';

/** Frames tried, printed at the end for the record. */
let framesFuzzed = 0;

const TYPES = ['hello', 'bye', 'ping', 'msg', 'ack', 'peers', 'typing', 'read', 'offer', 'accept', 'decline', 'cancel', 'end', 'received'] as const;

const id = fc.string({ minLength: 1, maxLength: LIMITS.maxIdLength });
const count = fc.nat({ max: Number.MAX_SAFE_INTEGER });
const name = fc.string({ maxLength: LIMITS.maxNameLength });
const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);

const validFrame: fc.Arbitrary<ControlFrame> = fc.oneof(
  fc.record({ t: fc.constant('hello' as const), v: count, name, session: id, mesh: fc.boolean() }, { requiredKeys: ['t', 'v', 'name', 'session'] }),
  fc.constant({ t: 'bye' as const }),
  fc.constant({ t: 'ping' as const }),
  fc.record({ t: fc.constant('msg' as const), id, text: fc.string({ maxLength: 2000 }), time: count, seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }) }),
  fc.record({ t: fc.constant('ack' as const), seq: count }),
  fc.record({ t: fc.constant('peers' as const), ids: fc.array(id, { maxLength: LIMITS.maxGroupSize }) }),
  fc.constant({ t: 'typing' as const }),
  fc.record({ t: fc.constant('read' as const), seq: count }),
  fc.record({ t: fc.constant('offer' as const), tid: id, slot: fc.nat({ max: 0xffffffff }), name, size: count, type: fc.string({ maxLength: LIMITS.maxIdLength }) }),
  fc.record({ t: fc.constant('accept' as const), tid: id, offset: count }),
  fc.record({ t: fc.constant('decline' as const), tid: id }),
  fc.record({ t: fc.constant('cancel' as const), tid: id, reason: name }),
  fc.record({ t: fc.constant('end' as const), tid: id, sha256: hex64 }),
  fc.record({ t: fc.constant('received' as const), tid: id, bytes: count }),
);

/** Objects shaped like frames but with arbitrary field values: mostly invalid. */
const frameLike = fc.record(
  {
    t: fc.oneof(fc.constantFrom(...TYPES), fc.string(), fc.anything()),
    id: fc.anything(),
    tid: fc.anything(),
    text: fc.anything(),
    seq: fc.anything(),
    size: fc.anything(),
    slot: fc.anything(),
    name: fc.anything(),
    sha256: fc.anything(),
    offset: fc.anything(),
    mesh: fc.anything(),
    ids: fc.oneof(fc.array(fc.anything()), fc.anything()),
  },
  { requiredKeys: ['t'] },
);

function decodesWithoutThrowing(raw: unknown): boolean {
  framesFuzzed++;
  const result = decodeControl(raw);
  return result.ok ? typeof result.value.t === 'string' : typeof result.error === 'string' && result.error.length > 0;
}

describe('protocol codec under property-based fuzzing (fast-check)', () => {
  after(() => console.log(`[fuzz] frames decoded: ${framesFuzzed}`));

  it('round-trips every valid control frame', () => {
    fc.assert(
      fc.property(validFrame, (frame) => {
        framesFuzzed++;
        const decoded = decodeControl(encodeControl(frame));
        return decoded.ok && JSON.stringify(decoded.value) === JSON.stringify(frame);
      }),
      { numRuns: 10_000 },
    );
  });

  it('never throws on arbitrary values, strings and JSON', () => {
    fc.assert(fc.property(fc.anything(), decodesWithoutThrowing), { numRuns: 5_000 });
    fc.assert(fc.property(fc.string({ unit: 'binary' }), decodesWithoutThrowing), { numRuns: 5_000 });
    fc.assert(fc.property(fc.json(), decodesWithoutThrowing), { numRuns: 5_000 });
  });

  it('rejects frame-shaped objects whose fields have the wrong types, and never throws', () => {
    fc.assert(
      fc.property(frameLike, (frame) => {
        framesFuzzed++;
        const decoded = decodeControl(JSON.stringify(frame));
        if (!decoded.ok) return decoded.error.length > 0;
        // Whatever is accepted must have exactly the declared shape.
        return TYPES.includes(decoded.value.t) && decodeControl(encodeControl(decoded.value)).ok;
      }),
      { numRuns: 10_000 },
    );
  });

  it('rejects every truncation of a valid frame', () => {
    fc.assert(
      fc.property(validFrame, fc.nat(), (frame, cut) => {
        framesFuzzed++;
        const json = encodeControl(frame);
        return !decodeControl(json.slice(0, cut % json.length)).ok;
      }),
      { numRuns: 10_000 },
    );
  });

  it('rejects oversized frames before parsing them', () => {
    const huge = `{"t":"msg","id":"a","time":1,"seq":1,"text":"${'x'.repeat(LIMITS.maxControlFrame)}"}`;
    framesFuzzed++;
    const decoded = decodeControl(huge);
    expect(decoded.ok).to.equal(false);
    if (!decoded.ok) expect(decoded.error).to.contain('over the limit');
  });

  it('decodes arbitrary bytes as chunks without throwing, and round-trips valid chunks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        framesFuzzed++;
        const decoded = decodeChunk(bytes.buffer);
        return decoded.ok ? decoded.value.offset >= 0 && Number.isSafeInteger(decoded.value.offset) : decoded.error.length > 0;
      }),
      { numRuns: 10_000 },
    );
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), count, fc.uint8Array({ minLength: 1, maxLength: 256 }), (slot, offset, bytes) => {
        framesFuzzed++;
        const decoded = decodeChunk(encodeChunk(slot, offset, bytes));
        return decoded.ok && decoded.value.slot === slot && decoded.value.offset === offset && decoded.value.bytes.every((byte, i) => byte === bytes[i]);
      }),
      { numRuns: 5_000 },
    );
  });
});
