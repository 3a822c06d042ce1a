import { expect } from '@open-wc/testing';
import type { DataConnection, Peer } from 'peerjs';
import { collect, createChat, nextEvent, plainPeer, startSignaling, stopSignaling, until } from './support/helpers.js';

function opened(connection: DataConnection): Promise<void> {
  return new Promise((resolve, reject) => {
    connection.once('open', () => resolve());
    connection.once('error', reject);
  });
}

/** A plain PeerJS app on the same signaling server, with default (binary) serialization. */
describe('<peer-chat> with a plain PeerJS app', () => {
  let port: number;
  let peer: Peer;
  before(async () => {
    port = await startSignaling();
    peer = await plainPeer(port);
  });
  after(async () => {
    peer.destroy();
    await stopSignaling(port);
  });

  it('shows strings from a plain PeerJS app as messages, and answers in plain strings', async () => {
    const chat = await createChat(port);
    const connected = nextEvent(chat, 'peer-chat-connect');
    const connection = peer.connect(chat.peerId);
    await opened(connection);
    expect((await connected).peerId).to.equal(peer.id);

    const message = nextEvent(chat, 'peer-chat-message');
    connection.send('hello from plain PeerJS <b>!</b>');
    const received = await message;
    expect(received.text).to.equal('hello from plain PeerJS <b>!</b>');
    expect(received.from).to.equal(peer.id);

    const reply = new Promise((resolve) => connection.once('data', resolve));
    await chat.send('hello back');
    expect(await reply).to.equal('hello back');

    // Longer than a PeerJS chunk (16,300 bytes): PeerJS sends it in chunks, each way.
    const long = `${'é€😀'.repeat(4000)}!`;
    const longMessage = nextEvent(chat, 'peer-chat-message');
    connection.send(long);
    expect((await longMessage).text).to.equal(long);
    const longReply = new Promise((resolve) => connection.once('data', resolve));
    await chat.send(long);
    expect(await longReply).to.equal(long);

    // Non-string data is not understood: one clear error, and the connection stays usable.
    const errors = collect(chat, 'peer-chat-error');
    connection.send({ some: 'object' });
    await until(() => errors.length === 1, 'the protocol error');
    expect(errors[0].type).to.equal('protocol');
    const again = nextEvent(chat, 'peer-chat-message');
    connection.send('still fine');
    expect((await again).text).to.equal('still fine');
    connection.close();
  });
});
