/** Typing indicators and read receipts in the engine, on the fake network, in fake time. */
import { expect } from '@open-wc/testing';
import { ErrorType } from '../../src/errors.js';
import { encodeControl } from '../../src/engine/protocol.js';
import { TIMING } from '../../src/engine/peer-session.js';
import { TYPING } from '../../src/engine/typing.js';
import { ReadReceipts } from '../../src/engine/receipts.js';
import { Direction, MessageStatus } from '../../src/engine/types.js';
import { settle } from '../support/fake-clock.js';
import { acknowledged, connectedPair, connectPair, dialHandPeer, world, type TestPeer, type TestWorld } from '../support/engine-harness.js';
import type { FakeLink } from '../support/fake-network.js';

/** The control frames this side of `link` sent, in order. */
const framesOn = (link: FakeLink) => link.sent.map((frame) => JSON.parse(frame) as Record<string, unknown>);

/** The receipts (`ack` and `read` frames) this side of `link` sent, in order. */
const receiptsOn = (link: FakeLink) => framesOn(link).filter((frame) => frame.t === 'ack' || frame.t === 'read');

/** `from`'s ends of every link to `to`'s id (after a reconnection, the old ones too). */
const linksTo = (w: TestWorld, from: TestPeer, toId: string) => w.network.between(from.id, toId).filter((link) => link.peerId === toId);

/** `from`'s end of the open link to `toId`. */
const openLinkTo = (w: TestWorld, from: TestPeer, toId: string) => linksTo(w, from, toId).find((link) => link.isOpen)!;

/** The control frames of type `type` that `from` sent to `to`'s id, over every link between them. */
function framesSent(w: TestWorld, from: TestPeer, to: TestPeer, type: string): Array<Record<string, unknown>> {
  return linksTo(w, from, to.id).flatMap(framesOn).filter((frame) => frame.t === type);
}

describe('engine: typing', () => {
  it('sends at most one typing frame per 2 s, and the indicator goes 5 s after the last', async () => {
    const { w, alice, bob } = await connectedPair();
    // A keystroke every 100 ms for 5 s.
    for (let elapsed = 0; elapsed < 5000; elapsed += 100) {
      alice.engine.typed();
      await w.clock.advance(100);
    }
    expect(framesSent(w, alice, bob, 'typing')).to.have.length(3); // at 0, 2 and 4 s
    expect(bob.engine.typing).to.deep.equal(['alice']);
    // The last frame left at 4 s: the indicator stays until 9 s, then goes.
    await w.clock.advance(TYPING.showForMs - 1000 - 100);
    expect(bob.engine.typing).to.deep.equal(['alice']);
    await w.clock.advance(200);
    expect(bob.engine.typing).to.deep.equal([]);
  });

  it('the indicator goes at once when the message arrives', async () => {
    const { alice, bob } = await connectedPair();
    alice.engine.typed();
    await settle();
    expect(bob.engine.typing).to.deep.equal(['alice']);
    alice.engine.send('done typing');
    await settle();
    expect(bob.engine.typing).to.deep.equal([]);
  });

  it('the indicator goes when the peer leaves', async () => {
    const { alice, bob } = await connectedPair();
    alice.engine.typed();
    await settle();
    alice.engine.disconnect('bob');
    await settle();
    expect(bob.engine.typing).to.deep.equal([]);
  });
});

/** The receipts that `from` sent to `to`, over every link between them. */
const receiptsSent = (w: TestWorld, from: TestPeer, to: TestPeer) => linksTo(w, from, to.id).flatMap(receiptsOn);

