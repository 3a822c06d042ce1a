/**
 * The engine on its own: two or three engines on an in-memory network with a fake clock, so
 * liveness, re-dials, give-ups and delivery are checked in milliseconds of fake time.
 */
import { expect } from '@open-wc/testing';
import { ErrorType, PeerChatError } from '../../src/errors.js';
import { TIMING } from '../../src/engine/peer-session.js';
import { encodeControl } from '../../src/engine/protocol.js';
import { DisconnectReason, MessageStatus, type ChatMessage } from '../../src/engine/types.js';
import { MemorySink, type FileSink } from '../../src/transfers/file-sink.js';
import * as fileTransfer from '../../src/transfers/file-transfer.js';
import { TransferStatus } from '../../src/transfers/types.js';
import { settle } from '../support/fake-clock.js';
import { acknowledged, connectedPair, connectPair, dialHandPeer, world, type TestPeer } from '../support/engine-harness.js';
import { handPeer, handSignaling, type FakeLink } from '../support/fake-network.js';

/** alice and bob, whose links open only once `open()` is called (never, if it is not). */
async function aliceAndBobOpeningLater() {
  const w = world();
  const alice = await w.peer('alice');
  const bob = await w.peer('bob');
  let open!: () => void;
  w.network.opening = new Promise<void>((resolve) => (open = resolve));
  return { w, alice, bob, open: () => open() };
}

describe('engine: connections', () => {
  it('connects two peers: both see each other with the same safety code', async () => {
    const w = world();
    const alice = await w.peer('alice', { name: 'Alice' });
    const bob = await w.peer('bob', { name: 'Bob' });
    await connectPair(alice, bob);
    expect(alice.engine.peers.map((peer) => [peer.peerId, peer.name, peer.status])).to.deep.equal([['bob', 'Bob', 'connected']]);
    expect(bob.engine.peers.map((peer) => [peer.peerId, peer.name, peer.status])).to.deep.equal([['alice', 'Alice', 'connected']]);
    expect(alice.engine.peers[0].safetyCode).to.equal(bob.engine.peers[0].safetyCode);
    expect(alice.of('peer-chat-connect')).to.deep.equal([{ peerId: 'bob', name: 'Bob', safetyCode: alice.engine.peers[0].safetyCode }]);
  });

  it('dials once for concurrent connect() calls, and a failed dial fails them all at once', async () => {
    const w = world();
    const alice = await w.peer('alice');
    await w.peer('bob');
    let failDial!: (error: Error) => void;
    w.network.dialHook = () => new Promise<void>((_, reject) => (failDial = reject));
    const calls = [alice.engine.connect('bob'), alice.engine.connect('bob')];
    await settle();
    expect(w.network.dials).to.have.length(1);
    failDial(new PeerChatError(ErrorType.timeout, 'No answer from peer bob', 'bob'));
    const results = await Promise.allSettled(calls);
    expect(results.map((result) => result.status === 'rejected' && (result.reason as PeerChatError).type)).to.deep.equal([ErrorType.timeout, ErrorType.timeout]);
    expect(w.clock.now()).to.equal(0); // No waiting for a connect timeout.
  });

  it('a redial and a connect() to a dropped peer share one dial', async () => {
    const { w, alice } = await connectedPair();
    const before = w.network.dials.length;
    w.network.cut('alice', 'bob');
    await settle();
    expect(alice.engine.peers[0].status).to.equal('reconnecting');
    w.network.dialHook = () => 'hang';
    await w.clock.advance(TIMING.redialDelaysMs[0] + 10);
    expect(w.network.dials.length).to.equal(before + 1);
    void alice.engine.connect('bob').catch(() => {});
    await settle();
    expect(w.network.dials.length).to.equal(before + 1);
  });

  it('reports an unknown peer from the dial, without waiting', async () => {
    const w = world();
    const alice = await w.peer('alice');
    let error: unknown;
    await alice.engine.connect('nobody').catch((caught) => (error = caught));
    expect(error).to.be.instanceOf(PeerChatError);
    expect((error as PeerChatError).type).to.equal(ErrorType.unknownPeer);
    expect(alice.of('peer-chat-error').map((detail) => detail.type)).to.deep.equal([ErrorType.unknownPeer]);
  });
});

