/**
 * Files between <peer-chat> and an element of 0.2, played by the hand-made peer over real
 * PeerJS and WebRTC: 0.2 speaks protocol version 1, which knows no block hash (its offer and
 * accept name none), so each side verifies with SHA-256 of the whole file (docs/protocol.md,
 * Verification).
 */
import { expect } from '@open-wc/testing';
import { blockRootHex, sha256Hex } from './support/block-hash.js';
import { nextEvent, patternBytes, startSignaling, stopSignaling } from './support/helpers.js';
import { RawPeer, chatDialedByRawPeer, chunk } from './support/raw-peer.js';
import type { PeerChat } from '../src/peer-chat.js';

const MiB = 1024 * 1024;

describe('<peer-chat> and files with an element of 0.2 (SHA-256 of the whole file)', () => {
  let port: number;
  let chat: PeerChat;
  let raw: RawPeer;

  before(async () => {
    port = await startSignaling();
  });
  after(async () => {
    await stopSignaling(port);
  });
  beforeEach(async () => {
    ({ chat, raw } = await chatDialedByRawPeer(port));
  });
  afterEach(() => raw.close());

  it('receives from it: accepts naming no hash, and verifies the file by its SHA-256', async () => {
    const bytes = patternBytes(MiB + 300_000, 5);
    const received = nextEvent(chat, 'peer-chat-file');
    raw.send({ t: 'offer', tid: 'old', slot: 1, name: 'old.bin', size: bytes.byteLength, type: 'application/octet-stream' });
    const accept = await raw.next((frame) => frame.t === 'accept' && frame.tid === 'old');
    expect(accept).to.deep.equal({ t: 'accept', tid: 'old', offset: 0 });
    for (let offset = 0; offset < bytes.byteLength; offset += 60_000) raw.sendBulk(chunk(1, offset, bytes.subarray(offset, offset + 60_000)));
    raw.send({ t: 'end', tid: 'old', sha256: await sha256Hex(bytes) });
    const { file } = await received;
    expect(new Uint8Array(await file.arrayBuffer())).to.deep.equal(bytes);
  });

  it('sends to it: offers the block hash, and ends with SHA-256 of the whole file when the accept names none', async () => {
    const bytes = patternBytes(MiB + 300_000, 6);
    const sent = chat.sendFile(new File([bytes], 'new.bin'), raw.id);
    const offer = await raw.next((frame) => frame.t === 'offer');
    expect(offer).to.include({ hash: 'xxh64-blocks sha256-blocks', size: bytes.byteLength });
    raw.send({ t: 'accept', tid: offer.tid, offset: 0 });
    const end = await raw.next((frame) => frame.t === 'end' && frame.tid === offer.tid);
    expect(end.sha256).to.equal(await sha256Hex(bytes));
    raw.send({ t: 'received', tid: offer.tid, bytes: bytes.byteLength });
    await sent;
  });

  for (const scheme of ['xxh64-blocks', 'sha256-blocks'] as const) {
    it(`with a current element: ends with the root of 512 KiB blocks when the accept names ${scheme}`, async () => {
      const bytes = patternBytes(MiB + 300_000, 7);
      const sent = chat.sendFile(new File([bytes], 'blocks.bin'), raw.id);
      const offer = await raw.next((frame) => frame.t === 'offer');
      raw.send({ t: 'accept', tid: offer.tid, offset: 0, hash: scheme });
      const end = await raw.next((frame) => frame.t === 'end' && frame.tid === offer.tid);
      expect(end.sha256).to.equal(await blockRootHex(bytes, 512 * 1024, scheme));
      raw.send({ t: 'received', tid: offer.tid, bytes: bytes.byteLength });
      await sent;
    });
  }
});
