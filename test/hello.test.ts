import { expect } from '@open-wc/testing';
import { collect, createChat, nextEvent, startSignaling, stopSignaling, until } from './support/helpers.js';
import { RawPeer } from './support/raw-peer.js';
import type { PeerChat } from '../src/peer-chat.js';

/**
 * The `hello` handshake over real PeerJS, a real signaling server and WebRTC (docs/protocol.md):
 * the answering side also sends its `hello` with the answer the signaling server relays, so
 * the dialer need not wait for it over the connection; the peer's own `hello` wins over the
 * relayed one.
 */
describe('<peer-chat> hello, relayed with the answer', () => {
  let port: number;
  let chat: PeerChat;
  let raw: RawPeer;

  before(async () => {
    port = await startSignaling();
  });
  after(() => stopSignaling(port));
  beforeEach(async () => {
    chat = await createChat(port, { name: 'Element' });
    raw = await RawPeer.create(port);
  });
  afterEach(() => raw.close());

  it('answers with its hello in the signaling answer too, the same as on the control channel', async () => {
    await raw.dial(chat.peerId);
    const relayed = raw.answers.map((payload) => payload.hello);
    expect(relayed).to.have.length(1);
    expect(JSON.parse(String(relayed[0]))).to.deep.equal(raw.frames.find((frame) => frame.t === 'hello'));
    expect(raw.frames.find((frame) => frame.t === 'hello')).to.include({ t: 'hello', v: 1, name: 'Element' });
  });

  it('lets go at once of an incoming connection the signaling server ends before it opens (LEAVE): a connect() to that peer dials it', async () => {
    // An offer whose connection can never open (its side never takes the answer), then the
    // server's LEAVE for its peer, on which PeerJS closes the connection without a `close`.
    const never = new RTCPeerConnection();
    never.createDataChannel('never');
    await never.setLocalDescription(await never.createOffer());
    const connectionId = `dc_never${Date.now()}`;
    const metadata = { peerChat: 1, name: 'raw' };
    const payload = { sdp: never.localDescription, type: 'data', connectionId, label: connectionId, metadata, reliable: true, serialization: 'raw' };
    raw.peer.socket.send({ type: 'OFFER', dst: chat.peerId, payload });
    await until(() => raw.answers.length === 1, 'the element’s answer');
    raw.peer.socket.send({ type: 'LEAVE', dst: chat.peerId });
    const offers: unknown[] = [];
    raw.peer.socket.on('message', (message: { type?: string }) => message.type === 'OFFER' && offers.push(message));
    await new Promise((resolve) => setTimeout(resolve, 500));
    void chat.connect(raw.id).catch(() => {});
    await until(() => offers.length > 0, 'the element dialing the peer', 5_000);
    never.close();
  });

  it('an EXPIRE for no dial of its own (the server gave up on our answer to a dialer that left) is no error to report', async () => {
    const errors = collect(chat, 'peer-chat-error');
    raw.peer.socket.send({ type: 'EXPIRE', dst: chat.peerId });
    const dialing = chat.connect('nobody-here').catch((error: { type: string }) => error.type);
    expect(await dialing).to.equal('unknown-peer');
    expect(errors.map(({ type, peerId }) => ({ type, peerId }))).to.deep.equal([{ type: 'unknown-peer', peerId: 'nobody-here' }]);
  });

  it('connects on the hello relayed with the answer alone, before any hello over the connection', async () => {
    const answered = raw.answer('Raw answerer', { relayed: true, control: false });
    const connectEvents = collect(chat, 'peer-chat-connect');
    await chat.connect(raw.id);
    await answered;
    expect(chat.connectedPeers).to.deep.equal([raw.id]);
    expect(connectEvents.map(({ peerId, name }) => ({ peerId, name }))).to.deep.equal([{ peerId: raw.id, name: 'Raw answerer' }]);
    await chat.send('before the peer’s own hello');
    expect((await raw.next((frame) => frame.t === 'msg')).text).to.equal('before the peer’s own hello');
    // The element's own hello went out on the control channel, before anything else.
    expect(raw.frames[0]).to.include({ t: 'hello', v: 1, name: 'Element' });
  });

  it('connects on the control channel’s hello where the answer carries none (a 0.2 element, a server that drops it)', async () => {
    const answered = raw.answer('Raw answerer', { relayed: false, control: true });
    await chat.connect(raw.id);
    await answered;
    expect(chat.peers.map(({ peerId, name }) => ({ peerId, name }))).to.deep.equal([{ peerId: raw.id, name: 'Raw answerer' }]);
  });

  it('takes the same hello relayed and over the connection as one: connects once, with no error', async () => {
    const answered = raw.answer('Raw answerer', { relayed: true, control: true });
    const connectEvents = collect(chat, 'peer-chat-connect');
    const errors = collect(chat, 'peer-chat-error');
    await chat.connect(raw.id);
    await answered;
    // Both hellos are in once a message sent after them is acknowledged.
    raw.send({ t: 'msg', id: 'm1', text: 'after both hellos', time: Date.now(), seq: 1 });
    expect((await nextEvent(chat, 'peer-chat-message')).text).to.equal('after both hellos');
    await raw.next((frame) => frame.t === 'ack' && frame.seq === 1);
    expect(connectEvents).to.have.length(1);
    expect(errors).to.deep.equal([]);
  });

  it('takes the name of the peer’s own hello over the relayed one', async () => {
    const answered = raw.answer('Raw answerer', { relayed: raw.hello('Mallory'), control: true });
    await chat.connect(raw.id);
    await answered;
    raw.send({ t: 'msg', id: 'm1', text: 'after both hellos', time: Date.now(), seq: 1 });
    await nextEvent(chat, 'peer-chat-message');
    expect(chat.peers.map(({ name }) => name)).to.deep.equal(['Raw answerer']);
  });

  it('disconnects with a protocol error when the peer’s own hello says another session than the relayed one', async () => {
    const answered = raw.answer('Raw answerer', { relayed: { ...raw.hello('Raw answerer'), session: 'forged' }, control: true });
    const disconnected = nextEvent(chat, 'peer-chat-disconnect');
    const errors = collect(chat, 'peer-chat-error');
    await chat.connect(raw.id);
    await answered;
    expect(await disconnected).to.deep.equal({ peerId: raw.id, reason: 'protocol' });
    expect(errors.map(({ type, message }) => ({ type, relay: message.includes('signaling server') }))).to.deep.include({ type: 'protocol', relay: true });
    expect(chat.connectedPeers).to.deep.equal([]);
  });

  it('reports a malformed relayed hello, and connects on the peer’s own', async () => {
    const answered = raw.answer('Raw answerer', { relayed: { t: 'hello', v: 1 }, control: true });
    const errors = collect(chat, 'peer-chat-error');
    await chat.connect(raw.id);
    await answered;
    expect(errors.map(({ type, peerId, message }) => ({ type, peerId, relay: message.includes('signaling server') }))).to.deep.equal([{ type: 'protocol', peerId: raw.id, relay: true }]);
    expect(chat.peers.map(({ name }) => name)).to.deep.equal(['Raw answerer']);
  });
});