describe('engine: liveness', () => {
  it('reports a silent peer gone within 5 s, and re-dials it', async () => {
    const { w, alice } = await connectedPair();
    for (const link of w.network.between('alice', 'bob')) if (link.peerId === 'alice') link.mute = true; // bob's side goes quiet
    const dials = w.network.dials.length;
    await w.clock.advance(TIMING.silenceLimitMs + TIMING.pingIntervalMs);
    expect(alice.of('peer-chat-disconnect')).to.deep.equal([{ peerId: 'bob', reason: DisconnectReason.timeout }]);
    await w.clock.advance(TIMING.redialDelaysMs[0]);
    expect(w.network.dials.length).to.equal(dials + 1);
    expect(alice.of('peer-chat-connect').map((detail) => detail.peerId)).to.deep.equal(['bob', 'bob']);
    expect(alice.engine.peers[0].status).to.equal('connected');
  });

  it('an incoming link that never opens is dropped once its dialer would have given up: a connect() waiting on it fails, and the next one dials', async () => {
    // The connection never opens, and no close is heard.
    const { w, alice, bob } = await aliceAndBobOpeningLater();
    void bob.engine.connect('alice').catch(() => {});
    await settle();
    let failure: unknown = null;
    alice.engine.connect('bob').catch((error: unknown) => (failure = error));
    await w.clock.advance(TIMING.connectTimeoutMs - 1_000, 250);
    expect(failure).to.equal(null);
    await w.clock.advance(1_000, 250);
    expect(failure).to.be.instanceOf(PeerChatError);
    expect((failure as PeerChatError).type).to.equal(ErrorType.connection);
    expect(w.network.dials.filter((dial) => dial.from === 'alice')).to.deep.equal([]);
    void alice.engine.connect('bob').catch(() => {});
    await settle();
    expect(w.network.dials.filter((dial) => dial.from === 'alice')).to.deep.equal([{ from: 'alice', to: 'bob' }]);
  });

  it('an answering side whose link opens seconds after the offer, its frames held a moment longer, does not drop it as silent', async () => {
    // Alice takes bob's offer now; the link opens 5 s later, and what comes on it reaches her
    // engine a second after that (the transport reads the route first).
    const { w, alice, bob, open } = await aliceAndBobOpeningLater();
    const signaling = w.network.registered.get('alice')!;
    const incoming = signaling.listener.onIncoming;
    const held: Array<() => void> = [];
    signaling.listener.onIncoming = (link) => {
      incoming.call(signaling.listener, link);
      const engine = link.listener!;
      link.listener = {
        onOpen: () => held.push(() => engine.onOpen()),
        onControl: (data) => held.push(() => engine.onControl(data)),
        onBulk: (data) => held.push(() => engine.onBulk(data)),
        onClose: () => engine.onClose(),
      };
    };
    const connecting = bob.engine.connect('alice');
    await w.clock.advance(5_000, 250);
    open();
    await settle();
    await w.clock.advance(1_000, 250);
    for (const deliver of held.splice(0)) deliver();
    await connecting;
    await settle();
    expect(alice.engine.connectedPeers.map((peer) => peer.peerId)).to.deep.equal(['bob']);
    expect(alice.of('peer-chat-error')).to.deep.equal([]);
  });

  it('a late tick (a long task, a frozen tab) is not silence: no peer is dropped', async () => {
    const w = world();
    const alice = await w.peer('alice');
    const bob = await w.peer('bob');
    const carol = await w.peer('carol');
    await connectPair(alice, bob);
    await connectPair(alice, carol);
    await w.clock.advance(3000);
    // Ten seconds pass with no timer running anywhere: every peer was "silent" that long.
    await w.clock.jump(10_000);
    await w.clock.advance(3000);
    expect(alice.of('peer-chat-disconnect')).to.deep.equal([]);
    expect(alice.engine.peers.map((peer) => peer.status)).to.deep.equal(['connected', 'connected']);
  });

  it('a dial still running when the peer is disconnected does not bring it back', async () => {
    const w = world();
    const alice = await w.peer('alice');
    await w.peer('bob');
    let answer = () => {};
    w.network.dialHook = () => new Promise<void>((resolve) => (answer = resolve));
    const connecting = alice.engine.connect('bob').catch((error: PeerChatError) => error);
    await settle();
    alice.engine.disconnect('bob');
    answer();
    await w.clock.advance(5000);
    expect((await connecting) as PeerChatError).to.be.instanceOf(PeerChatError);
    expect(alice.of('peer-chat-connect')).to.deep.equal([]);
    expect(alice.engine.peers).to.deep.equal([]);
    // The link the dial made is closed again, at both ends.
    expect(w.network.between('alice', 'bob').map((link) => link.isOpen)).to.deep.equal([false, false]);
  });

  it('stops ticking when what a tick set off stops the engine', async () => {
    const w = world();
    // As a page that removes the element when a peer goes: the engine stops within that tick.
    const alice = await w.peer('alice', { onEvent: (name) => name === 'peer-chat-disconnect' && alice.engine.stop() });
    // A hand peer, which sets no timers of its own, says hello and then nothing more.
    const links = handPeer(w.network, 'hand', { relayedHello: encodeControl({ t: 'hello', v: 1, name: '', session: 's1' }) });
    await alice.engine.connect('hand');
    await w.clock.advance(TIMING.silenceLimitMs + TIMING.pingIntervalMs);
    expect(alice.of('peer-chat-disconnect')).to.have.length(1);
    expect(links[0].isOpen).to.equal(false);
    expect(w.clock.timersPending).to.equal(0);
  });

  it('gives up on a peer that does not come back within reconnect-timeout, failing its queue', async () => {
    const w = world();
    const alice = await w.peer('alice', { reconnectTimeout: 10_000 });
    const bob = await w.peer('bob');
    await connectPair(alice, bob);
    bob.engine.stop();
    await settle();
    const message = alice.engine.send('are you there?');
    expect(message.status).to.equal(MessageStatus.pending);
    await w.clock.advance(10_500, 250);
    expect(alice.engine.peers).to.deep.equal([]);
    expect(alice.engine.messages[0].status).to.equal(MessageStatus.failed);
    expect(alice.of('peer-chat-error').map((detail) => detail.type)).to.include(ErrorType.delivery);
  });

  it('gives up on a peer whose id now answers dials but never says hello: each such link does not restart its time', async () => {
    const w = world();
    const alice = await w.peer('alice', { reconnectTimeout: 30_000 });
    const bob = await w.peer('bob');
    await connectPair(alice, bob);
    bob.engine.stop();
    await settle();
    // Something else now holds bob's id: it takes the connection and stays silent.
    const silent = handPeer(w.network, 'bob');
    alice.engine.send('are you there?');
    await w.clock.advance(31_000, 250);
    expect(silent.length, 'alice re-dialed it').to.be.greaterThan(1);
    expect(alice.engine.peers).to.deep.equal([]);
    expect(alice.engine.messages[0].status).to.equal(MessageStatus.failed);
  });
});

