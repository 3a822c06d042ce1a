/** The transfer state machine on its own: frames in, frames out, with a fake host. */
import { expect } from '@open-wc/testing';
import { encodeChunk, type ControlFrame } from '../../src/engine/protocol.js';
import { MemorySink, type FileSink } from '../../src/transfers/file-sink.js';
import { HASH_BLOCK_BYTES } from '../../src/transfers/file-hash.js';
import { RECEIVE_WINDOW_BYTES, REOFFER_WAIT_MS } from '../../src/transfers/receiver.js';
import { OPEN_OFFERS_PER_PEER, RECEIVING_AT_ONCE, Transfers } from '../../src/transfers/registry.js';
import type { Transfer, TransferHost } from '../../src/transfers/transfer.js';
import { sha256Hex } from '../support/block-hash.js';
import { FakeClock, settle } from '../support/fake-clock.js';

async function waitFor(condition: () => boolean): Promise<void> {
  for (let tries = 0; !condition(); tries++) {
    if (tries > 200) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function harness(options: { acceptFiles?: 'ask' | 'always' | 'never'; sink?: () => Promise<FileSink>; space?: number } = {}) {
  const sent: ControlFrame[] = [];
  /** The length of each file-data frame sent. */
  const bulk: number[] = [];
  const violations: string[] = [];
  const events: Array<[string, unknown]> = [];
  const clock = new FakeClock();
  /** Renders the host was asked for. */
  const calls = { changed: 0 };
  const host: Omit<TransferHost, 'progressed'> = {
    clock,
    limits: () => ({ maxFileSize: Infinity, acceptFiles: options.acceptFiles ?? 'ask' }),
    sendFrame: (_peerId, frame) => (sent.push(frame), true),
    sendBulk: async (_peerId, frame) => void bulk.push(frame.byteLength),
    chunkSize: () => 16 * 1024,
    displayName: (peerId) => peerId,
    emit: (name, detail) => (events.push([name, detail]), true),
    violation: (_peerId, message) => violations.push(message),
    openSink: options.sink ?? (async () => new MemorySink()),
    storageSpace: async () => options.space ?? 1e12,
    changed: () => calls.changed++,
  };
  let next = 1;
  /** Every transfer the registry made, in order. */
  const made: Transfer[] = [];
  const transfers = new Transfers(host, () => `t${next++}`, (transfer) => made.push(transfer));
  return { transfers, sent, bulk, violations, events, clock, calls, made };
}

const offer = (size: number, tid = 'x1', slot = 1): ControlFrame => ({ t: 'offer', tid, slot, name: 'a.bin', size, type: 'application/octet-stream' });

describe('transfers: the state machine', () => {
  it('an offer waits for an answer; accepting asks for the bytes from 0', async () => {
    const { transfers, sent } = harness();
    transfers.handleFrame('bob', offer(10) as Extract<ControlFrame, { t: 'offer' }>);
    expect(sent).to.deep.equal([]);
    transfers.accept('x1');
    await settle();
    expect(sent).to.deep.equal([{ t: 'accept', tid: 'x1', offset: 0 }]);
  });

  it('refuses frames that do not fit the direction or the state', () => {
    const { transfers, violations } = harness();
    transfers.handleFrame('bob', offer(10) as never);
    transfers.handleFrame('bob', { t: 'received', tid: 'x1', bytes: 10 });
    transfers.handleFrame('bob', { t: 'accept', tid: 'x1', offset: 0 });
    transfers.handleFrame('bob', { t: 'decline', tid: 'x1' });
    transfers.handleFrame('bob', offer(10, 'x2', 1) as never); // same slot as x1, still open
    expect(violations).to.have.length(4);
  });

  it('a declined offer cannot be accepted afterwards', async () => {
    const { transfers, sent } = harness();
    transfers.handleFrame('bob', offer(10) as never);
    transfers.decline('x1');
    transfers.accept('x1');
    await settle();
    expect(sent).to.deep.equal([{ t: 'decline', tid: 'x1' }]);
  });

  it('declines a file that does not fit in the storage available, saying how much does', async () => {
    const { transfers, sent, events } = harness({ acceptFiles: 'always', space: 50_000_000 });
    transfers.handleFrame('bob', offer(1e15) as never);
    await settle();
    const reason = '"a.bin" is 1000000000000000 bytes; the storage available here holds 50000000 bytes';
    expect(sent).to.deep.equal([{ t: 'decline', tid: 'x1', code: 'file-too-large', reason }]);
    expect(events.filter(([name]) => name === 'peer-chat-error').map(([, detail]) => detail)).to.deep.equal([{ type: 'file-too-large', message: reason, peerId: 'bob' }]);
  });

  it('counts the disk space the files accepted before will still fill, and tells the open offers whether they fit as it changes', async () => {
    const { transfers, sent, made } = harness({ space: 100_000_000 });
    transfers.handleFrame('bob', offer(60_000_000, 'b1') as never);
    transfers.handleFrame('carol', offer(60_000_000, 'c1') as never);
    transfers.handleFrame('dave', offer(30_000_000, 'd1') as never);
    transfers.handleFrame('erin', offer(10_500_000, 'e1') as never); // to disk too: above 8 MiB
    await settle();
    expect(made.map((transfer) => transfer.fits)).to.deep.equal([true, true, true, true]);
    // Accepted together: their storage checks run at the same time, and do not count the same space.
    for (const id of ['b1', 'c1', 'd1']) transfers.accept(id);
    await settle();
    expect(made.map((transfer) => transfer.status)).to.deep.equal(['active', 'declined', 'active', 'offered']);
    expect(sent.find((frame) => frame.t === 'decline')).to.deep.equal({
      t: 'decline',
      tid: 'c1',
      code: 'file-too-large',
      reason: '"a.bin" is 60000000 bytes; the storage available here holds 40000000 bytes',
    });
    // The offer still open no longer fits in what they leave (10 MB), and fits again once one of them ends.
    expect(made[3].fits).to.equal(false);
    transfers.cancel('b1');
    await settle();
    expect(made[3].fits).to.equal(true);
  });

  it('a sender whose file is declined as too large rejects with file-too-large', async () => {
    const { transfers } = harness();
    const sending = transfers.send(new File([new Uint8Array(10)], 'big.bin'), 'bob');
    transfers.handleFrame('bob', { t: 'decline', tid: 't1', code: 'file-too-large', reason: 'only 5 bytes free' });
    let error: unknown;
    await sending.catch((caught) => (error = caught));
    expect(error).to.include({ type: 'file-too-large' });
    expect((error as Error).message).to.contain('only 5 bytes free');
  });

  it('chooses the first block hash the offer names that it knows; v1 offers get plain SHA-256', async () => {
    const { transfers, sent } = harness({ acceptFiles: 'always' });
    transfers.handleFrame('bob', { ...offer(10), hash: 'xxh64-blocks sha256-blocks' } as never);
    transfers.handleFrame('bob', offer(10, 'x2', 2) as never);
    transfers.handleFrame('bob', { ...offer(10, 'x3', 3), hash: 'some-later-scheme' } as never);
    transfers.handleFrame('bob', { ...offer(10, 'x4', 4), hash: 'some-later-scheme sha256-blocks' } as never);
    await settle();
    expect(sent).to.deep.equal([
      { t: 'accept', tid: 'x1', offset: 0, hash: 'xxh64-blocks' },
      { t: 'accept', tid: 'x2', offset: 0 },
      { t: 'accept', tid: 'x3', offset: 0 },
      { t: 'accept', tid: 'x4', offset: 0, hash: 'sha256-blocks' },
    ]);
  });

  for (const [name, hash, expected] of [
    ['XXH64 leaves when the receiver chose them', 'xxh64-blocks', 'd6c67878e08ee716f393c58c06498c78c025bc93556724dc62231898dfc73f9d'],
    ['SHA-256 leaves when the receiver chose them', 'sha256-blocks', '4f8b42c22dd3729b519ba6f68d2da7cc5b2d606d05daed5ad5128cc03e6c6358'],
    ['plain SHA-256 to a v1 receiver', undefined, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['plain SHA-256 when the receiver names a hash it never offered', 'some-later-scheme', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ] as const) {
    it(`a sender offers the block hashes, and ends with ${name}`, async () => {
      const { transfers, sent } = harness();
      void transfers.send(new File(['abc'], 'a.txt'), 'bob');
      expect(sent[0]).to.deep.include({ t: 'offer', hash: 'xxh64-blocks sha256-blocks' });
      transfers.handleFrame('bob', { t: 'accept', tid: 't1', offset: 0, ...(hash ? { hash } : {}) });
      await waitFor(() => sent.some((frame) => frame.t === 'end'));
      expect(sent.find((frame) => frame.t === 'end')).to.deep.equal({ t: 'end', tid: 't1', sha256: expected });
    });
  }

  it('bars that move get one render per 500 ms between them all; a last byte gets one at once', async () => {
    const { transfers, events, clock, calls } = harness({ acceptFiles: 'always' });
    const blocks = 3;
    for (const [tid, slot] of [['x1', 1], ['x2', 2]] as const) transfers.handleFrame('bob', offer(blocks * HASH_BLOCK_BYTES, tid, slot) as never);
    await settle();
    const chunk = new Uint8Array(64 * 1024);
    /** The block `index` of both files, stored; then 150 ms pass (progress events come at most every 100 ms). */
    const block = async (index: number) => {
      const stored = (index + 1) * HASH_BLOCK_BYTES;
      for (const slot of [1, 2]) {
        for (let offset = 0; offset < HASH_BLOCK_BYTES; offset += chunk.byteLength) transfers.handleChunk('bob', encodeChunk(slot, index * HASH_BLOCK_BYTES + offset, chunk));
      }
      const progressed = () => events.filter(([name, detail]) => name === 'peer-chat-file-progress' && (detail as { bytes: number }).bytes === stored).length;
      await waitFor(() => progressed() === 2);
      await clock.jump(150);
    };
    const before = calls.changed;
    await block(0);
    expect(calls.changed - before, 'both bars moved at once: one render').to.equal(1);
    await block(1);
    expect(calls.changed - before, '150 ms later: none').to.equal(1);
    await block(2);
    // Both files' last bytes, still within the 500 ms: a render each, at once.
    expect(calls.changed - before).to.equal(3);
  });

  for (const [stage, sink] of [
    ['writing', { write: async () => Promise.reject(new Error('disk full')), finish: async () => new File([], 'x'), discard: async () => {} }],
    ['finishing the file', { write: async () => null, finish: async () => Promise.reject(new Error('disk full')), discard: async () => {} }],
  ] as Array<[string, FileSink]>) {
    it(`storage failing while ${stage} fails the transfer and tells the sender, whose sendFile() would otherwise never settle`, async () => {
      const { transfers, sent, events } = harness({ acceptFiles: 'always', sink: async () => sink });
      const bytes = new Uint8Array(1000).fill(7);
      transfers.handleFrame('bob', offer(bytes.byteLength) as never);
      await settle();
      transfers.handleChunk('bob', encodeChunk(1, 0, bytes));
      transfers.handleFrame('bob', { t: 'end', tid: 'x1', sha256: await sha256Hex(bytes) });
      await waitFor(() => events.some(([name]) => name === 'peer-chat-error'));
      expect(events.find(([name]) => name === 'peer-chat-error')?.[1]).to.deep.include({ type: 'transfer', message: '"a.bin": could not store the file: disk full' });
      expect(sent.at(-1)).to.deep.equal({ t: 'cancel', tid: 'x1', reason: 'could not store the file: disk full' });
    });
  }

  it('a file still being closed, verified, when the peer drops is kept and done; offered again, it says so', async () => {
    const file = { close: null as (() => void) | null };
    const closing: FileSink = {
      write: async () => null,
      finish: (name, type) => new Promise((resolve) => (file.close = () => resolve(new File([bytes], name, { type })))),
      discard: async () => {},
    };
    const { transfers, sent, events, made } = harness({ acceptFiles: 'always', sink: async () => closing });
    const bytes = new Uint8Array(100_000).map((_, index) => index & 0xff);
    transfers.handleFrame('bob', offer(bytes.byteLength) as never);
    await settle();
    transfers.handleChunk('bob', encodeChunk(1, 0, bytes));
    transfers.handleFrame('bob', { t: 'end', tid: 'x1', sha256: await sha256Hex(bytes) });
    // Verified, the file is being closed when the peer drops.
    await waitFor(() => file.close !== null);
    transfers.pause('bob');
    expect(made[0].status).to.equal('paused');
    file.close!();
    await waitFor(() => made[0].status !== 'paused');
    expect(made[0].status).to.equal('done');
    const handedOver = () => events.filter(([name]) => name === 'peer-chat-file' || name === 'peer-chat-error').map(([name]) => name);
    expect(handedOver()).to.deep.equal(['peer-chat-file']);
    // Back, the sender offers it again: the answer is that every byte is here.
    sent.length = 0;
    transfers.handleFrame('bob', offer(bytes.byteLength) as never);
    expect(sent).to.deep.equal([{ t: 'received', tid: 'x1', bytes: bytes.byteLength }]);
    expect(handedOver()).to.deep.equal(['peer-chat-file']);
  });

  it('a sender whose file arrived whole before the peer dropped completes when the peer answers its new offer with all the bytes', async () => {
    const { transfers, sent, made } = harness();
    const sending = transfers.send(new File([new Uint8Array(100_000).fill(3)], 'a.bin'), 'bob');
    const tid = made[0].transferId;
    transfers.handleFrame('bob', { t: 'accept', tid, offset: 0 });
    await waitFor(() => sent.some((frame) => frame.t === 'end'));
    // The receiver's `received` for the last byte is lost with the connection.
    transfers.pause('bob');
    transfers.resume('bob');
    expect(made[0].status).to.equal('waiting');
    expect(sent.at(-1)).to.deep.include({ t: 'offer', tid });
    // Offered again, the receiver says every byte is here.
    transfers.handleFrame('bob', { t: 'received', tid, bytes: 100_000 });
    expect(made[0].status).to.equal('done');
    await sending;
  });

  it('once the peer is back, a transfer it does not offer again ends; one it offers again goes on', async () => {
    const { transfers, sent, events, made, clock } = harness({ acceptFiles: 'always' });
    transfers.handleFrame('bob', offer(300_000) as never);
    transfers.handleFrame('bob', offer(300_000, 'x2', 2) as never);
    await settle();
    transfers.handleChunk('bob', encodeChunk(1, 0, new Uint8Array(100_000)));
    transfers.handleChunk('bob', encodeChunk(2, 0, new Uint8Array(100_000)));
    transfers.pause('bob');
    transfers.resume('bob');
    sent.length = 0;
    // Bob offers x2 again and continues it; x1 he no longer has (he cancelled it while apart).
    transfers.handleFrame('bob', offer(300_000, 'x2', 2) as never);
    await clock.advance(REOFFER_WAIT_MS - 100);
    expect(made.map((transfer) => transfer.status)).to.deep.equal(['paused', 'active']);
    await clock.advance(100);
    expect(made.map((transfer) => transfer.status)).to.deep.equal(['cancelled', 'active']);
    expect(sent).to.deep.equal([
      { t: 'received', tid: 'x2', bytes: 0 },
      { t: 'accept', tid: 'x2', offset: 100_000 },
      { t: 'cancel', tid: 'x1', reason: 'the sender did not offer it again' },
    ]);
    expect(events.filter(([name]) => name === 'peer-chat-error').map(([, detail]) => (detail as { message: string }).message)).to.deep.equal([
      '"a.bin": the sender did not offer it again',
    ]);
  });

  it('a sender resumed from what the receiver received, not yet stored, counts its window from what was stored', async () => {
    const { transfers, sent, made, violations } = harness();
    const MiB = 1024 * 1024;
    void transfers.send(new File([new Uint8Array(24 * MiB)], 'a.bin'), 'bob').catch(() => {});
    const tid = made[0].transferId;
    transfers.handleFrame('bob', { t: 'accept', tid, offset: 0 });
    await settle();
    transfers.handleFrame('bob', { t: 'received', tid, bytes: MiB });
    await settle();
    transfers.pause('bob');
    transfers.resume('bob');
    expect(sent.at(-1)).to.deep.include({ t: 'offer', tid });
    // Offered again, the receiver tells what it stored (its reports while away were lost) and
    // asks from what it received: 2 MiB stored, 5 MiB in, the rest still going to its disk.
    transfers.handleFrame('bob', { t: 'received', tid, bytes: 2 * MiB });
    transfers.handleFrame('bob', { t: 'accept', tid, offset: 5 * MiB });
    await settle();
    transfers.handleFrame('bob', { t: 'received', tid, bytes: 3 * MiB });
    expect(violations).to.deep.equal([]);
    expect(made[0].bytes).to.equal(3 * MiB);
  });

  it('a sender whose window filled before the link dropped sends on after the resume (the receiver stored it all meanwhile)', async () => {
    const { transfers, bulk, made, violations } = harness();
    const MiB = 1024 * 1024;
    const sentBytes = () => bulk.reduce((total, length) => total + length, 0);
    void transfers.send(new File([new Uint8Array(24 * MiB)], 'a.bin'), 'bob').catch(() => {});
    const tid = made[0].transferId;
    transfers.handleFrame('bob', { t: 'accept', tid, offset: 0 });
    transfers.handleFrame('bob', { t: 'received', tid, bytes: MiB });
    // Its window full: 9 MiB out, 1 MiB heard stored.
    await waitFor(() => sentBytes() >= 9 * MiB);
    transfers.pause('bob');
    transfers.resume('bob');
    // Meanwhile the receiver stored all 9 MiB; its reports were lost with the link.
    transfers.handleFrame('bob', { t: 'received', tid, bytes: 9 * MiB });
    transfers.handleFrame('bob', { t: 'accept', tid, offset: 9 * MiB });
    const before = bulk.length;
    await waitFor(() => bulk.length > before);
    expect(violations).to.deep.equal([]);
  });

  it('a receiver offered the file again tells what it stored before asking for the rest, but not all of it (that says verified)', async () => {
    const { transfers, sent, made } = harness({ acceptFiles: 'always' });
    const size = HASH_BLOCK_BYTES + 100_000;
    transfers.handleFrame('bob', offer(size) as never);
    await settle();
    transfers.handleChunk('bob', encodeChunk(1, 0, new Uint8Array(HASH_BLOCK_BYTES + 50_000)));
    await waitFor(() => made[0].bytes === HASH_BLOCK_BYTES);
    transfers.pause('bob');
    transfers.resume('bob');
    sent.length = 0;
    transfers.handleFrame('bob', offer(size) as never);
    expect(sent).to.deep.equal([
      { t: 'received', tid: 'x1', bytes: HASH_BLOCK_BYTES },
      { t: 'accept', tid: 'x1', offset: HASH_BLOCK_BYTES + 50_000 },
    ]);
    // Everything stored, its `end` lost with the link: asked for from the end, not told done.
    transfers.handleChunk('bob', encodeChunk(1, HASH_BLOCK_BYTES + 50_000, new Uint8Array(50_000)));
    await waitFor(() => made[0].bytes === size);
    transfers.pause('bob');
    transfers.resume('bob');
    sent.length = 0;
    transfers.handleFrame('bob', offer(size) as never);
    expect(sent).to.deep.equal([{ t: 'accept', tid: 'x1', offset: size }]);
  });

  it('a new file in the slot of one waiting to be offered again (the sender reloaded) ends the old one and is taken', async () => {
    const { transfers, sent, made, violations } = harness({ acceptFiles: 'always' });
    transfers.handleFrame('bob', offer(300_000) as never);
    await settle();
    transfers.handleChunk('bob', encodeChunk(1, 0, new Uint8Array(100_000)));
    transfers.pause('bob');
    transfers.resume('bob');
    sent.length = 0;
    // Bob's new page numbers its files from 1 again, and knows nothing of x1.
    transfers.handleFrame('bob', offer(50_000, 'y1', 1) as never);
    await settle();
    expect(made.map((transfer) => [transfer.transferId, transfer.status])).to.deep.equal([
      ['x1', 'cancelled'],
      ['y1', 'active'],
    ]);
    expect(sent).to.deep.equal([
      { t: 'cancel', tid: 'x1', reason: 'the sender did not offer it again' },
      { t: 'accept', tid: 'y1', offset: 0 },
    ]);
    // Its data finds the new transfer; and frames about a transfer we no longer know are no offence.
    transfers.handleChunk('bob', encodeChunk(1, 0, new Uint8Array(50_000)));
    for (const frame of [
      { t: 'cancel', tid: 'gone', reason: 'cancelled' },
      { t: 'accept', tid: 'gone', offset: 0 },
      { t: 'received', tid: 'gone', bytes: 1 },
      { t: 'decline', tid: 'gone' },
      { t: 'end', tid: 'gone', sha256: '0'.repeat(64) },
    ] as ControlFrame[]) {
      transfers.handleFrame('bob', frame as never);
    }
    await waitFor(() => made[1].bytes === 50_000);
    expect(violations).to.deep.equal([]);
  });

  it('so is one still waiting for the person to answer it', async () => {
    const { transfers, sent, made, violations } = harness();
    transfers.handleFrame('bob', offer(50_000) as never);
    transfers.pause('bob');
    transfers.resume('bob');
    transfers.handleFrame('bob', offer(50_000, 'y1', 1) as never);
    expect(made.map((transfer) => [transfer.transferId, transfer.status])).to.deep.equal([
      ['x1', 'cancelled'],
      ['y1', 'offered'],
    ]);
    expect(sent).to.deep.equal([{ t: 'cancel', tid: 'x1', reason: 'the sender did not offer it again' }]);
    expect(violations).to.deep.equal([]);
  });

  it('a peer that drops again before offering again is waited for, not given up on', async () => {
    const { transfers, made, clock } = harness({ acceptFiles: 'always' });
    transfers.handleFrame('bob', offer(300_000) as never);
    await settle();
    transfers.handleChunk('bob', encodeChunk(1, 0, new Uint8Array(100_000)));
    transfers.pause('bob');
    transfers.resume('bob');
    await clock.advance(REOFFER_WAIT_MS / 2);
    transfers.pause('bob');
    await clock.advance(2 * REOFFER_WAIT_MS);
    expect(made[0].status).to.equal('paused');
  });

  it('a transfer cancelled while a block is written keeps no buffer the storage gives back', async () => {
    const block = { written: null as ((spare: Uint8Array<ArrayBuffer>) => void) | null };
    const slow: FileSink = {
      write: () => new Promise((resolve) => (block.written = resolve)),
      finish: async () => new File([], 'x'),
      discard: async () => {},
    };
    const { transfers, made } = harness({ acceptFiles: 'always', sink: async () => slow });
    transfers.handleFrame('bob', offer(4 * HASH_BLOCK_BYTES) as never);
    await settle();
    transfers.handleChunk('bob', encodeChunk(1, 0, new Uint8Array(HASH_BLOCK_BYTES)));
    await waitFor(() => block.written !== null);
    transfers.cancel('x1');
    block.written!(new Uint8Array(HASH_BLOCK_BYTES));
    await settle();
    expect(made[0].status).to.equal('cancelled');
    // A finished transfer stays in the history: a buffer it kept would be held as long.
    expect((made[0] as unknown as { spare: unknown }).spare).to.equal(null);
  });

  it(`receives ${RECEIVING_AT_ONCE} of a peer's files at once: the others accepted wait their turn, the earliest first, and take no data`, async () => {
    const { transfers, sent, violations, made } = harness({ acceptFiles: 'always' });
    const size = 200_000;
    const offered = RECEIVING_AT_ONCE + 2;
    for (let slot = 1; slot <= offered; slot++) transfers.handleFrame('bob', offer(size, `x${slot}`, slot) as never);
    transfers.handleFrame('carol', offer(size, 'c1', 1) as never);
    await settle();
    const statuses = () => made.map((transfer) => transfer.status);
    // Carol's file has a turn of its own: the count is per peer.
    expect(statuses()).to.deep.equal([...Array(RECEIVING_AT_ONCE).fill('active'), 'queued', 'queued', 'active']);
    expect(sent.filter((frame) => frame.t === 'accept').map((frame) => (frame as { tid: string }).tid)).to.deep.equal(['x1', 'x2', 'x3', 'x4', 'c1']);
    // Data for a queued file is not held (it was in flight, as after a pause): dropped, no violation.
    transfers.handleChunk('bob', encodeChunk(RECEIVING_AT_ONCE + 1, 0, new Uint8Array(1000)));
    expect(violations).to.deep.equal([]);
    // Offered again after a reconnection, a queued file still waits.
    transfers.handleFrame('bob', offer(size, 'x5', 5) as never);
    expect(made[RECEIVING_AT_ONCE].status).to.equal('queued');
    sent.length = 0;
    // One ends (cancelled by the person), and the earliest queued one starts, from byte 0.
    transfers.cancel('x2');
    await settle();
    expect(statuses()).to.deep.equal(['active', 'cancelled', 'active', 'active', 'active', 'queued', 'active']);
    expect(sent).to.deep.equal([
      { t: 'cancel', tid: 'x2', reason: 'cancelled' },
      { t: 'accept', tid: 'x5', offset: 0 },
    ]);
    // A paused file keeps its turn: it resumes when its peer is back.
    transfers.pause('bob');
    transfers.handleFrame('bob', { t: 'cancel', tid: 'x6', reason: 'the person cancelled' });
    expect(statuses().slice(0, offered)).to.deep.equal(['paused', 'cancelled', 'paused', 'paused', 'paused', 'cancelled']);
    transfers.resume('bob');
    for (const slot of [1, 3, 4, 5]) transfers.handleFrame('bob', offer(size, `x${slot}`, slot) as never);
    // One that is whole and verified ends too, and frees its turn for the next.
    transfers.handleFrame('bob', offer(size, 'x7', 7) as never);
    await settle();
    expect(made.at(-1)!.status).to.equal('queued');
    const bytes = new Uint8Array(size).map((_, index) => index & 0xff);
    transfers.handleChunk('bob', encodeChunk(1, 0, bytes));
    transfers.handleFrame('bob', { t: 'end', tid: 'x1', sha256: await sha256Hex(bytes) });
    await waitFor(() => made[0].status === 'done');
    expect(made.at(-1)!.status).to.equal('active');
    expect(sent).to.deep.include({ t: 'accept', tid: 'x7', offset: 0 });
  });

  it('a turn freed while the peer is away goes to a queued file when the sender offers it again, not before', async () => {
    const { transfers, sent, made } = harness({ acceptFiles: 'always' });
    for (let slot = 1; slot <= RECEIVING_AT_ONCE + 1; slot++) transfers.handleFrame('bob', offer(200_000, `x${slot}`, slot) as never);
    await settle();
    transfers.pause('bob');
    sent.length = 0;
    transfers.cancel('x1');
    const queued = made[RECEIVING_AT_ONCE];
    expect(queued.status).to.equal('queued');
    transfers.resume('bob');
    expect(queued.status).to.equal('queued');
    transfers.handleFrame('bob', offer(200_000, queued.transferId, RECEIVING_AT_ONCE + 1) as never);
    expect(queued.status).to.equal('active');
    expect(sent).to.deep.equal([
      { t: 'cancel', tid: 'x1', reason: 'cancelled' },
      { t: 'accept', tid: queued.transferId, offset: 0 },
    ]);
  });

  it('a peer that restarts fails its queued files with the rest: none starts on the way', async () => {
    const opened: number[] = [];
    const { transfers, sent, made } = harness({ acceptFiles: 'always', sink: async () => (opened.push(1), new MemorySink()) });
    for (let slot = 1; slot <= RECEIVING_AT_ONCE + 2; slot++) transfers.handleFrame('bob', offer(200_000, `x${slot}`, slot) as never);
    await settle();
    transfers.abandon('bob', 'The peer restarted');
    expect(made.map((transfer) => transfer.status)).to.deep.equal(Array(RECEIVING_AT_ONCE + 2).fill('failed'));
    expect(sent.filter((frame) => frame.t === 'accept')).to.have.length(RECEIVING_AT_ONCE);
    expect(opened).to.have.length(RECEIVING_AT_ONCE);
    // Back (its hello), its new offers are taken as before.
    transfers.resume('bob');
    transfers.handleFrame('bob', offer(200_000, 'y1', 10) as never);
    await settle();
    expect(made.at(-1)!.status).to.equal('active');
  });

  it(`declines a peer's offers beyond ${OPEN_OFFERS_PER_PEER} open ones, saying why, and counts them against it`, async () => {
    const { transfers, sent, violations, made } = harness();
    for (let slot = 1; slot <= OPEN_OFFERS_PER_PEER + 1; slot++) transfers.handleFrame('bob', offer(10, `x${slot}`, slot) as never);
    transfers.handleFrame('carol', offer(10, 'c1', 1) as never);
    expect(made).to.have.length(OPEN_OFFERS_PER_PEER + 1);
    expect(made.at(-1)!.peerId).to.equal('carol');
    const reason = `more than ${OPEN_OFFERS_PER_PEER} files offered at once`;
    expect(sent).to.deep.equal([{ t: 'decline', tid: `x${OPEN_OFFERS_PER_PEER + 1}`, reason }]);
    expect(violations).to.deep.equal([`bob offered ${reason}`]);
    // Once one of them ends, the next offer is taken.
    transfers.decline('x1');
    transfers.handleFrame('bob', offer(10, 'y1', OPEN_OFFERS_PER_PEER + 2) as never);
    expect(made.at(-1)!.transferId).to.equal('y1');
  });

  it('a sender whose file is declined with a reason shows that reason', async () => {
    const { transfers, made } = harness();
    const sending = transfers.send(new File([new Uint8Array(10)], 'a.bin'), 'bob');
    transfers.handleFrame('bob', { t: 'decline', tid: made[0].transferId, reason: 'more than 1000 files offered at once' });
    await sending.catch(() => {});
    expect(made[0].status).to.equal('declined');
    expect(made[0].reason).to.equal('more than 1000 files offered at once');
  });

  it('a sender that does not wait for acknowledgements is cut off before our memory fills', async () => {
    // Storage that never finishes a write: nothing received gets stored.
    const stuck: FileSink = { write: () => new Promise(() => {}), finish: async () => new File([], 'x'), discard: async () => {} };
    const { transfers, violations, sent } = harness({ acceptFiles: 'always', sink: async () => stuck });
    const size = 64 * 1024 * 1024;
    transfers.handleFrame('bob', offer(size) as never);
    await settle();
    const chunk = new Uint8Array(64 * 1024);
    let offset = 0;
    while (offset < RECEIVE_WINDOW_BYTES + 2 * chunk.byteLength) {
      transfers.handleChunk('bob', encodeChunk(1, offset, chunk));
      offset += chunk.byteLength;
    }
    expect(violations.some((message) => message.includes('ahead of what is stored'))).to.equal(true);
    expect(sent.at(-1)).to.deep.include({ t: 'cancel', tid: 'x1' });
  });
});