describe('<peer-chat> with a peer that comes back speaking another protocol version', () => {
  let port: number;
  before(async () => {
    port = await startSignaling();
  });
  after(() => stopSignaling(port));

  it('sends it what was queued while it was away as plain text, delivered, not pending for good', async () => {
    // The smaller id dials again after a drop: the element's, here.
    const chat = await createChat(port, { peerId: `0-${Math.random().toString(36).slice(2)}` });
    const raw = await RawPeer.create(port);
    try {
      const answered = raw.answer('Old');
      await chat.connect(raw.id);
      await answered;
      // Its page reloads with a newer element, which answers the element's next dial.
      const answeredAgain = raw.answer('New', { control: false });
      raw.drop();
      await until(() => chat.peers[0]?.status === 'reconnecting', 'the drop');
      await chat.send('queued while away');
      expect(chat.messages.map(({ status }) => status)).to.deep.equal(['pending']);
      const errors = collect(chat, 'peer-chat-error');
      await answeredAgain;
      raw.send({ t: 'hello', v: 2, name: 'New', session: 'reloaded' });
      expect(await raw.next((frame) => frame.unparsed === 'queued while away')).to.deep.equal({ unparsed: 'queued while away' });
      await until(() => chat.messages[0].status === 'delivered', 'the message to be delivered');
      expect(errors.map(({ type, message }) => ({ type, plain: message.includes('protocol version 2') }))).to.deep.equal([{ type: 'protocol', plain: true }]);
    } finally {
      raw.close();
    }
  });
});