describe('engine: delivery', () => {
  it('delivers messages sent during a drop exactly once and in order after the re-dial', async () => {
    const { w, alice, bob } = await connectedPair();
    bob.engine.send('one');
    await settle();
    w.network.cut('alice', 'bob');
    await settle();
    bob.engine.send('two');
    bob.engine.send('three');
    await w.clock.advance(2000);
    expect(alice.of('peer-chat-message').map((message) => message.text)).to.deep.equal(['one', 'two', 'three']);
    expect(bob.engine.messages.map((message) => message.status)).to.deep.equal(['delivered', 'delivered', 'delivered']);
  });

  /**
   * Alice and Bob connected, Alice waiting up to 10 minutes for Bob once he drops, Bob 10 s for
   * her. `drop()` cuts them apart for 15 s: Bob gives up on Alice, who keeps re-dialing him until
   * `back()`.
   */
  async function bobGivesUpAliceWaits() {
    const w = world();
    const alice = await w.peer('alice', { reconnectTimeout: 600_000 });
    const bob = await w.peer('bob', { reconnectTimeout: 10_000 });
    await connectPair(alice, bob);
    let offline = false;
    w.network.dialHook = () => (offline ? new Error('offline') : undefined);
    return {
      w,
      alice,
      bob,
      async drop() {
        offline = true;
        w.network.cut('alice', 'bob');
        await w.clock.advance(15_000);
        expect(bob.engine.peers).to.deep.equal([]);
        expect(alice.engine.peers.map((peer) => peer.status)).to.deep.equal(['reconnecting']);
      },
      async back() {
        offline = false;
        await w.clock.advance(5_000);
      },
    };
  }

  it('a peer that gave up on us while we kept it (a shorter reconnect-timeout) starts afresh with us: nothing is lost or refused', async () => {
    const { w, alice, bob, drop, back } = await bobGivesUpAliceWaits();
    alice.engine.send('a1');
    bob.engine.send('b1');
    await acknowledged(w);
    await drop();
    alice.engine.send('a2, while away');
    await back();
    expect(alice.engine.peers.map((peer) => peer.status)).to.deep.equal(['connected']);
    bob.engine.send('b2');
    await acknowledged(w);
    // Bob numbers from 1 again, and so does Alice for him: before, she took his b2 for a
    // duplicate of b1 (shown nowhere, yet acknowledged), and he refused her a2 as a gap.
    expect(alice.of('peer-chat-message').filter((message) => message.direction === 'in').map((message) => message.text)).to.deep.equal(['b1', 'b2']);
    expect(bob.of('peer-chat-message').filter((message) => message.direction === 'in').map((message) => message.text)).to.deep.equal(['a1', 'a2, while away']);
    expect(alice.engine.messages.filter((message) => message.direction === 'out').map((message) => message.status)).to.deep.equal(['delivered', 'delivered']);
    expect(alice.of('peer-chat-error')).to.deep.equal([]);
    expect(bob.of('peer-chat-error')).to.deep.equal([]);
  });

  it('a message whose ack was lost when the peer gave up on us is sent again under a new number, and shown once', async () => {
    const { w, alice, bob, drop, back } = await bobGivesUpAliceWaits();
    alice.engine.send('just before the drop');
    await settle(); // Bob has it; his ack, held for a read, never leaves
    await drop();
    await back();
    await acknowledged(w);
    expect(bob.of('peer-chat-message').map((message) => message.text)).to.deep.equal(['just before the drop']);
    expect(bob.engine.messages.map((message) => message.text)).to.deep.equal(['just before the drop']);
    expect(alice.engine.messages.map((message) => message.status)).to.deep.equal([MessageStatus.delivered]);
    // Still by number from then on.
    alice.engine.send('after');
    await acknowledged(w);
    expect(bob.engine.messages.map((message) => message.text)).to.deep.equal(['just before the drop', 'after']);
  });

  it('keeps the history in arrival order whatever the senders’ clocks say', async () => {
    const { w, alice, bob } = await connectedPair();
    alice.engine.send('question');
    await settle();
    // Bob's clock is an hour behind: his answer carries an earlier time than the question.
    w.clock.setWallTime(w.clock.wallTime() - 3_600_000);
    bob.engine.send('answer');
    await settle();
    expect(alice.engine.messages.map((message) => message.text)).to.deep.equal(['question', 'answer']);
    expect(alice.engine.entries.map((entry) => (entry.kind === 'message' ? entry.message.text : ''))).to.deep.equal(['question', 'answer']);
  });

  it('hands out copies: changing what a getter returned changes nothing inside', async () => {
    const { alice } = await connectedPair();
    alice.engine.send('hello');
    void alice.engine.sendFile(new File([new Uint8Array(100)], 'a.bin'), 'bob').catch(() => {});
    await settle();
    const [message] = alice.engine.messages;
    message.text = 'tampered';
    const [transfer] = alice.engine.transferList;
    transfer.status = 'done';
    expect(alice.engine.messages[0].text).to.equal('hello');
    expect(alice.engine.transferList[0].status).to.not.equal('done');
    expect(Object.keys(transfer).sort()).to.deep.equal(['bytes', 'direction', 'file', 'name', 'peerId', 'size', 'status', 'time', 'transferId', 'type']);
    alice.engine.peers[0].name = 'tampered';
    expect(alice.engine.peers[0].name).to.equal('');
  });

  it('hands out a message’s entry frozen, the same object until its status changes', async () => {
    const { w, alice } = await connectedPair();
    alice.engine.send('hello');
    const [pending] = alice.engine.recentEntries(1);
    expect(pending.kind === 'message' && pending.message.status).to.equal('pending');
    expect(Object.isFrozen(pending) && pending.kind === 'message' && Object.isFrozen(pending.message)).to.equal(true);
    expect(() => {
      if (pending.kind === 'message') (pending.message as ChatMessage).text = 'tampered';
    }).to.throw(TypeError);
    expect(alice.engine.recentEntries(1)[0]).to.equal(pending);
    await acknowledged(w);
    const [delivered] = alice.engine.recentEntries(1);
    expect(delivered).to.not.equal(pending);
    expect(delivered.kind === 'message' && [delivered.message.text, delivered.message.status]).to.deep.equal(['hello', 'delivered']);
    expect(alice.engine.entries[0]).to.equal(delivered);
  });
});

