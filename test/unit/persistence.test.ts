/**
 * `persist` on its own: engines on the fake network whose store is a shared in-memory "disk",
 * reloaded by stopping one and starting another on the same disk (as a tab that goes away
 * and comes back), in fake time.
 */
import { expect } from '@open-wc/testing';
import { ErrorType, PeerChatError } from '../../src/errors.js';
import { TIMING } from '../../src/engine/peer-session.js';
import { Direction, MessageStatus } from '../../src/engine/types.js';
import { settle } from '../support/fake-clock.js';
import { acknowledged, connectPair, world, type TestPeer, type TestWorld } from '../support/engine-harness.js';
import { handPeer } from '../support/fake-network.js';
import { MemoryDisk, MemoryStore } from '../support/memory-store.js';

const texts = (peer: TestPeer, direction: Direction) => peer.of('peer-chat-message').filter((message) => message.direction === direction).map((message) => message.text);
const protocolErrors = (peer: TestPeer) => peer.of('peer-chat-error').filter((error) => error.type === ErrorType.protocol);

/** The tab of `peer` goes away (its connections drop, no goodbye) and the page loads again. */
async function reload(w: TestWorld, peer: TestPeer, disk: MemoryDisk): Promise<TestPeer> {
  peer.engine.stop();
  await settle();
  return w.peer(peer.id, { store: new MemoryStore(disk) });
}

/** bob, and yara who stores on `disk`, connected: where most of these tests start. */
async function bobAndStoringYara(): Promise<{ w: TestWorld; disk: MemoryDisk; bob: TestPeer; yara: TestPeer }> {
  const w = world();
  const disk = new MemoryDisk();
  const bob = await w.peer('bob');
  const yara = await w.peer('yara', { store: new MemoryStore(disk) });
  await connectPair(yara, bob);
  return { w, disk, bob, yara };
}

