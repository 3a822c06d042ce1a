/**
 * The element's contract over real WebRTC and a real signaling server: the order of the log,
 * snapshots, attribute errors, auto-connect, the history bound, theming from ancestors,
 * strings and formats for the element's language, and right-to-left layout.
 */
import { expect, fixture, html, nextFrame } from '@open-wc/testing';
import { peerCode } from '../src/ui/peer-label.js';
import { createChat, nextEvent, pair, part, parts, sendInBursts, startSignaling, stopSignaling, until } from './support/helpers.js';

describe('<peer-chat> contract', () => {
  let port: number;
  before(async () => {
    port = await startSignaling();
  });
  after(async () => {
    await stopSignaling(port);
  });

  it('shows the log in arrival order, whatever the sender’s clock says', async () => {
    const alice = await createChat(port);
    const bob = await createChat(port);
    await pair(alice, bob);
    await alice.send('question');
    await until(() => bob.messages.length === 1, 'the question to arrive');
    // Bob's clock is an hour behind: his answer is stamped before the question.
    const realNow = Date.now;
    Date.now = () => realNow() - 3_600_000;
    try {
      await bob.send('answer');
    } finally {
      Date.now = realNow;
    }
    await until(() => alice.messages.length === 2, 'the answer to arrive');
    await alice.updateComplete;
    expect(parts(alice, 'message-text').map((node) => node.textContent)).to.deep.equal(['question', 'answer']);
    expect(alice.messages.map((message) => message.text)).to.deep.equal(['question', 'answer']);
  });

  it('hands out copies of its transfers: nothing in them reaches the live transfer', async () => {
    const alice = await createChat(port);
    const bob = await createChat(port, { acceptFiles: 'always' });
    await pair(alice, bob);
    await alice.sendFile(new File(['hello'], 'hello.txt'), bob.peerId);
    const [transfer] = alice.transfers;
    expect(Object.keys(transfer).sort()).to.deep.equal(['bytes', 'direction', 'file', 'name', 'peerId', 'size', 'status', 'time', 'transferId', 'type']);
    transfer.status = 'failed';
    expect(alice.transfers[0].status).to.equal('done');
  });

  it('reports an invalid attribute once, not again when another attribute changes', async () => {
    const chat = await createChat(port);
    const errors: string[] = [];
    chat.addEventListener('peer-chat-error', (event) => errors.push(event.detail.message));
    chat.setAttribute('accept-files', 'sometimes');
    await chat.updateComplete;
    chat.setAttribute('name', 'Ann');
    await chat.updateComplete;
    chat.setAttribute('max-file-size', '1000');
    await chat.updateComplete;
    expect(errors).to.deep.equal(['accept-files: "sometimes" is not one of ask, always, never']);
  });

  it('connects to remote-id even when the page stops peer-chat-ready from propagating', async () => {
    const bob = await createChat(port);
    const stop = (event: Event) => event.stopPropagation();
    window.addEventListener('peer-chat-ready', stop, { capture: true });
    try {
      const container = await fixture<HTMLDivElement>(html`<div></div>`);
      const alice = document.createElement('peer-chat');
      alice.setAttribute('host', '127.0.0.1');
      alice.setAttribute('port', String(port));
      alice.setAttribute('ice-servers', '[]');
      alice.setAttribute('remote-id', bob.peerId);
      const seen = nextEvent(bob, 'peer-chat-connect');
      container.append(alice);
      await seen;
      await until(() => alice.connectedPeers.includes(bob.peerId), 'alice to connect to bob');
    } finally {
      window.removeEventListener('peer-chat-ready', stop, { capture: true });
    }
  });

  it('keeps max-history entries, releases the files of those that leave, and clearHistory() empties it', async () => {
    const alice = await createChat(port);
    const bob = await createChat(port, { acceptFiles: 'always' });
    bob.setAttribute('max-history', '2');
    await pair(alice, bob);
    const received = nextEvent(bob, 'peer-chat-file');
    await alice.sendFile(new File(['photo'], 'photo.jpg'), bob.peerId);
    await received;
    await bob.updateComplete;
    const url = part(bob, 'download').getAttribute('href')!;
    const revoked: string[] = [];
    const revoke = URL.revokeObjectURL;
    URL.revokeObjectURL = (value: string) => (revoked.push(value), revoke.call(URL, value));
    try {
      for (const text of ['one', 'two']) await alice.send(text);
      await until(() => bob.messages.length === 2, 'two messages');
      expect(bob.transfers).to.deep.equal([]);
      expect(revoked).to.deep.equal([url]);
      await alice.send('three');
      await until(() => bob.messages.at(-1)?.text === 'three', 'the third message');
      expect(bob.messages.map((message) => message.text)).to.deep.equal(['two', 'three']);
      bob.clearHistory();
      await bob.updateComplete;
      expect(bob.messages).to.deep.equal([]);
      expect(parts(bob, 'message')).to.deep.equal([]);
    } finally {
      URL.revokeObjectURL = revoke;
    }
  });

  it('takes its colors from an ancestor’s --peer-chat-* properties', async () => {
    const container = await fixture<HTMLDivElement>(html`<div style="--peer-chat-accent: rgb(102, 51, 153)"></div>`);
    const chat = document.createElement('peer-chat');
    chat.setAttribute('host', '127.0.0.1');
    chat.setAttribute('port', String(port));
    container.append(chat);
    await chat.updateComplete;
    expect(getComputedStyle(part(chat, 'send-button')).backgroundColor).to.equal('rgb(102, 51, 153)');
  });

  it('uses string functions, and formats sizes for the nearest lang', async () => {
    const container = await fixture<HTMLDivElement>(html`<div lang="de"></div>`);
    const alice = await createChat(port);
    const bob = await createChat(port, { parent: container });
    bob.strings = {
      disconnect: 'Trennen',
      disconnectPeer: (name: string) => `Trennen von ${name}`,
      unnamedPeer: (code: string) => `Gegenüber ${code}`,
      transfer: { offered: (name: string) => `${name} bietet eine Datei an` },
    };
    await pair(alice, bob);
    const offered = nextEvent(bob, 'peer-chat-file-offer');
    void alice.sendFile(new File([new Uint8Array(1_500_000)], 'gross.bin'), bob.peerId).catch(() => {});
    await offered;
    await bob.updateComplete;
    const transfer = part(bob, 'transfer');
    expect(transfer.textContent).to.contain('1,5 MB');
    const label = `Gegenüber ${peerCode(alice.peerId)}`;
    expect(transfer.textContent).to.contain(`${label} bietet eine Datei an`);
    expect(part(bob, 'disconnect-button').getAttribute('aria-label')).to.equal(`Trennen von ${label}`);
    expect(part(bob, 'disconnect-button').title).to.equal('Trennen');
  });

  it('shows new strings in the messages it already shows, the older groups of its log too', async () => {
    const alice = await createChat(port);
    const bob = await createChat(port);
    await pair(alice, bob);
    const total = 25; // more than one group of the log
    for (let i = 1; i <= total; i++) void alice.send(`message ${i}`);
    await until(() => bob.messages.length === total, `all ${total} messages`);
    await bob.updateComplete;
    bob.strings = { unnamedPeer: (code: string) => `Gegenüber ${code}` };
    await bob.updateComplete;
    const senders = parts(bob, 'message-in').map((message) => message.querySelector('.who')!.textContent);
    expect(senders).to.deep.equal(Array(total).fill(`Gegenüber ${peerCode(alice.peerId)}`));
  });

  it('mirrors its layout under dir="rtl": own messages on the left', async () => {
    const container = await fixture<HTMLDivElement>(html`<div dir="rtl" style="width: 600px"></div>`);
    const alice = await createChat(port, { parent: container });
    const bob = await createChat(port);
    await pair(alice, bob);
    await alice.send('مرحبا');
    await alice.updateComplete;
    const log = part(alice, 'messages').getBoundingClientRect();
    const own = part(alice, 'message-out').getBoundingClientRect();
    expect(own.left - log.left).to.be.below(log.right - own.right);
  });

  it('shows the newest entries of a long log (100, and up to a page more before it cuts back), and earlier ones on request', async () => {
    const alice = await createChat(port);
    const bob = await createChat(port);
    await pair(alice, bob);
    const total = 450;
    await sendInBursts(alice, bob, total);
    const shownTexts = () => parts(bob, 'message-text').map((node) => node.textContent);
    /** The newest `count` messages, oldest first. */
    const newest = (count: number) => Array.from({ length: count }, (_, index) => `message ${total - count + 1 + index}`);
    // It kept the newest entry in view through every message and every cut-back of its window
    // (it scrolls to the newest at the frame after a render).
    await nextFrame();
    const log = part(bob, 'messages');
    expect(log.scrollHeight - log.scrollTop - log.clientHeight).to.be.below(1);
    let shown = shownTexts();
    expect(shown.length).to.be.within(100, 200);
    expect(shown).to.deep.equal(newest(shown.length));
    for (let clicks = 0; clicks < 4 && parts(bob, 'show-earlier').length > 0; clicks++) {
      const before = shown.length;
      part(bob, 'show-earlier').click();
      await bob.updateComplete;
      shown = shownTexts();
      expect(shown.length).to.be.above(before);
      expect(shown).to.deep.equal(newest(shown.length));
    }
    expect(shown).to.have.length(total);
    expect(parts(bob, 'show-earlier')).to.deep.equal([]);
  });
});