describe('engine: the hello relayed with the answer', () => {
  const hello = (name: string, session: string) => encodeControl({ t: 'hello', v: 1, name, session });

  /** Alice dials a hand peer that answers with `relayed`; returns the hand peer's end once alice's connect() settled. */
  async function dialHand(relayed: string, connected = true) {
    const w = world();
    const alice = await w.peer('alice');
    const links = handPeer(w.network, 'hand', { relayedHello: relayed });
    const connecting = alice.engine.connect('hand');
    if (connected) await connecting;
    await settle();
    return { w, alice, theirs: links[0], connecting };
  }

  it('the answering side says over the link the very hello it relayed, though mesh changed in between', async () => {
    const { w, alice, bob, open } = await aliceAndBobOpeningLater();
    const connecting = bob.engine.connect('alice');
    await settle();
    // Alice's answer, with her hello, is built; the owner turns groups on before the link opens.
    alice.engine.setMesh(true);
    open();
    await connecting;
    await w.clock.advance(2_000, 250);
    expect(bob.of('peer-chat-error')).to.deep.equal([]);
    expect(bob.engine.connectedPeers.map((peer) => peer.peerId)).to.deep.equal(['alice']);
    expect(alice.engine.connectedPeers.map((peer) => peer.peerId)).to.deep.equal(['bob']);
  });

  it('connects on the relayed hello, before the peer’s own arrives over the connection', async () => {
    const { alice, theirs } = await dialHand(hello('Bob', 's1'));
    expect(alice.engine.peers.map((peer) => [peer.peerId, peer.name, peer.status])).to.deep.equal([['hand', 'Bob', 'connected']]);
    expect(alice.of('peer-chat-connect').map(({ name }) => name)).to.deep.equal(['Bob']);
    // The peer's own, the same: taken as a confirmation, nothing more.
    theirs.sendControl(hello('Bob', 's1'));
    await settle();
    expect(alice.of('peer-chat-connect')).to.have.length(1);
    expect(alice.of('peer-chat-error')).to.deep.equal([]);
  });

  it('takes the name of the peer’s own hello over the relayed one', async () => {
    const { alice, theirs } = await dialHand(hello('Mallory', 's1'));
    theirs.sendControl(hello('Bob', 's1'));
    await settle();
    expect(alice.engine.peers.map((peer) => [peer.name, peer.status])).to.deep.equal([['Bob', 'connected']]);
    expect(alice.of('peer-chat-error')).to.deep.equal([]);
  });

  for (const [what, relayed, own] of [
    ['another session', hello('Bob', 'forged'), hello('Bob', 'real')],
    // A relay that adds readInAck would have us put read receipts where an older element never looks.
    ['readInAck relayed, none in its own', encodeControl({ t: 'hello', v: 1, name: 'Bob', session: 's1', readInAck: true }), hello('Bob', 's1')],
    ['none relayed, readInAck in its own', hello('Bob', 's1'), encodeControl({ t: 'hello', v: 1, name: 'Bob', session: 's1', readInAck: true })],
  ]) {
    it(`disconnects with a protocol error when the peer’s own hello differs from the relayed one: ${what}`, async () => {
      const { alice, theirs } = await dialHand(relayed);
      theirs.sendControl(own);
      await settle();
      const [error] = alice.of('peer-chat-error');
      expect(error).to.include({ type: ErrorType.protocol, peerId: 'hand' });
      expect(error.message).to.contain('another hello than the signaling server relayed');
      expect(alice.of('peer-chat-disconnect')).to.deep.equal([{ peerId: 'hand', reason: DisconnectReason.protocol }]);
      expect(alice.engine.peers).to.deep.equal([]);
    });
  }

  it('waits for the peer’s own hello when the relayed one says another version: what was queued does not go as plain text on the relay’s word', async () => {
    const w = world();
    const alice = await w.peer('alice');
    let relayed = hello('Bob', 's1');
    const links: FakeLink[] = [];
    handSignaling(w.network, 'hand', (link) => {
      link.answerHello = relayed;
      links.push(link as FakeLink);
    });
    await alice.engine.connect('hand');
    w.network.cut('alice', 'hand');
    await settle();
    alice.engine.send('queued while away');
    // Alice re-dials; the relay says another version, the peer itself ours.
    relayed = encodeControl({ t: 'hello', v: 2, name: 'Bob', session: 's1' });
    await w.clock.advance(TIMING.redialDelaysMs[0] + 10);
    const heard: string[] = [];
    links[1].listener = { onOpen() {}, onControl: (data) => heard.push(String(data)), onBulk() {}, onClose() {} };
    links[1].sendControl(hello('Bob', 's1'));
    await settle();
    expect(heard.filter((data) => !data.startsWith('{'))).to.deep.equal([]);
    expect(heard.map((data) => JSON.parse(data) as { t: string; text?: string }).filter((frame) => frame.t === 'msg').map((frame) => frame.text)).to.deep.equal(['queued while away']);
    expect(alice.engine.messages.map((message) => message.status)).to.deep.equal([MessageStatus.pending]);
    expect(alice.engine.peers.map((peer) => peer.status)).to.deep.equal(['connected']);
    expect(alice.of('peer-chat-error')).to.deep.equal([]);
  });

  for (const [what, relayed] of [
    ['not JSON', 'hello?'],
    ['another frame', encodeControl({ t: 'ping' })],
  ]) {
    it(`reports a relayed hello that is ${what}, and connects on the peer’s own`, async () => {
      const { alice, theirs, connecting } = await dialHand(relayed, false);
      const [error] = alice.of('peer-chat-error');
      expect(error).to.include({ type: ErrorType.protocol, peerId: 'hand' });
      expect(error.message).to.contain('malformed hello');
      expect(alice.engine.peers.map((peer) => peer.status)).to.deep.equal([]);
      theirs.sendControl(hello('Bob', 's1'));
      await connecting;
      expect(alice.engine.peers.map((peer) => [peer.name, peer.status])).to.deep.equal([['Bob', 'connected']]);
    });
  }
});