describe('engine: persist', () => {
  it('after a reload: same id and session, the history at once, re-dials its peer itself, every message exactly once both ways', async () => {
    // yara's id is the larger: by the usual rule bob would re-dial; after her reload she dials.
    const { w, disk, bob, yara: before } = await bobAndStoringYara();
    let yara = before;
    yara.engine.send('before');
    bob.engine.send('hello yara');
    await settle();
    const session = disk.records.get('peer-chat')!.session;
    // What the hello says to bob: the session with him, stored per peer.
    const sessionWithBob = disk.records.get('peer-chat')!.peers.find((peer) => peer.peerId === 'bob')!.ownSession;
    expect(sessionWithBob).to.be.a('string').and.not.equal(session);

    yara.engine.stop();
    await settle();
    expect(bob.engine.peers.map((peer) => peer.status)).to.deep.equal(['reconnecting']);
    bob.engine.send('while you were away');
    // bob's own re-dials fail: only yara's dial can bring the two back.
    w.network.dialHook = (from) => (from === 'bob' ? new PeerChatError(ErrorType.unknownPeer, 'no yara', 'yara') : undefined);
    const dials = w.network.dials.length;
    yara = await w.peer('yara', { store: new MemoryStore(disk) });
    await w.clock.advance(500);
    expect(yara.engine.messages.map((message) => [message.direction, message.text])).to.deep.equal([
      ['out', 'before'],
      ['in', 'hello yara'],
      ['in', 'while you were away'],
    ]);
    expect(w.network.dials.slice(dials)).to.deep.include({ from: 'yara', to: 'bob' });
    expect(yara.engine.peers.map((peer) => [peer.peerId, peer.status])).to.deep.equal([['bob', 'connected']]);
    expect(disk.records.get('peer-chat')!.session).to.equal(session);
    expect(disk.records.get('peer-chat')!.peers.find((peer) => peer.peerId === 'bob')!.ownSession).to.equal(sessionWithBob);
    // The stored history is shown, not announced again: only the queued message is new.
    expect(texts(yara, Direction.in)).to.deep.equal(['while you were away']);

    yara.engine.send('after');
    bob.engine.send('welcome back');
    await acknowledged(w);
    expect(texts(bob, Direction.in)).to.deep.equal(['before', 'after']);
    expect(texts(yara, Direction.in)).to.deep.equal(['while you were away', 'welcome back']);
    expect(yara.engine.messages.map((message) => message.status ?? '')).to.deep.equal(['delivered', '', '', 'delivered', '']);
    expect([...protocolErrors(bob), ...protocolErrors(yara)]).to.deep.equal([]);
  });

  it('a record written before sessions were per peer: its peers are greeted with the element’s session, as they knew it, and it is stored per peer from then on', async () => {
    const w = world();
    const disk = new MemoryDisk();
    disk.records.set('peer-chat', { peerId: 'yara', session: 'yara-before', certificate: null, history: [], peers: [{ peerId: 'olde', name: 'Olde', session: 'o1', received: 2, sent: 3, unacked: [] }] });
    handPeer(w.network, 'olde');
    const yara = await w.peer('yara', { store: new MemoryStore(disk) });
    await settle();
    const sent = w.network.between('yara', 'olde').filter((link) => link.peerId === 'olde').flatMap((link) => link.sent.map((frame) => JSON.parse(frame) as { t: string; session?: string }));
    expect(sent.filter((frame) => frame.t === 'hello').map((frame) => frame.session)).to.deep.equal(['yara-before']);
    yara.engine.send('anyone?');
    await settle();
    expect(disk.records.get('peer-chat')!.peers.map((peer) => [peer.peerId, peer.ownSession])).to.deep.equal([['olde', 'yara-before']]);
  });

  it('a reload after the peer gave up on us: both start afresh, and messages flow both ways', async () => {
    const w = world();
    const disk = new MemoryDisk();
    const bob = await w.peer('bob', { reconnectTimeout: 10_000 });
    let yara = await w.peer('yara', { store: new MemoryStore(disk) });
    await connectPair(yara, bob);
    yara.engine.send('before');
    bob.engine.send('hello yara');
    await acknowledged(w);
    yara.engine.stop();
    await w.clock.advance(15_000);
    expect(bob.engine.peers).to.deep.equal([]);
    yara = await w.peer('yara', { store: new MemoryStore(disk) });
    await w.clock.advance(500);
    expect(yara.engine.peers.map((peer) => [peer.peerId, peer.status])).to.deep.equal([['bob', 'connected']]);
    yara.engine.send('after');
    bob.engine.send('welcome back');
    await acknowledged(w);
    // Before sessions were per peer, Bob's numbers started again and Yara's stored ones went on.
    expect(texts(bob, Direction.in)).to.deep.equal(['before', 'after']);
    expect(texts(yara, Direction.in)).to.deep.equal(['welcome back']);
    expect(yara.engine.messages.filter((message) => message.direction === Direction.out).map((message) => message.status)).to.deep.equal(['delivered', 'delivered']);
    expect([...protocolErrors(bob), ...protocolErrors(yara)]).to.deep.equal([]);
  });

  it('acknowledges only what is stored: a reload before the write gets the message again, once', async () => {
    const { w, disk, bob, yara: before } = await bobAndStoringYara();
    let yara = before;
    disk.frozen = true; // yara's writes never finish: her tab is about to die
    bob.engine.send('unstored');
    await acknowledged(w);
    expect(texts(yara, Direction.in)).to.deep.equal(['unstored']);
    expect(bob.engine.messages[0].status).to.equal(MessageStatus.pending);

    yara.engine.stop();
    disk.frozen = false;
    yara = await reload(w, yara, disk);
    await w.clock.advance(500);
    expect(yara.engine.messages.map((message) => message.text)).to.deep.equal(['unstored']);
    expect(bob.engine.messages[0].status).to.equal(MessageStatus.delivered);
  });

  it('sends a read receipt only after the acknowledgement, which waits for the write', async () => {
    const { w, disk, bob, yara } = await bobAndStoringYara();
    disk.frozen = true; // the write of what arrives never finishes: no ack may go out, nor a read
    bob.engine.send('seen at once');
    await settle();
    const [arrived] = yara.of('peer-chat-message');
    yara.engine.seen('bob', arrived.id);
    await acknowledged(w);
    expect(bob.engine.messages[0].status).to.equal(MessageStatus.pending);
    expect(protocolErrors(bob)).to.deep.equal([]);
  });

  it('receipts whose write ends after the peer restarted are of its old session: not sent to the new one', async () => {
    const { w, disk, bob, yara } = await bobAndStoringYara();
    let finishWrites!: () => void;
    disk.slow = new Promise((resolve) => (finishWrites = resolve));
    bob.engine.send('before bob reloads');
    await settle(); // with yara, who sees it; her ack and read wait for the write of it
    yara.engine.seen('bob', yara.of('peer-chat-message')[0].id);
    await settle();
    bob.engine.stop();
    await settle();
    const reloaded = await w.peer('bob');
    await connectPair(reloaded, yara);
    disk.slow = null;
    finishWrites();
    await acknowledged(w);
    expect(yara.engine.peers.map((peer) => peer.status)).to.deep.equal(['connected']);
    expect(protocolErrors(reloaded)).to.deep.equal([]);
  });

  it('a read held for its interval and sent on leaving goes no further than what is stored', async () => {
    const { w, disk, bob, yara } = await bobAndStoringYara();
    bob.engine.send('one');
    await acknowledged(w);
    yara.engine.seen('bob', yara.of('peer-chat-message')[0].id);
    await settle();
    disk.frozen = true; // the next message is never stored
    bob.engine.send('two');
    await settle();
    yara.engine.seen('bob', yara.of('peer-chat-message')[1].id);
    yara.engine.disconnect('bob');
    await settle();
    expect(bob.of('peer-chat-disconnect')).to.have.length(1);
    // Its read would have acknowledged it, unstored: "two" is not delivered.
    expect(bob.engine.messages.map((message) => message.status)).to.deep.equal([MessageStatus.read, MessageStatus.failed]);
    expect(protocolErrors(bob)).to.deep.equal([]);
  });

  it('a read receipt asks for no write of its own', async () => {
    const { disk, bob, yara } = await bobAndStoringYara();
    bob.engine.send('seen a moment later');
    await settle();
    const writes = disk.writes;
    const [arrived] = yara.of('peer-chat-message');
    yara.engine.seen('bob', arrived.id);
    await settle();
    expect(bob.engine.messages[0].status).to.equal(MessageStatus.read);
    expect(disk.writes).to.equal(writes);
  });

  it('after a reload, a read receipt for a message acknowledged before it is no protocol error', async () => {
    const { w, disk, bob, yara: before } = await bobAndStoringYara();
    before.engine.send('one');
    before.engine.send('two');
    await acknowledged(w);
    expect(before.engine.messages.map((message) => message.status)).to.deep.equal(['delivered', 'delivered']);
    const yara = await reload(w, before, disk);
    await w.clock.advance(2000);
    expect(bob.engine.peers.map((peer) => peer.status)).to.deep.equal(['connected']);
    // Bob sees the second: the read covers the first two, acknowledged before the reload.
    bob.engine.seen('yara', bob.engine.messages[1].id);
    await settle();
    expect(protocolErrors(yara)).to.deep.equal([]);
    expect(yara.engine.peers.map((peer) => peer.status)).to.deep.equal(['connected']);
    // What is sent after the reload is reported read as before.
    yara.engine.send('three');
    await settle();
    bob.engine.seen('yara', bob.engine.messages[2].id);
    await w.clock.advance(TIMING.readIntervalMs);
    expect(yara.engine.messages.at(-1)!.status).to.equal(MessageStatus.read);
    expect(protocolErrors(yara)).to.deep.equal([]);
  });

  it('a message the person had not seen before a reload is reported read when seen after it', async () => {
    const { w, disk, bob, yara: before } = await bobAndStoringYara();
    bob.engine.send('one');
    bob.engine.send('two');
    await acknowledged(w);
    expect(bob.engine.messages.map((message) => message.status)).to.deep.equal(['delivered', 'delivered']);
    const yara = await reload(w, before, disk);
    await w.clock.advance(2000);
    expect(yara.engine.peers.map((peer) => peer.status)).to.deep.equal(['connected']);
    // The reloaded log shows the newest: seeing it covers the one before.
    yara.engine.seen('bob', yara.engine.messages[1].id);
    await w.clock.advance(TIMING.readIntervalMs);
    expect(bob.engine.messages.map((message) => message.status)).to.deep.equal(['read', 'read']);
    expect(protocolErrors(bob)).to.deep.equal([]);
  });

  it('a read lost as the page went away is told again after the reload', async () => {
    const { w, disk, bob, yara: before } = await bobAndStoringYara();
    bob.engine.send('seen just before the reload');
    await acknowledged(w);
    for (const link of w.network.between('yara', 'bob')) link.mute = true;
    before.engine.seen('bob', before.engine.messages[0].id);
    before.engine.send('a write after it'); // which stores that the person saw it
    await settle();
    expect(bob.engine.messages[0].status).to.equal(MessageStatus.delivered);
    const yara = await reload(w, before, disk);
    await w.clock.advance(2000);
    expect(yara.engine.peers.map((peer) => peer.status)).to.deep.equal(['connected']);
    expect(bob.engine.messages[0].status).to.equal(MessageStatus.read);
    expect(texts(bob, Direction.in)).to.deep.equal(['a write after it']);
    expect(protocolErrors(bob)).to.deep.equal([]);
  });

  it('sends a message only once it is stored, and re-sends what was not acknowledged after the reload, once', async () => {
    const { w, disk, bob, yara: before } = await bobAndStoringYara();
    let yara = before;
    yara.engine.send('first');
    await settle();
    // The link goes quiet: 'second' is stored but never acknowledged before the reload.
    for (const link of w.network.between('yara', 'bob')) link.mute = true;
    yara.engine.send('second');
    await settle();
    yara = await reload(w, yara, disk);
    await w.clock.advance(500);
    expect(texts(bob, Direction.in)).to.deep.equal(['first', 'second']);
    expect(yara.engine.messages.map((message) => message.status)).to.deep.equal(['delivered', 'delivered']);
    expect(protocolErrors(bob)).to.deep.equal([]);
  });

  it('a second tab with the same key gets its own id and leaves the first tab’s record alone; the record is free again once the first tab is gone', async () => {
    const w = world();
    const disk = new MemoryDisk();
    const first = await w.peer('', { store: new MemoryStore(disk) });
    await settle();
    expect(disk.records.get('peer-chat')!.peerId).to.equal(first.id);
    const second = await w.peer('', { store: new MemoryStore(disk) });
    expect(second.id).to.not.equal('');
    expect(second.id).to.not.equal(first.id);
    expect(second.of('peer-chat-error')).to.deep.equal([]);
    await connectPair(second, first);
    second.engine.send('from the second tab');
    await settle();
    const record = disk.records.get('peer-chat')!;
    expect(record.peerId).to.equal(first.id);
    expect(record.history.map(({ message }) => [message.from, message.text])).to.deep.equal([[second.id, 'from the second tab']]);

    first.engine.stop();
    second.engine.stop();
    const later = await w.peer('', { store: new MemoryStore(disk) });
    expect(later.id).to.equal(first.id);
    expect(later.engine.messages.map((message) => message.text)).to.deep.equal(['from the second tab']);
  });

  for (const held of ['load', 'claim'] as const) {
    it(`started again while the stored chat's ${held} runs: the last start takes it, and the first holds no claim`, async () => {
      const w = world();
      const disk = new MemoryDisk();
      const earlier = await w.peer('', { store: new MemoryStore(disk) });
      earlier.engine.stop();
      /** A store whose `held` step waits for `open()`, as IndexedDB and Web Locks can take their time. */
      const slowStore = () => {
        const store = new MemoryStore(disk);
        const gate = { open: () => {} };
        const opened = new Promise<void>((resolve) => (gate.open = resolve));
        const step = store[held].bind(store) as (peerId: string) => Promise<never>;
        store[held] = (async (peerId: string) => (await opened, step(peerId))) as never;
        return { store, open: () => gate.open() };
      };
      const page = await w.peer('', { store: new MemoryStore(disk) });
      page.engine.stop();
      const first = slowStore();
      const second = slowStore();
      // The page sets an attribute a moment after the element started: it starts again.
      page.engine.start(page.settings, first.store);
      await settle();
      page.engine.start({ ...page.settings, name: 'Yara' }, second.store);
      first.open();
      await settle();
      second.open();
      await settle();
      expect(page.engine.peerId).to.equal(earlier.id);
      expect([...disk.locks]).to.deep.equal([`peer-chat:${earlier.id}`]);
      page.engine.stop();
      expect([...disk.locks]).to.deep.equal([]);
    });
  }

  it('clearHistory() empties the stored history too', async () => {
    const { disk, yara } = await bobAndStoringYara();
    yara.engine.send('to be forgotten');
    await settle();
    expect(disk.records.get('peer-chat')!.history).to.have.length(1);
    yara.engine.clearHistory();
    await settle();
    expect(disk.records.get('peer-chat')!.history).to.deep.equal([]);
    expect(disk.records.get('peer-chat')!.peers.map((peer) => peer.peerId)).to.deep.equal(['bob']);
  });

  it('writes what changed, not the whole history: a new message, a status change, and after a reload the same', async () => {
    const { w, disk, bob, yara: before } = await bobAndStoringYara();
    let yara = before;
    for (let index = 0; index < 40; index++) bob.engine.send(`old ${index}`);
    await settle();
    const written = () => disk.lastWrite!.messages.map(({ place, message }) => [place, message.text, message.status ?? '']);
    bob.engine.send('new');
    await settle();
    expect(written()).to.deep.equal([[40, 'new', '']]);
    expect(disk.lastWrite!.replace).to.equal(false);
    yara.engine.send('mine');
    await acknowledged(w);
    // Written when sent, then again once bob acknowledged it: that message alone each time.
    expect(written()).to.deep.equal([[41, 'mine', 'delivered']]);

    yara = await reload(w, yara, disk);
    await w.clock.advance(500);
    bob.engine.send('after the reload');
    await settle();
    expect(written()).to.deep.equal([[42, 'after the reload', '']]);
    expect(disk.lastWrite!.replace).to.equal(false);
    expect(disk.records.get('peer-chat')!.history.map(({ message }) => message.text)).to.deep.equal([...Array.from({ length: 40 }, (_, index) => `old ${index}`), 'new', 'mine', 'after the reload']);
    expect(yara.engine.messages).to.have.length(43);
  });

  it('messages the history drops leave the store; a restart with another history replaces what was stored', async () => {
    const w = world();
    const disk = new MemoryDisk();
    const bob = await w.peer('bob');
    const yara = await w.peer('yara', { store: new MemoryStore(disk), maxHistory: 3 });
    await connectPair(yara, bob);
    for (const text of ['one', 'two', 'three', 'four', 'five']) bob.engine.send(text);
    await settle();
    const stored = (key = 'peer-chat') => disk.records.get(key)!.history.map(({ place, message }) => [place, message.text]);
    expect(stored()).to.deep.equal([
      [2, 'three'],
      [3, 'four'],
      [4, 'five'],
    ]);
    // Another storage key: its record gets this history, and what it held before is gone.
    disk.records.set('other', { ...disk.records.get('peer-chat')!, peerId: 'someone else', history: [{ place: 7, message: { id: 'x', from: 'z', text: 'stale', time: 0, direction: Direction.in } }] });
    const settings = { ...yara.settings, peerId: '' };
    yara.engine.start(settings, new MemoryStore(disk, 'other'));
    await settle();
    expect(stored('other').map(([, text]) => text)).to.deep.equal(['three', 'four', 'five']);

    // A page asking for an id of its own takes the key's record over: the messages stored for the earlier id go.
    yara.engine.stop();
    await settle();
    const fresh = await w.peer('zed', { store: new MemoryStore(disk, 'other') });
    await connectPair(fresh, bob);
    bob.engine.send('to zed');
    await settle();
    expect(disk.records.get('other')!.peerId).to.equal('zed');
    expect(stored('other').map(([, text]) => text)).to.deep.equal(['to zed']);
  });

  it('a message the history dropped is not stored again when its status changes later (a late read)', async () => {
    const w = world();
    const disk = new MemoryDisk();
    const bob = await w.peer('bob');
    const yara = await w.peer('yara', { store: new MemoryStore(disk), maxHistory: 3 });
    await connectPair(yara, bob);
    yara.engine.send('mine');
    await acknowledged(w);
    for (const text of ['one', 'two', 'three']) bob.engine.send(text);
    await settle();
    const stored = () => disk.records.get('peer-chat')!.history.map(({ message }) => message.text);
    expect(stored()).to.deep.equal(['one', 'two', 'three']);
    // Bob sees yara's message only now: its read arrives after it left yara's history.
    bob.engine.seen('yara', bob.engine.messages.find((message) => message.text === 'mine')!.id);
    await w.clock.advance(500);
    expect(stored()).to.deep.equal(['one', 'two', 'three']);
  });

  it('keeps two storage keys apart', async () => {
    const w = world();
    const disk = new MemoryDisk();
    const one = await w.peer('', { store: new MemoryStore(disk, 'one') });
    const two = await w.peer('', { store: new MemoryStore(disk, 'two') });
    await settle();
    expect([disk.records.get('one')!.peerId, disk.records.get('two')!.peerId]).to.deep.equal([one.id, two.id]);
  });
});
