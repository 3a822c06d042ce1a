/** `mesh` on its own: groups of engines on the fake network, and a hostile member, in fake time. */
import { expect } from '@open-wc/testing';
import { ErrorType, PeerChatError } from '../../src/errors.js';
import { LIMITS, encodeControl } from '../../src/engine/protocol.js';
import { Direction } from '../../src/engine/types.js';
import { settle } from '../support/fake-clock.js';
import { connectPair, world, type TestPeer, type TestWorld } from '../support/engine-harness.js';
import { handPeer, type FakeLink } from '../support/fake-network.js';

const connected = (peer: TestPeer) => peer.engine.connectedPeers.map((info) => info.peerId).sort();
const received = (peer: TestPeer) => peer.of('peer-chat-message').filter((message) => message.direction === Direction.in).map((message) => message.text);

/** A group member the test speaks for: connected to `alice`, its hello sent. */
async function handMember(w: TestWorld, alice: TestPeer, id: string): Promise<FakeLink> {
  const links = handPeer(w.network, id);
  const connecting = alice.engine.connect(id);
  await settle();
  const [theirs] = links;
  theirs.listener = { onOpen() {}, onControl() {}, onBulk() {}, onClose() {} };
  theirs.sendControl(encodeControl({ t: 'hello', v: 1, name: id, session: `${id}-session`, mesh: true }));
  await connecting;
  await settle();
  return theirs;
}

const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);

describe('engine: mesh', () => {
  it('whoever joins one member is connected to every member, the smaller id dialing; a message to all reaches all', async () => {
    const w = world();
    const alice = await w.peer('alice', { mesh: true });
    const bob = await w.peer('bob', { mesh: true });
    const carol = await w.peer('carol', { mesh: true });
    const dave = await w.peer('dave', { mesh: true });
    await connectPair(alice, bob);
    await connectPair(carol, bob);
    await connectPair(dave, carol);
    await settle();
    expect(connected(alice)).to.deep.equal(['bob', 'carol', 'dave']);
    expect(connected(bob)).to.deep.equal(['alice', 'carol', 'dave']);
    expect(connected(carol)).to.deep.equal(['alice', 'bob', 'dave']);
    expect(connected(dave)).to.deep.equal(['alice', 'bob', 'carol']);
    // Introduced pairs were dialed once each, by the smaller id: no crossed connections.
    const asked = ['alice>bob', 'carol>bob', 'dave>carol'];
    const introduced = w.network.dials.map((dial) => `${dial.from}>${dial.to}`).filter((dial) => !asked.includes(dial)).sort();
    expect(introduced).to.deep.equal(['alice>carol', 'alice>dave', 'bob>dave']);
    dave.engine.send('hello, everyone');
    await settle();
    for (const member of [alice, bob, carol]) expect(received(member)).to.deep.equal(['hello, everyone']);
  });

  it('introduces only among elements with mesh', async () => {
    const w = world();
    const alice = await w.peer('alice');
    const bob = await w.peer('bob', { mesh: true });
    const carol = await w.peer('carol', { mesh: true });
    await connectPair(alice, bob);
    await connectPair(carol, bob);
    await settle();
    expect(connected(alice)).to.deep.equal(['bob']);
    expect(connected(carol)).to.deep.equal(['bob']);
    expect(w.network.dials).to.have.length(2);
    // And an element without mesh ignores nothing it understands: it was never sent "peers".
    expect(alice.of('peer-chat-error')).to.deep.equal([]);
  });

  it('a hostile member cannot make us dial without bound: each member introduces at most maxGroupSize ids', async () => {
    const w = world();
    const alice = await w.peer('alice', { mesh: true });
    const mallory = await handMember(w, alice, 'mallory');
    // Every introduced id is unknown to the server: the dials fail and the sessions go.
    w.network.dialHook = (_from, to) => (to.startsWith('x') ? new PeerChatError(ErrorType.unknownPeer, 'no such peer', to) : undefined);
    for (let round = 0; round < 10; round++) {
      mallory.sendControl(encodeControl({ t: 'peers', ids: ids(`x${round}-`, LIMITS.maxGroupSize) }));
      await settle();
    }
    expect(w.network.dials.filter((dial) => dial.to.startsWith('x'))).to.have.length(LIMITS.maxGroupSize);
    expect(alice.of('peer-chat-error')).to.deep.equal([]);
  });

  it('a hostile member cannot make us hold more than maxGroupSize peers', async () => {
    const w = world();
    const alice = await w.peer('alice', { mesh: true });
    const mallory = await handMember(w, alice, 'mallory');
    const trudy = await handMember(w, alice, 'trudy');
    w.network.dialHook = (_from, to) => (to.startsWith('x') || to.startsWith('y') ? 'hang' : undefined);
    mallory.sendControl(encodeControl({ t: 'peers', ids: ids('x', LIMITS.maxGroupSize) }));
    trudy.sendControl(encodeControl({ t: 'peers', ids: ids('y', LIMITS.maxGroupSize) }));
    await settle();
    // mallory and trudy, plus dials up to the bound.
    expect(w.network.dials.filter((dial) => dial.to.startsWith('x') || dial.to.startsWith('y'))).to.have.length(LIMITS.maxGroupSize - 2);
  });

  it('rejects a peers frame over the limit, and one from a peer outside a group', async () => {
    const w = world();
    const alice = await w.peer('alice', { mesh: true });
    const mallory = await handMember(w, alice, 'mallory');
    mallory.sendControl(encodeControl({ t: 'peers', ids: ids('x', LIMITS.maxGroupSize + 1) }));
    await settle();
    const links = handPeer(w.network, 'oscar');
    const connecting = alice.engine.connect('oscar');
    await settle();
    const [oscar] = links;
    oscar.listener = { onOpen() {}, onControl() {}, onBulk() {}, onClose() {} };
    oscar.sendControl(encodeControl({ t: 'hello', v: 1, name: 'Oscar', session: 'o1' }));
    await connecting;
    oscar.sendControl(encodeControl({ t: 'peers', ids: ['zed'] }));
    await settle();
    expect(alice.of('peer-chat-error').map((error) => [error.type, error.peerId])).to.deep.equal([
      [ErrorType.protocol, 'mallory'],
      [ErrorType.protocol, 'oscar'],
    ]);
    expect(w.network.dials.map((dial) => dial.to)).to.deep.equal(['mallory', 'oscar']);
  });
});