describe('engine: protocol versions', () => {
  it('a peer with another major version gets a clear error, and plain text both ways', async () => {
    const w = world();
    const alice = await w.peer('alice');
    const { links, heard } = await dialHandPeer(w, alice, 'future', { t: 'hello', v: 2, name: 'Future', session: 'f1' });
    const [theirs] = links;
    await settle();
    const [error] = alice.of('peer-chat-error');
    expect(error.type).to.equal(ErrorType.protocol);
    expect(error.message).to.contain('protocol version 2').and.contain('plain text');
    alice.engine.send('hi there');
    theirs.sendControl('hello from the future');
    await settle();
    expect(heard.at(-1)).to.equal('hi there');
    expect(alice.engine.messages.map((message) => [message.direction, message.text])).to.deep.equal([
      ['out', 'hi there'],
      ['in', 'hello from the future'],
    ]);
    let refused: unknown;
    await alice.engine.sendFile(new File(['x'], 'x.txt'), 'future').catch((caught) => (refused = caught));
    expect((refused as PeerChatError).type).to.equal(ErrorType.notConnected);
  });

  /**
   * Alice connected to a peer (played by hand) speaking version `before`, which drops and, its
   * page reloaded with another element, answers her re-dial speaking `after`; `whileAway` runs
   * while it is gone, `beforeHello` once the new link is up but has not said `hello` yet. What
   * the peer heard on the new link, and that link.
   */
  async function reloadedSpeaking(before: number, after: number, { whileAway = () => {}, beforeHello = () => {} }: { whileAway?: (alice: TestPeer) => void; beforeHello?: (alice: TestPeer) => void } = {}) {
    const w = world();
    const alice = await w.peer('alice');
    const { links } = await dialHandPeer(w, alice, 'future', { t: 'hello', v: before, name: 'Future', session: 'f1' });
    w.network.cut('alice', 'future');
    await settle();
    whileAway(alice);
    await w.clock.advance(TIMING.redialDelaysMs[0] + 10);
    const heard: string[] = [];
    links[1].listener = { onOpen() {}, onControl: (data) => heard.push(String(data)), onBulk() {}, onClose() {} };
    beforeHello(alice);
    links[1].sendControl(encodeControl({ t: 'hello', v: after, name: 'Future', session: 'f2' }));
    await settle();
    return { alice, heard, theirs: links[1] };
  }

  it('messages queued while a peer was away go to it as plain text when it comes back speaking another version', async () => {
    const { alice, heard } = await reloadedSpeaking(1, 2, {
      whileAway: (away) => {
        away.engine.send('sent while it was away');
        away.engine.send('and this');
        expect(away.engine.messages.map((message) => message.status)).to.deep.equal([MessageStatus.pending, MessageStatus.pending]);
      },
    });
    expect(heard.filter((data) => !String(data).startsWith('{'))).to.deep.equal(['sent while it was away', 'and this']);
    expect(alice.engine.messages.map((message) => message.status)).to.deep.equal([MessageStatus.delivered, MessageStatus.delivered]);
  });

  it('a peer that spoke another version and comes back speaking ours gets our protocol again, not plain text', async () => {
    // Sent once the new link is up, before its hello: queued, not sent as plain text.
    const { alice, heard, theirs } = await reloadedSpeaking(2, 1, { beforeHello: (back) => back.engine.send('sent before its hello') });
    alice.engine.send('framed again');
    theirs.sendControl(encodeControl({ t: 'msg', id: 'f-1', text: 'framed from there', time: 1, seq: 1 }));
    await settle();
    expect(heard.filter((data) => !data.startsWith('{'))).to.deep.equal([]);
    const frames = heard.map((data) => JSON.parse(data) as { t: string; text?: string; seq?: number });
    expect(frames.filter((frame) => frame.t === 'msg').map(({ text, seq }) => [text, seq])).to.deep.equal([
      ['sent before its hello', 1],
      ['framed again', 2],
    ]);
    expect(alice.engine.messages.filter((message) => message.direction === 'in').map((message) => message.text)).to.deep.equal(['framed from there']);
    expect(alice.of('peer-chat-error').map((error) => error.type)).to.deep.equal([ErrorType.protocol]); // the one for version 2
  });

  it('a peer that comes back as a plain PeerJS app gets what was queued as plain text, and its transfers end', async () => {
    const { w, alice, bob } = await connectedPair();
    let refused: unknown;
    const sending = alice.engine.sendFile(new File(['x'], 'x.txt'), 'bob').catch((caught) => (refused = caught));
    await settle();
    bob.engine.stop();
    await settle();
    alice.engine.send('sent while it was away');
    expect(alice.engine.messages.map((message) => message.status)).to.deep.equal([MessageStatus.pending]);
    // A plain PeerJS app registers under bob's id and dials alice (a link that speaks no protocol).
    const app = handSignaling(w.network, 'bob');
    await settle();
    const dialing = app.dial('alice');
    const [appEnd, aliceEnd] = w.network.links.slice(-2);
    aliceEnd.speaksProtocol = false;
    const heard: unknown[] = [];
    appEnd.listener = { onOpen() {}, onControl: (data) => heard.push(data), onBulk() {}, onClose() {} };
    await dialing;
    await sending;
    await settle();
    expect(heard).to.deep.equal(['sent while it was away']);
    expect(alice.engine.messages.map((message) => message.status)).to.deep.equal([MessageStatus.delivered]);
    expect((refused as PeerChatError).message).to.contain('The peer came back without this version of the chat protocol');
  });

  it('a peer that comes back under the same session speaking another version: our files to it end, not paused for good', async () => {
    const w = world();
    const alice = await w.peer('alice');
    const { links } = await dialHandPeer(w, alice, 'future', { t: 'hello', v: 1, name: 'Future', session: 'f1' });
    let refused: unknown;
    const sending = alice.engine.sendFile(new File(['x'], 'x.txt'), 'future').catch((caught) => (refused = caught));
    await settle();
    w.network.cut('alice', 'future');
    await settle();
    await w.clock.advance(TIMING.redialDelaysMs[0] + 10);
    // Its page was reloaded with another version, which kept the stored session.
    links[1].listener = { onOpen() {}, onControl() {}, onBulk() {}, onClose() {} };
    links[1].sendControl(encodeControl({ t: 'hello', v: 2, name: 'Future', session: 'f1' }));
    await sending;
    expect((refused as PeerChatError).message).to.contain('The peer came back without this version of the chat protocol');
  });

  it('a peer of our version gets no such error', async () => {
    const { alice, bob } = await connectedPair();
    expect(alice.of('peer-chat-error')).to.deep.equal([]);
    expect(bob.of('peer-chat-error')).to.deep.equal([]);
  });
});

