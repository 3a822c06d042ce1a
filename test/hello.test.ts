import { expect } from '@open-wc/testing';
import { collect, createChat, nextEvent, startSignaling, stopSignaling, until } from './support/helpers.js';
import { RawPeer } from './support/raw-peer.js';
import type { PeerChat } from '../src/peer-chat.js';

/**
 * The `hello` handshake over real PeerJS and WebRTC (docs/protocol.md): the answering side also
 * sends its `hello` in the answer the signaling server relays, and first on the bulk channel
 * (which opens before its control channel can) to a dialer that asked for it; a dialer takes
 * one `hello` per connection, from any of these, and the peer's own wins over the relayed one.
 */
describe('<peer-chat> hello, ahead of the control channel', () => {
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

  it('answers a dialer that asked with its hello on the bulk channel too, the same as on the control channel', async () => {
    await raw.dial(chat.peerId, 'raw', { helloOnBulk: true });
    await until(() => raw.bulkTexts.length > 0, 'the hello on the bulk channel');
    const early = JSON.parse(raw.bulkTexts[0]);
    const onControl = raw.frames.find((frame) => frame.t === 'hello');
    expect(early).to.deep.equal(onControl);
    expect(early).to.include({ t: 'hello', v: 1, name: 'Element' });
  });

  it('answers with its hello in the signaling answer too, the same as on the control channel', async () => {
    await raw.dial(chat.peerId);
    const relayed = raw.answers.map((payload) => payload.hello);
    expect(relayed).to.have.length(1);
    expect(JSON.parse(String(relayed[0]))).to.deep.equal(raw.frames.find((frame) => frame.t === 'hello'));
  });

  it('connects on the hello relayed with the answer alone, before any hello over the connection', async () => {
    const answered = raw.answer('Raw answerer', { relayed: true, early: false, control: false });
    const connectEvents = collect(chat, 'peer-chat-connect');
    await chat.connect(raw.id);
    await answered;
    expect(chat.connectedPeers).to.deep.equal([raw.id]);
    expect(connectEvents.map(({ peerId, name }) => ({ peerId, name }))).to.deep.equal([{ peerId: raw.id, name: 'Raw answerer' }]);
    await chat.send('before the peer’s own hello');
    expect((await raw.next((frame) => frame.t === 'msg')).text).to.equal('before the peer’s own hello');
  });

  it('disconnects with a protocol error when the peer’s own hello says another session than the relayed one', async () => {
    const answered = raw.answer('Raw answerer', { relayed: { ...raw.hello('Raw answerer'), session: 'forged' }, early: false, control: true });
    const disconnected = nextEvent(chat, 'peer-chat-disconnect');
    const errors = collect(chat, 'peer-chat-error');
    await chat.connect(raw.id);
    await answered;
    expect(await disconnected).to.deep.equal({ peerId: raw.id, reason: 'protocol' });
    expect(errors.map(({ type, message }) => ({ type, relay: message.includes('signaling server') }))).to.deep.include({ type: 'protocol', relay: true });
    expect(chat.connectedPeers).to.deep.equal([]);
  });

  it('sends nothing on the bulk channel to a dialer that did not ask (an element of 0.2)', async () => {
    await raw.dial(chat.peerId);
    // A round trip on the control channel after the hello: an early hello would have come long before.
    raw.send({ t: 'msg', id: 'm1', text: 'hi', time: Date.now(), seq: 1 });
    await raw.next((frame) => frame.t === 'ack' && frame.seq === 1);
    expect(raw.frames.filter((frame) => frame.t === 'hello')).to.have.length(1);
    expect(raw.bulkTexts).to.deep.equal([]);
  });

  it('connects when the answering side’s hello comes only on the bulk channel', async () => {
    const answered = raw.answer('Raw answerer', { early: true, control: false });
    const connectEvents = collect(chat, 'peer-chat-connect');
    await chat.connect(raw.id);
    await answered;
    expect(chat.connectedPeers).to.deep.equal([raw.id]);
    expect(connectEvents.map(({ peerId, name }) => ({ peerId, name }))).to.deep.equal([{ peerId: raw.id, name: 'Raw answerer' }]);
    await chat.send('over the control channel');
    const message = await raw.next((frame) => frame.t === 'msg');
    expect(message.text).to.equal('over the control channel');
    // The element's own hello went out on the control channel, before anything else.
    expect(raw.frames[0]).to.include({ t: 'hello', v: 1, name: 'Element' });
  });

  it('takes one hello per connection: the same hello relayed and on both channels connects once, with no error', async () => {
    const answered = raw.answer('Raw answerer', { relayed: true, early: true, control: true });
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

  it('reports a first text on the bulk channel that is not a frame, and still connects on the control channel', async () => {
    const answered = raw.answer('Raw answerer', { early: false, control: true });
    const error = nextEvent(chat, 'peer-chat-error');
    const dialed = chat.connect(raw.id);
    await until(() => raw.isOpen, 'the raw peer’s control channel');
    raw.sendBulk('not a frame');
    await Promise.all([dialed, answered]);
    expect(await error).to.include({ type: 'protocol', peerId: raw.id });
    expect(chat.connectedPeers).to.deep.equal([raw.id]);
  });
});