describe('engine: read receipts', () => {
  it('goes pending → delivered → read; read is cumulative and sent once', async () => {
    const { w, alice, bob } = await connectedPair();
    const first = alice.engine.send('one');
    alice.engine.send('two');
    expect(first.status).to.equal(MessageStatus.pending);
    // Not seen: the ack, held for a read to go with it, goes alone.
    await acknowledged(w);
    expect(alice.engine.messages.map((message) => message.status)).to.deep.equal(['delivered', 'delivered']);
    expect(framesSent(w, bob, alice, 'ack')).to.deep.equal([{ t: 'ack', seq: 2 }]);
    // Bob sees the second message: the first counts as seen too.
    const [, second] = bob.engine.messages;
    bob.engine.seen('alice', second.id);
    bob.engine.seen('alice', first.id);
    bob.engine.seen('alice', second.id);
    await settle();
    expect(alice.engine.messages.map((message) => message.status)).to.deep.equal(['read', 'read']);
    expect(framesSent(w, bob, alice, 'read')).to.deep.equal([{ t: 'read', seq: 2 }]);
  });

  it('a message seen at once is acknowledged and reported read in one frame, and both show', async () => {
    const { w, alice, bob } = await connectedPair();
    alice.engine.send('one');
    await settle();
    expect(alice.engine.messages[0].status).to.equal(MessageStatus.pending);
    bob.engine.seen('alice', bob.engine.messages[0].id);
    await settle();
    expect(receiptsSent(w, bob, alice)).to.deep.equal([{ t: 'ack', seq: 1, read: 1 }]);
    expect(alice.engine.messages[0].status).to.equal(MessageStatus.read);
    await w.clock.advance(1000);
    expect(receiptsSent(w, bob, alice)).to.have.length(1);
    expect(alice.of('peer-chat-error')).to.deep.equal([]);
  });

  it('messages that arrive within the hold share one ack', async () => {
    const { w, alice, bob } = await connectedPair();
    // One every 30 ms: the first four arrive within the first hold, the fifth after it.
    const step = TIMING.ackHoldMs * 0.3;
    for (let index = 1; index <= 5; index++) {
      alice.engine.send(`burst ${index}`);
      await settle();
      await w.clock.advance(step, step);
    }
    await acknowledged(w);
    expect(framesSent(w, bob, alice, 'ack')).to.deep.equal([
      { t: 'ack', seq: 4 },
      { t: 'ack', seq: 5 },
    ]);
    expect(alice.engine.messages.map((message) => message.status)).to.deep.equal(Array(5).fill(MessageStatus.delivered));
  });

  it('an ack held when the element stops goes before the link closes', async () => {
    const { alice, bob } = await connectedPair();
    alice.engine.send('just before the tab closed');
    await settle();
    bob.engine.stop();
    await settle();
    expect(alice.engine.messages[0].status).to.equal(MessageStatus.delivered);
  });

  it('an ack held when the person disconnects goes ahead of the goodbye', async () => {
    const { alice, bob } = await connectedPair();
    alice.engine.send('just before bob left');
    await settle();
    bob.engine.disconnect('alice');
    await settle();
    expect(alice.engine.messages[0].status).to.equal(MessageStatus.delivered);
  });

  for (const leaving of ['disconnect', 'stop'] as const) {
    it(`a read held for its interval goes when the person ${leaving === 'stop' ? 'closes the chat (the element stops)' : 'disconnects, ahead of the goodbye'}`, async () => {
      const { w, alice, bob } = await connectedPair();
      alice.engine.send('one');
      alice.engine.send('two');
      await acknowledged(w);
      const [first, second] = bob.engine.messages;
      bob.engine.seen('alice', first.id);
      await settle();
      // Within the interval: held.
      bob.engine.seen('alice', second.id);
      await settle();
      const link = openLinkTo(w, bob, 'alice');
      if (leaving === 'stop') bob.engine.stop();
      else bob.engine.disconnect('alice');
      await settle();
      const sent = framesOn(link).filter((frame) => frame.t !== 'ping');
      if (leaving === 'stop') expect(sent.at(-1)).to.deep.equal({ t: 'read', seq: 2 });
      else expect(sent.slice(-2)).to.deep.equal([{ t: 'read', seq: 2 }, { t: 'bye' }]);
      expect(alice.engine.messages.map((message) => message.status)).to.deep.equal(['read', 'read']);
    });
  }

  it('a read held for its interval goes on leaving after a reconnection too, though the new link acknowledged less', async () => {
    const { w, alice, bob } = await connectedPair();
    alice.engine.send('one');
    alice.engine.send('two');
    await acknowledged(w); // acknowledged on the first link
    w.network.cut('alice', 'bob');
    await w.clock.advance(2000);
    expect(alice.engine.peers.map((peer) => peer.status)).to.deep.equal(['connected']);
    const [first, second] = bob.engine.messages;
    bob.engine.seen('alice', first.id);
    await settle();
    bob.engine.seen('alice', second.id); // within the interval: held
    await settle();
    bob.engine.disconnect('alice');
    await settle();
    expect(alice.engine.messages.map((message) => message.status)).to.deep.equal(['read', 'read']);
  });

  it('an ack held when the peer restarts is of its old session: dropped, not sent to the new one', async () => {
    const { w, alice, bob } = await connectedPair();
    alice.engine.send('before the reload');
    await settle();
    alice.engine.stop();
    await settle();
    const reloaded = await w.peer('alice');
    await connectPair(reloaded, bob);
    await w.clock.advance(1000);
    expect(framesSent(w, bob, reloaded, 'ack')).to.deep.equal([]);
    expect(reloaded.of('peer-chat-error')).to.deep.equal([]);
  });

  it('a read made as a new link connects, with the ack held on the old one lost, carries its own ack, and is told once', async () => {
    const w = world();
    let seeOnConnect = false;
    const alice = await w.peer('alice');
    const bob: TestPeer = await w.peer('bob', {
      onEvent: (name) => {
        // The person looks as the connection comes back, before the peer's re-send arrives.
        if (name === 'peer-chat-connect' && seeOnConnect) bob.engine.seen('alice', bob.engine.messages[0].id);
      },
    });
    await connectPair(alice, bob);
    alice.engine.send('one');
    await settle();
    w.network.cut('alice', 'bob');
    await acknowledged(w); // the ack held goes nowhere: no link
    seeOnConnect = true;
    await w.clock.advance(2000);
    expect(alice.engine.peers[0].status).to.equal('connected');
    expect(alice.of('peer-chat-error')).to.deep.equal([]);
    expect(alice.engine.messages[0].status).to.equal(MessageStatus.read);
    // The catch-up on the new link tells no read again (its ack, and the one that answers alice's re-send, go).
    await w.clock.advance(TIMING.ackHoldMs + TIMING.readIntervalMs);
    expect(receiptsOn(openLinkTo(w, bob, 'alice'))).to.deep.equal([{ t: 'ack', seq: 1, read: 1 }, { t: 'ack', seq: 1 }, { t: 'ack', seq: 1 }]);
  });

  it('to a peer whose hello did not say readInAck (an older element): ack at once, read in a frame of its own', async () => {
    const w = world();
    const alice = await w.peer('alice');
    const [theirs] = (await dialHandPeer(w, alice, 'olde', { t: 'hello', v: 1, name: 'Olde', session: 'o1' })).links;
    theirs.sendControl(encodeControl({ t: 'msg', id: 'm1', text: 'hi', time: 1, seq: 1 }));
    await settle();
    const received = () => receiptsOn(openLinkTo(w, alice, 'olde'));
    expect(received()).to.deep.equal([{ t: 'ack', seq: 1 }]);
    alice.engine.seen('olde', 'm1');
    await settle();
    expect(received()).to.deep.equal([
      { t: 'ack', seq: 1 },
      { t: 'read', seq: 1 },
    ]);
  });

  it('messages seen in a row share one read frame: the first goes at once, the next ones after an interval', async () => {
    const { w, alice, bob } = await connectedPair();
    for (const text of ['one', 'two', 'three']) alice.engine.send(text);
    await acknowledged(w);
    const [first, second, third] = bob.engine.messages;
    bob.engine.seen('alice', first.id);
    await settle();
    expect(framesSent(w, bob, alice, 'read')).to.deep.equal([{ t: 'read', seq: 1 }]);
    bob.engine.seen('alice', second.id);
    bob.engine.seen('alice', third.id);
    await w.clock.advance(TIMING.readIntervalMs - 10);
    expect(alice.engine.messages.map((message) => message.status)).to.deep.equal(['read', 'delivered', 'delivered']);
    await w.clock.advance(10);
    expect(framesSent(w, bob, alice, 'read')).to.deep.equal([
      { t: 'read', seq: 1 },
      { t: 'read', seq: 3 },
    ]);
    expect(alice.engine.messages.map((message) => message.status)).to.deep.equal(['read', 'read', 'read']);
  });

  it('a read waits for the rest of the interval since the last one sent, at once or by its timer, and goes at once after it', async () => {
    const { w, alice, bob } = await connectedPair();
    for (const text of ['one', 'two', 'three', 'four']) alice.engine.send(text);
    await acknowledged(w);
    const seen = bob.engine.messages;
    const reads = () => framesSent(w, bob, alice, 'read').map((frame) => frame.seq);
    const timers = w.clock.timersPending;
    bob.engine.seen('alice', seen[0].id);
    await settle();
    // Sent at once, it leaves no timer behind it: a message seen alone costs no timer task.
    expect(w.clock.timersPending).to.equal(timers);
    // Two more, each 100 ms after the last read went: each waits until 250 ms after it.
    for (const [index, message] of [seen[1], seen[2]].entries()) {
      await w.clock.advance(100);
      bob.engine.seen('alice', message.id);
      await w.clock.advance(TIMING.readIntervalMs - 100 - 1);
      expect(reads()).to.have.length(index + 1);
      await w.clock.advance(1);
      expect(reads()).to.deep.equal([1, 2, 3].slice(0, index + 2));
    }
    await w.clock.advance(TIMING.readIntervalMs);
    bob.engine.seen('alice', seen[3].id);
    await settle();
    expect(reads()).to.deep.equal([1, 2, 3, 4]);
  });

  it('a read sent on a new link starts a new interval: one held from before it does not end that interval early', async () => {
    const { w, alice, bob } = await connectedPair();
    for (const text of ['one', 'two', 'three']) alice.engine.send(text);
    await acknowledged(w);
    const seen = bob.engine.messages;
    bob.engine.seen('alice', seen[0].id);
    await settle();
    w.network.cut('alice', 'bob');
    await w.clock.advance(50);
    // Held: within the interval, and no link anyway.
    bob.engine.seen('alice', seen[1].id);
    // Back at once (a dial now, not the re-dial): the catch-up on the new link tells it.
    await connectPair(alice, bob);
    expect(receiptsOn(openLinkTo(w, bob, 'alice'))).to.deep.equal([{ t: 'ack', seq: 3, read: 2 }]);
    await w.clock.advance(100);
    bob.engine.seen('alice', seen[2].id);
    // 250 ms after the catch-up, not after the first read.
    await w.clock.advance(TIMING.readIntervalMs - 100 - 1);
    expect(framesSent(w, bob, alice, 'read')).to.deep.equal([{ t: 'read', seq: 1 }]);
    await w.clock.advance(1);
    expect(framesSent(w, bob, alice, 'read')).to.deep.equal([
      { t: 'read', seq: 1 },
      { t: 'read', seq: 3 },
    ]);
  });

  it('after the peer restarts, a read goes at once, however soon after the last one of its old session', async () => {
    const { w, alice, bob } = await connectedPair();
    alice.engine.send('before the reload');
    await acknowledged(w);
    bob.engine.seen('alice', bob.engine.messages[0].id);
    await settle();
    alice.engine.stop();
    await settle();
    const reloaded = await w.peer('alice');
    await connectPair(reloaded, bob);
    reloaded.engine.send('after the reload');
    await settle();
    bob.engine.seen('alice', bob.engine.messages[1].id);
    await settle();
    expect(receiptsOn(openLinkTo(w, bob, 'alice'))).to.deep.equal([{ t: 'ack', seq: 1, read: 1 }]);
  });

  it('a message to several peers is read once every one of them saw it', async () => {
    const w = world();
    const alice = await w.peer('alice');
    const bob = await w.peer('bob');
    const carol = await w.peer('carol');
    await connectPair(alice, bob);
    await connectPair(alice, carol);
    const sent = alice.engine.send('to both');
    await settle();
    bob.engine.seen('alice', sent.id);
    await acknowledged(w);
    expect(alice.engine.messages[0].status).to.equal(MessageStatus.delivered);
    carol.engine.seen('alice', sent.id);
    await settle();
    expect(alice.engine.messages[0].status).to.equal(MessageStatus.read);
  });

  it('a peer that restarts before seeing a message leaves it delivered', async () => {
    const { w, alice, bob } = await connectedPair();
    const sent = alice.engine.send('before the reload');
    await settle();
    bob.engine.stop();
    await settle();
    const reloaded = await w.peer('bob');
    await connectPair(alice, reloaded);
    reloaded.engine.seen('alice', sent.id); // it never got this message: nothing to tell
    await w.clock.advance(1000);
    expect(alice.engine.messages[0].status).to.equal(MessageStatus.delivered);
    expect(framesSent(w, reloaded, alice, 'read')).to.deep.equal([]);
  });

  it('a message seen while the peer is away is reported read once it is back, behind an ack', async () => {
    const { w, alice, bob } = await connectedPair();
    alice.engine.send('while you were out');
    await acknowledged(w);
    w.network.cut('alice', 'bob');
    await settle();
    // Bob's tab comes back to the front before the connection does.
    bob.engine.seen('alice', bob.engine.messages[0].id);
    await settle();
    expect(alice.engine.messages[0].status).to.equal(MessageStatus.delivered);
    await w.clock.advance(2000);
    expect(alice.engine.peers[0].status).to.equal('connected');
    expect(alice.engine.messages[0].status).to.equal(MessageStatus.read);
    expect(alice.of('peer-chat-error')).to.deep.equal([]);
    // On the new link: an ack of all Bob holds, with the read.
    expect(receiptsOn(openLinkTo(w, bob, 'alice'))).to.deep.equal([{ t: 'ack', seq: 1, read: 1 }]);
  });

  it('a read receipt for a message never delivered is a protocol error, alone or in an ack', async () => {
    const w = world();
    const alice = await w.peer('alice');
    const [theirs] = (await dialHandPeer(w, alice, 'mallory', { t: 'hello', v: 1, name: 'Mallory', session: 'm1' })).links;
    theirs.sendControl(encodeControl({ t: 'read', seq: 5 }));
    theirs.sendControl(encodeControl({ t: 'ack', seq: 0, read: 5 }));
    await settle();
    const errors = alice.of('peer-chat-error');
    expect(errors.map((error) => [error.type, error.message])).to.deep.equal([
      [ErrorType.protocol, 'mallory read a message never delivered'],
      [ErrorType.protocol, 'mallory read a message never delivered'],
    ]);
  });
});

describe('ReadReceipts', () => {
  const outgoing = (seq: number) => ({ seq, message: { id: `m${seq}`, from: 'alice', text: 'x', time: 0, direction: Direction.out } });

  it('remembers at most 10,000 messages awaiting the peer’s read, whatever it does: the oldest beyond are given up on', () => {
    const receipts = new ReadReceipts();
    receipts.delivered(Array.from({ length: 10_000 }, (_, index) => outgoing(index + 1)));
    expect(receipts.overflow()).to.deep.equal([]);
    receipts.delivered([outgoing(10_001), outgoing(10_002)]);
    expect(receipts.overflow().map((message) => message.id)).to.deep.equal(['m1', 'm2']);
    const read = receipts.read(10_002)!;
    expect(read).to.have.length(10_000);
    expect(read[0].id).to.equal('m3');
  });

  it('a read that comes with the acknowledgement covers the messages it acknowledges before any is given up on', () => {
    const receipts = new ReadReceipts();
    receipts.delivered(Array.from({ length: 10_001 }, (_, index) => outgoing(index + 1)));
    expect(receipts.read(10_001)).to.have.length(10_001);
    expect(receipts.overflow()).to.deep.equal([]);
  });
});