describe('engine: history', () => {
  it('keeps the newest max-history messages and finished transfers, and releases what leaves', async () => {
    const w = world();
    const discarded: string[] = [];
    const alice = await w.peer('alice', { maxHistory: 3 });
    const bob = await w.peer('bob', {
      acceptFiles: 'always',
      openSink: async () => {
        const sink = new MemorySink();
        const discard = sink.discard.bind(sink);
        sink.discard = () => (discarded.push('file'), discard());
        return sink;
      },
      maxHistory: 2,
    });
    await connectPair(alice, bob);
    await alice.engine.sendFile(new File([new Uint8Array(1000)], 'one.bin'), 'bob');
    await settle();
    for (const text of ['a', 'b', 'c']) alice.engine.send(text);
    await settle();
    expect(alice.engine.messages.map((message) => message.text)).to.deep.equal(['a', 'b', 'c']);
    expect(alice.engine.transferList).to.deep.equal([]);
    expect(bob.engine.messages.map((message) => message.text)).to.deep.equal(['b', 'c']);
    expect(discarded).to.deep.equal(['file']);
  });

  it('never drops a transfer that is still running, and clearHistory() keeps it too', async () => {
    const w = world();
    const alice = await w.peer('alice', { maxHistory: 1 });
    const bob = await w.peer('bob');
    await connectPair(alice, bob);
    void alice.engine.sendFile(new File([new Uint8Array(1000)], 'waiting.bin'), 'bob').catch(() => {});
    await settle();
    alice.engine.send('x');
    alice.engine.send('y');
    expect(alice.engine.entries.map((entry) => entry.kind)).to.deep.equal(['transfer', 'message']);
    alice.engine.clearHistory();
    expect(alice.engine.entries.map((entry) => (entry.kind === 'transfer' ? entry.transfer.status : 'message'))).to.deep.equal([TransferStatus.waiting]);
  });
});

