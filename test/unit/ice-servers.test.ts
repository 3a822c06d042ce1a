/**
 * `ice-servers-url` on the engine, with a fake clock: fetched before registering, refreshed
 * before the ttl runs out, each dial with the freshest servers; a failed fetch is reported
 * once and `ice-servers` stays in use. And `route` on peers and in `peer-chat-connect`.
 */
import { expect } from '@open-wc/testing';
import { ICE_REFRESH, parseIceServersDocument } from '../../src/engine/ice-servers.js';
import { settle } from '../support/fake-clock.js';
import { connectPair, world } from '../support/engine-harness.js';

const URL = 'https://chat.example/peerjs/ice';
const turn = (n: number) => [{ urls: 'turn:turn.example:3478', username: `${n}:alice`, credential: `secret-${n}` }];

describe('engine: ice-servers-url', () => {
  it('registers only after the first fetch, and refreshes before the ttl runs out', async () => {
    const w = world();
    const fetched: string[] = [];
    let answer!: (document: unknown) => void;
    const fetchJson = (url: string) => {
      fetched.push(url);
      return new Promise<unknown>((resolve) => (answer = resolve));
    };
    const alicePromise = w.peer('alice', { iceServersUrl: URL, fetchJson });
    await settle();
    expect(fetched).to.deep.equal([URL]);
    expect(w.network.registered.has('alice')).to.equal(false);
    answer({ iceServers: turn(1), ttl: 100 });
    const alice = await alicePromise;
    await settle();
    expect(w.network.registered.has('alice')).to.equal(true);
    await w.peer('bob');

    await alice.engine.connect('bob');
    // 70 s later (30 s before they expire, which is sooner than 0.8 of the ttl), not before, they are fetched again.
    expect(100_000 - ICE_REFRESH.keepValidMs).to.be.below(100_000 * ICE_REFRESH.atShareOfTtl);
    await w.clock.advance(100_000 - ICE_REFRESH.keepValidMs - 100, 1000);
    expect(fetched).to.have.length(1);
    await w.clock.advance(200);
    expect(fetched).to.have.length(2);
    answer({ iceServers: turn(2), ttl: 100 });
    await settle();
    alice.engine.disconnect('bob');
    await alice.engine.connect('bob');
    expect(w.network.iceServersAtDial.get('alice')).to.deep.equal([turn(1), turn(2)]);
    expect(alice.of('peer-chat-error')).to.deep.equal([]);
  });

  it('a fetch that fails is reported once, naming the URL; ice-servers stay in use and it is tried again', async () => {
    const w = world();
    let calls = 0;
    const fetchJson = async () => {
      calls++;
      if (calls < 3) throw new Error('HTTP 503');
      return { iceServers: turn(3), ttl: 3600 };
    };
    const alice = await w.peer('alice', { iceServersUrl: URL, fetchJson });
    await settle();
    expect(w.network.registered.has('alice')).to.equal(true);
    expect(alice.of('peer-chat-error')).to.deep.equal([
      { type: 'signaling', message: `Could not get ICE servers from ${URL}: HTTP 503; using ice-servers instead` },
    ]);
    await w.peer('bob');
    await alice.engine.connect('bob');
    await w.clock.advance(ICE_REFRESH.retryMs * 2 + 100, 1000);
    expect(calls).to.equal(3);
    expect(alice.of('peer-chat-error')).to.have.length(1);
    alice.engine.disconnect('bob');
    await alice.engine.connect('bob');
    expect(w.network.iceServersAtDial.get('alice')).to.deep.equal([[], turn(3)]);
  });

  it('is not loaded without ice-servers-url; when its part fails to load, registration goes on with ice-servers', async () => {
    const w = world();
    let loads = 0;
    const loadIceServers = async () => {
      loads++;
      throw new Error('offline');
    };
    await w.peer('bob', { loadIceServers });
    expect(loads).to.equal(0);
    const alice = await w.peer('alice', { iceServersUrl: URL, loadIceServers });
    expect(loads).to.equal(1);
    expect(w.network.registered.has('alice')).to.equal(true);
    expect(alice.of('peer-chat-error')).to.deep.equal([
      { type: 'signaling', message: `Could not get ICE servers from ${URL}: Error: offline; using ice-servers instead` },
    ]);
  });

  it('a fetch that never answers stops holding up registration after the timeout', async () => {
    const w = world();
    const alicePromise = w.peer('alice', { iceServersUrl: URL, fetchJson: () => new Promise(() => {}) });
    // The fetch starts once its part is loaded.
    await settle();
    await w.clock.advance(ICE_REFRESH.timeoutMs + 50, 1000);
    const alice = await alicePromise;
    expect(w.network.registered.has('alice')).to.equal(true);
    expect(alice.of('peer-chat-error').map((error) => error.message)).to.deep.equal([
      `Could not get ICE servers from ${URL}: no answer within 10 s; using ice-servers instead`,
    ]);
  });

  it('refreshes a long ttl at 0.8 of it, and a ttl shorter than the margin every second', async () => {
    const w = world();
    const fetched: number[] = [];
    let ttl = 3600;
    await w.peer('alice', { iceServersUrl: URL, fetchJson: async () => (fetched.push(w.clock.now()), { iceServers: [], ttl }) });
    await w.clock.advance(2880_000, 60_000);
    expect(fetched).to.deep.equal([0, 2880_000]);
    ttl = 4;
    await w.clock.advance(2880_000 + 2000, 1000);
    expect(fetched.slice(2)).to.deep.equal([5760_000, 5761_000, 5762_000]);
  });

  it('stopping the engine stops the refreshes', async () => {
    const w = world();
    let calls = 0;
    const alice = await w.peer('alice', { iceServersUrl: URL, fetchJson: async () => (calls++, { iceServers: [], ttl: 10 }) });
    alice.engine.stop();
    await w.clock.advance(60_000, 1000);
    expect(calls).to.equal(1);
  });

  it('checks the document', () => {
    expect(parseIceServersDocument({ iceServers: turn(1), ttl: 60 })).to.deep.equal({ iceServers: turn(1), ttlMs: 60_000 });
    expect(parseIceServersDocument([])).to.equal('"iceServers": expected a JSON array of RTCIceServer');
    const urlsNeeded = '"iceServers": each entry needs "urls": stun:, stuns:, turn: or turns: URLs (a string or an array), and "username" and "credential" for turn: ones';
    expect(parseIceServersDocument({ iceServers: [{ url: 'turn:x' }], ttl: 60 })).to.equal(urlsNeeded);
    // What RTCPeerConnection would refuse at the first dial: no scheme, no URL, a relay without credentials.
    for (const server of [{ urls: 'stun.example:19302' }, { urls: [] }, { urls: ['stun:a', 'https://b'] }, { urls: 'turn:turn.example', username: 'u' }, { urls: 'TURNS:turn.example', credential: 'c' }]) {
      expect(parseIceServersDocument({ iceServers: [server], ttl: 60 })).to.equal(urlsNeeded);
    }
    const fine = [{ urls: ['stun:a', 'STUN:b:3478'] }, { urls: 'turns:c?transport=tcp', username: 'u', credential: 'c' }];
    expect(parseIceServersDocument({ iceServers: fine, ttl: 60 })).to.deep.equal({ iceServers: fine, ttlMs: 60_000 });
    expect(() => new RTCPeerConnection({ iceServers: fine }).close()).not.to.throw();
    // RFC 7064's, which Chromium takes and Firefox refuses: not the list's fault.
    expect(parseIceServersDocument({ iceServers: [{ urls: 'stuns:d:5349' }], ttl: 60 })).to.not.be.a('string');
    expect(parseIceServersDocument({ iceServers: [], ttl: 0 })).to.equal('"ttl" must be a positive number of seconds');
    expect(parseIceServersDocument({ iceServers: [], ttl: '60' })).to.equal('"ttl" must be a positive number of seconds');
    expect(parseIceServersDocument(null)).to.equal('expected a JSON object { "iceServers": [...], "ttl": seconds }');
  });
});

describe('engine: route', () => {
  it('tells the route in peer-chat-connect and on peers, and follows a switch', async () => {
    const w = world();
    w.network.route = 'relay';
    const alice = await w.peer('alice');
    const bob = await w.peer('bob');
    await connectPair(alice, bob);
    expect(alice.of('peer-chat-connect').map((detail) => detail.route)).to.deep.equal(['relay']);
    expect(bob.of('peer-chat-connect').map((detail) => detail.route)).to.deep.equal(['relay']);
    expect(alice.engine.peers.map((peer) => peer.route)).to.deep.equal(['relay']);
    const [aliceEnd] = w.network.between('alice', 'bob').filter((link) => link.peerId === 'bob');
    aliceEnd.switchRoute('direct');
    expect(alice.engine.peers.map((peer) => peer.route)).to.deep.equal(['direct']);
  });

  it('has no route while the peer is being reconnected', async () => {
    const w = world();
    w.network.route = 'direct';
    const alice = await w.peer('alice');
    const bob = await w.peer('bob');
    await connectPair(alice, bob);
    w.network.cut('alice', 'bob');
    await settle();
    expect(alice.engine.peers.map((peer) => [peer.status, peer.route])).to.deep.equal([['reconnecting', undefined]]);
  });
});
