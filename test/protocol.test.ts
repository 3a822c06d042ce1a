import { expect } from '@open-wc/testing';
import { CHUNK_HEADER_BYTES, LIMITS, decodeChunk, decodeControl, encodeChunk, encodeControl, type ControlFrame } from '../src/engine/protocol.js';

describe('protocol codec', () => {
  const valid: ControlFrame[] = [
    { t: 'hello', v: 1, name: 'Alice', session: 's1' },
    { t: 'hello', v: 1, name: 'Alice', session: 's1', mesh: true, readInAck: true },
    { t: 'bye' },
    { t: 'msg', id: 'abc', text: 'hi <b>there</b>\n', time: 1700000000000, seq: 1 },
    { t: 'ack', seq: 1 },
    { t: 'ack', seq: 4, read: 3 },
    { t: 'typing' },
    { t: 'read', seq: 3 },
    { t: 'ping' },
    { t: 'offer', tid: 't1', slot: 3, name: 'a.txt', size: 10, type: 'text/plain' },
    { t: 'accept', tid: 't1', offset: 0 },
    { t: 'decline', tid: 't1' },
    { t: 'cancel', tid: 't1', reason: 'changed my mind' },
    { t: 'end', tid: 't1', sha256: 'a'.repeat(64) },
    { t: 'received', tid: 't1', bytes: 10 },
  ];

  it('round-trips every control frame', () => {
    for (const frame of valid) expect(decodeControl(encodeControl(frame))).to.deep.equal({ ok: true, value: frame });
  });

  it('drops fields it does not know', () => {
    const decoded = decodeControl(JSON.stringify({ t: 'ping', __proto__: { polluted: true }, extra: 'x' }));
    expect(decoded).to.deep.equal({ ok: true, value: { t: 'ping' } });
    const withProto = decodeControl('{"t":"accept","tid":"a","offset":0,"__proto__":{"polluted":true}}');
    expect(withProto.ok).to.equal(true);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  const malformed: Array<[string, unknown]> = [
    ['not text', new ArrayBuffer(4)],
    ['a number', 42],
    ['null', null],
    ['empty string', ''],
    ['invalid JSON', '{"t":"msg"'],
    ['a JSON array', '["msg"]'],
    ['JSON null', 'null'],
    ['a JSON string', '"hello"'],
    ['no type', '{"id":"x"}'],
    ['unknown type', '{"t":"launch-missiles"}'],
    ['type from the prototype', '{"t":"toString"}'],
    ['a number as type', '{"t":7}'],
    ['msg without text', '{"t":"msg","id":"a","time":1,"seq":1}'],
    ['msg without seq', '{"t":"msg","id":"a","text":"x","time":1}'],
    ['msg with seq 0', '{"t":"msg","id":"a","text":"x","time":1,"seq":0}'],
    ['read without seq', '{"t":"read"}'],
    ['read with a fractional seq', '{"t":"read","seq":1.5}'],
    ['read with a string seq', '{"t":"read","seq":"2"}'],
    ['hello without session', '{"t":"hello","v":1,"name":"x"}'],
    ['hello with readInAck as a string', '{"t":"hello","v":1,"name":"x","session":"s","readInAck":"yes"}'],
    ['ack with a negative read', '{"t":"ack","seq":2,"read":-1}'],
    ['ack with a fractional read', '{"t":"ack","seq":2,"read":1.5}'],
    ['end with a short hash', '{"t":"end","tid":"a","sha256":"abc"}'],
    ['end with an uppercase hash', `{"t":"end","tid":"a","sha256":"${'A'.repeat(64)}"}`],
    ['accept without offset', '{"t":"accept","tid":"a"}'],
    ['msg with object text', '{"t":"msg","id":"a","text":{"a":1},"time":1,"seq":1}'],
    ['msg with a negative time', '{"t":"msg","id":"a","text":"x","time":-1,"seq":1}'],
    ['msg with an empty id', '{"t":"msg","id":"","text":"x","time":1,"seq":1}'],
    ['msg with text over the limit', JSON.stringify({ t: 'msg', id: 'a', text: 'x'.repeat(LIMITS.maxTextLength + 1), time: 1, seq: 1 })],
    ['offer with a fractional size', '{"t":"offer","tid":"a","slot":1,"name":"n","size":1.5,"type":""}'],
    ['offer with a size as string', '{"t":"offer","tid":"a","slot":1,"name":"n","size":"10","type":""}'],
    ['offer with an unsafe size', `{"t":"offer","tid":"a","slot":1,"name":"n","size":${2 ** 60},"type":""}`],
    ['offer with a slot over 32 bits', `{"t":"offer","tid":"a","slot":${2 ** 33},"name":"n","size":1,"type":""}`],
    ['offer with a name over the limit', JSON.stringify({ t: 'offer', tid: 'a', slot: 1, name: 'n'.repeat(LIMITS.maxNameLength + 1), size: 1, type: '' })],
    ['received with NaN-ish bytes', '{"t":"received","tid":"a","bytes":null}'],
    ['a frame over the size limit', ' '.repeat(LIMITS.maxControlFrame + 1)],
  ];
  for (const [what, raw] of malformed) {
    it(`rejects ${what} with a reason, without throwing`, () => {
      const decoded = decodeControl(raw);
      expect(decoded.ok).to.equal(false);
      if (!decoded.ok) expect(decoded.error).to.be.a('string').and.not.equal('');
    });
  }

  it('round-trips a chunk, and reads its bytes without copying', () => {
    const bytes = new Uint8Array([1, 2, 3, 250]);
    const frame = encodeChunk(7, 2 ** 40, bytes);
    expect(frame.byteLength).to.equal(CHUNK_HEADER_BYTES + 4);
    const decoded = decodeChunk(frame);
    expect(decoded.ok).to.equal(true);
    if (!decoded.ok) return;
    expect(decoded.value.slot).to.equal(7);
    expect(decoded.value.offset).to.equal(2 ** 40);
    expect([...decoded.value.bytes]).to.deep.equal([1, 2, 3, 250]);
    expect(decoded.value.bytes.buffer).to.equal(frame);
  });

  it('rejects malformed chunks', () => {
    const good = new Uint8Array(encodeChunk(1, 0, new Uint8Array([9])));
    const badMagic = good.slice();
    badMagic[0] = 0;
    const badOffset = good.slice();
    new DataView(badOffset.buffer).setFloat64(5, -1);
    const nanOffset = good.slice();
    new DataView(nanOffset.buffer).setFloat64(5, NaN);
    for (const raw of ['text', null, new ArrayBuffer(0), good.slice(0, CHUNK_HEADER_BYTES).buffer, badMagic.buffer, badOffset.buffer, nanOffset.buffer, new Blob([good])]) {
      const decoded = decodeChunk(raw);
      expect(decoded.ok, String(raw)).to.equal(false);
    }
  });
});