/**
 * Alice sends bob 200,000 bytes (`seed` varies them), and bob accepts them while his file
 * storage stays closed until `openStorage()`.
 */
async function acceptedWhileStorageHeldBack(seed: number) {
  const w = world();
  let open = () => {};
  const alice = await w.peer('alice');
  const bob = await w.peer('bob', { openSink: () => new Promise<FileSink>((resolve) => (open = () => resolve(new MemorySink()))) });
  await connectPair(alice, bob);
  const bytes = new Uint8Array(200_000).map((_, i) => (i * seed) & 0xff);
  const sent = alice.engine.sendFile(new File([bytes], 'held.bin'), 'bob');
  await settle();
  bob.engine.transfers.accept(bob.of('peer-chat-file-offer')[0].transferId);
  await settle();
  return { w, alice, bob, bytes, sent, openStorage: () => open() };
}

describe('engine: accepting a file', () => {
  it('asks for the bytes at once, while the file’s storage still opens, and stores them once it is open', async () => {
    const { alice, bob, bytes, sent, openStorage } = await acceptedWhileStorageHeldBack(11);
    // The sender was answered and sends, while nothing can be stored, so nothing is acknowledged.
    expect(alice.engine.transferList[0]).to.include({ status: TransferStatus.active, bytes: 0 });
    expect(bob.engine.transferList[0]).to.include({ status: TransferStatus.active, bytes: 0 });
    openStorage();
    await sent;
    const [received] = bob.of('peer-chat-file');
    expect(new Uint8Array(await received.file.arrayBuffer())).to.deep.equal(bytes);
  });

  it('when the storage cannot open, both sides end the transfer with the reason, though the bytes were asked for', async () => {
    const w = world();
    const alice = await w.peer('alice');
    const bob = await w.peer('bob', {
      acceptFiles: 'always',
      openSink: async () => {
        throw new PeerChatError(ErrorType.fileTooLarge, 'no file storage here');
      },
    });
    await connectPair(alice, bob);
    const failure = alice.engine.sendFile(new File([new Uint8Array(300_000)], 'nowhere.bin'), 'bob').catch((error: unknown) => error);
    await settle();
    const error = await failure;
    expect(error).to.be.instanceOf(PeerChatError);
    expect((error as PeerChatError).message).to.include('could not store the file: no file storage here');
    expect(alice.engine.transferList[0].status).to.equal(TransferStatus.cancelled);
    expect(bob.engine.transferList[0]).to.include({ status: TransferStatus.failed, reason: 'could not store the file: no file storage here' });
    expect(bob.of('peer-chat-error').map((detail) => detail.type)).to.deep.equal([ErrorType.transfer]);
    expect(bob.of('peer-chat-file')).to.deep.equal([]);
  });
});

describe('engine: transfers across a drop', () => {
  it('a drop while the accepted file’s storage opens does not stall it: it completes after the peer returns', async () => {
    const { w, bob, bytes, sent, openStorage } = await acceptedWhileStorageHeldBack(7);
    expect(bob.engine.transferList[0].status).to.equal(TransferStatus.active);
    // The link drops before the storage is open.
    w.network.cut('alice', 'bob');
    await settle();
    openStorage();
    await settle();
    expect(bob.engine.transferList[0].status).to.equal(TransferStatus.paused);
    await w.clock.advance(2000);
    await sent;
    const [received] = bob.of('peer-chat-file');
    expect(new Uint8Array(await received.file.arrayBuffer())).to.deep.equal(bytes);
    expect(bob.engine.transferList[0].status).to.equal(TransferStatus.done);
  });
});

describe('engine: a link replaced while it looked alive', () => {
  it('pauses the sender’s transfer on it, which is offered again over the new link and completes', async () => {
    const w = world();
    let openStorage = () => {};
    // Alice (the smaller id, who re-dials) receives; her storage opens late, so nothing is acknowledged yet.
    const alice = await w.peer('alice', { openSink: () => new Promise<FileSink>((resolve) => (openStorage = () => resolve(new MemorySink()))) });
    const bob = await w.peer('bob');
    await connectPair(alice, bob);
    const bytes = new Uint8Array(200_000).map((_, i) => (i * 13) & 0xff);
    const sent = bob.engine.sendFile(new File([bytes], 'replaced.bin'), 'alice');
    await settle();
    alice.engine.transfers.accept(alice.of('peer-chat-file-offer')[0].transferId);
    await settle();
    expect(bob.engine.transferList[0].status).to.equal(TransferStatus.active);
    // Bob's frames stop reaching Alice, and he never hears that she closed the link: she drops
    // it as silent and dials again, and the new link replaces the old one at Bob's end.
    const [old] = w.network.between('alice', 'bob').filter((link) => link.peerId === 'alice');
    old.mute = true;
    old.cut = () => {};
    await w.clock.advance(TIMING.silenceLimitMs + TIMING.pingIntervalMs + TIMING.redialDelaysMs[0]);
    const fresh = w.network.between('alice', 'bob').find((link) => link.peerId === 'alice' && link !== old)!;
    expect(fresh.isOpen).to.equal(true);
    expect(fresh.sent.map((frame) => JSON.parse(frame) as { t: string }).filter((frame) => frame.t === 'offer')).to.have.length(1);
    openStorage();
    await w.clock.advance(2000);
    await sent;
    expect(bob.engine.transferList[0].status).to.equal(TransferStatus.done);
    const [received] = alice.of('peer-chat-file');
    expect(new Uint8Array(await received.file.arrayBuffer())).to.deep.equal(bytes);
  });
});

describe('engine: the file-transfer machinery, loaded on demand', () => {
  /** A loader that holds the machinery back until `release()`, and counts how often it was asked. */
  function gatedLoader() {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const loader = {
      loads: 0,
      release,
      load: async () => {
        loader.loads++;
        await gate;
        return fileTransfer;
      },
    };
    return loader;
  }

  it('is not loaded for a chat without files', async () => {
    const w = world();
    const loader = gatedLoader();
    const alice = await w.peer('alice', { loadFileTransfer: loader.load });
    const bob = await w.peer('bob');
    await connectPair(alice, bob);
    bob.engine.send('hi');
    await settle();
    alice.engine.disconnect('bob');
    await settle();
    expect(alice.engine.messages.map((message) => message.text)).to.deep.equal(['hi']);
    expect(loader.loads).to.equal(0);
  });

  it('loads on the first transfer frame; the frames that arrive meanwhile are handled in order', async () => {
    const w = world();
    const loader = gatedLoader();
    const alice = await w.peer('alice');
    const bob = await w.peer('bob', { acceptFiles: 'always', loadFileTransfer: loader.load });
    await connectPair(alice, bob);
    const first = alice.engine.sendFile(new File([new Uint8Array(1000)], 'first.bin'), 'bob').catch((error: unknown) => error);
    const second = alice.engine.sendFile(new File([new Uint8Array(2000).fill(7)], 'second.bin'), 'bob');
    await settle();
    alice.engine.transfers.cancel(alice.engine.transferList[0].transferId);
    await settle();
    expect(loader.loads).to.equal(1);
    expect(bob.engine.transferList).to.deep.equal([]);
    loader.release();
    await second;
    expect(String(await first)).to.contain('cancelled');
    await settle();
    expect(bob.engine.transferList.map(({ name, status }) => [name, status])).to.deep.equal([
      ['first.bin', TransferStatus.cancelled],
      ['second.bin', TransferStatus.done],
    ]);
    // The cancellation, told; no frame was found out of order.
    expect(bob.of('peer-chat-error').map(({ type }) => type)).to.deep.equal([ErrorType.transfer]);
    expect(loader.loads).to.equal(1);
  });

  it('that fails to load: sendFile rejects, the error is reported, and the next file tries again', async () => {
    const w = world();
    let loads = 0;
    const alice = await w.peer('alice', {
      loadFileTransfer: async () => {
        if (++loads === 1) throw new Error('offline');
        return fileTransfer;
      },
    });
    const bob = await w.peer('bob', { acceptFiles: 'always' });
    await connectPair(alice, bob);
    let error: unknown;
    await alice.engine.sendFile(new File(['x'], 'x.txt'), 'bob').catch((caught) => (error = caught));
    expect(String(error)).to.contain('offline');
    expect(alice.of('peer-chat-error').map(({ type }) => type)).to.deep.equal([ErrorType.transfer]);
    await alice.engine.sendFile(new File(['y'], 'y.txt'), 'bob');
    expect(bob.engine.transferList.map(({ name, status }) => [name, status])).to.deep.equal([['y.txt', TransferStatus.done]]);
  });
});
