import { expect, fixture, html } from '@open-wc/testing';
import type { PeerChat } from '../src/peer-chat.js';
import { collect, createChat, nextEvent, pair, startSignaling, stopSignaling } from './support/helpers.js';

/** An element that is not yet in the document, with the given attributes. */
function element(attributes: Record<string, string>): PeerChat {
  const chat = document.createElement('peer-chat');
  for (const [name, value] of Object.entries(attributes)) chat.setAttribute(name, value);
  return chat;
}

describe('<peer-chat> attributes and accessibility', () => {
  let port: number;
  before(async () => {
    port = await startSignaling();
  });
  after(async () => {
    await stopSignaling(port);
  });

  it('is defined by the bundle and exposes attributes as camelCase properties', async () => {
    expect(customElements.get('peer-chat')).to.exist;
    const chat = element({ host: 'example.org', port: '9000', path: '/signal', key: 'k', 'remote-id': 'r', name: 'N', 'accept-files': 'never', 'max-file-size': '5' });
    expect(chat.host).to.equal('example.org');
    expect(chat.port).to.equal(9000);
    expect(chat.path).to.equal('/signal');
    expect(chat.key).to.equal('k');
    expect(chat.remoteId).to.equal('r');
    expect(chat.name).to.equal('N');
    expect(chat.acceptFiles).to.equal('never');
    expect(Number(chat.maxFileSize)).to.equal(5);
    chat.setAttribute('peer-id', 'wanted');
    expect(chat.peerId).to.equal('wanted');
  });

  it('defaults to the page: host, port and /peerjs, with no attributes at all', async () => {
    // The test server does not serve signaling at /peerjs, so this only shows the address tried.
    const chat = element({});
    const errors = collect(chat, 'peer-chat-error');
    const states = collect(chat, 'peer-chat-signaling');
    document.body.append(chat);
    try {
      await nextEvent(chat, 'peer-chat-signaling', (detail) => detail.state === 'reconnecting', 20_000);
      expect(states[0].state).to.equal('connecting');
      expect(errors.every((error) => error.type === 'signaling')).to.equal(true);
      expect(chat.signalingState).to.equal('reconnecting');
    } finally {
      chat.remove();
    }
    expect(chat.signalingState).to.equal('closed');
  });

  const invalid: Array<[string, string, string]> = [
    ['port', 'eighty', 'port'],
    ['port', '70000', 'port'],
    ['ice-servers', 'not json', 'ice-servers'],
    ['ice-servers', '{"urls":"stun:x"}', 'ice-servers'],
    ['ice-servers', '[{"url":"stun:x"}]', 'ice-servers'],
    ['accept-files', 'sometimes', 'accept-files'],
    ['max-file-size', '-5', 'max-file-size'],
    ['max-file-size', 'lots', 'max-file-size'],
    ['secure', 'maybe', 'secure'],
    ['peer-id', 'no/slashes', 'peer-id'],
  ];
  for (const [attribute, value, mentioned] of invalid) {
    it(`reports ${attribute}="${value}" as invalid-attribute and still works`, async () => {
      const attributes: Record<string, string> = { host: '127.0.0.1', port: String(port), 'ice-servers': '[]' };
      attributes[attribute] = value;
      const chat = element(attributes);
      const errors = collect(chat, 'peer-chat-error');
      const ready = attribute === 'port' ? null : nextEvent(chat, 'peer-chat-ready');
      document.body.append(chat);
      try {
        await chat.updateComplete;
        expect(errors.map((error) => error.type)).to.deep.equal(['invalid-attribute']);
        expect(errors[0].message).to.contain(mentioned);
        // The default replaces the bad value; the element still registers (port falls back to the page's).
        if (ready) expect((await ready).peerId).to.be.a('string').and.not.equal('');
      } finally {
        chat.remove();
      }
    });
  }

  it('re-registers when the signaling attributes change', async () => {
    const other = await startSignaling();
    try {
      const chat = await createChat(port);
      const ready = nextEvent(chat, 'peer-chat-ready');
      chat.port = other;
      await ready;
      expect(chat.signalingState).to.equal('open');
    } finally {
      await stopSignaling(other);
    }
  });

  it('takes a removed attribute, or a property set to undefined (a dropped React prop), as its default', async () => {
    const chat = element({ host: '127.0.0.1', port: String(port), 'ice-servers': '[]', name: 'Ann', path: '/peerjs', 'accept-files': 'always', secure: 'false', 'ice-servers-url': '', 'remote-id': '' });
    const errors = collect(chat, 'peer-chat-error');
    const ready = nextEvent(chat, 'peer-chat-ready');
    document.body.append(chat);
    const open = indexedDB.open;
    const opened: string[] = [];
    indexedDB.open = (name: string, version?: number) => (opened.push(name), open.call(indexedDB, name, version));
    try {
      await ready;
      const signaling = collect(chat, 'peer-chat-signaling');
      for (const attribute of ['name', 'path', 'accept-files', 'secure', 'ice-servers-url', 'remote-id']) chat.removeAttribute(attribute);
      await chat.updateComplete;
      const unset = chat as unknown as Record<string, unknown>;
      for (const property of ['name', 'path', 'acceptFiles', 'secure', 'iceServersUrl', 'remoteId', 'iceTransportPolicy', 'key', 'persist']) unset[property] = undefined;
      await chat.updateComplete;
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(errors).to.deep.equal([]);
      // The defaults are the values these had: no new registration, and `persist` unset opens no storage.
      expect(signaling).to.deep.equal([]);
      expect(chat.signalingState).to.equal('open');
      expect(opened).to.deep.equal([]);
    } finally {
      indexedDB.open = open;
      chat.remove();
    }
  });

  it('registers under a new peer-id set after the first registration', async () => {
    const chat = await createChat(port, { peerId: 'first-id' });
    expect(chat.peerId).to.equal('first-id');
    const ready = nextEvent(chat, 'peer-chat-ready');
    chat.setAttribute('peer-id', 'second-id');
    expect((await ready).peerId).to.equal('second-id');
    expect(chat.peerId).to.equal('second-id');
  });

  it('fires no event when the owner sets a non-signaling property', async () => {
    const chat = await createChat(port);
    const fired: string[] = [];
    for (const type of ['peer-chat-ready', 'peer-chat-signaling', 'peer-chat-error']) chat.addEventListener(type, () => fired.push(type));
    chat.name = 'Renamed';
    chat.acceptFiles = 'always';
    await chat.updateComplete;
    expect(fired).to.deep.equal([]);
  });

  it('renders every documented part', async () => {
    const chat = await createChat(port);
    const other = await createChat(port);
    await pair(chat, other);
    await chat.updateComplete;
    for (const name of ['base', 'header', 'status', 'own-id', 'copy-button', 'connect-form', 'remote-id-input', 'connect-button', 'peer-list', 'peer', 'disconnect-button', 'messages', 'composer', 'input', 'send-button', 'file-button']) {
      expect(chat.shadowRoot!.querySelector(`[part~="${name}"]`), name).to.exist;
    }
  });

  it('lets the page override the strings it shows', async () => {
    const chat = await createChat(port);
    chat.strings = { send: 'Senden', signaling: { open: 'Verbunden' } };
    await chat.updateComplete;
    expect(chat.shadowRoot!.querySelector('[part~="send-button"]')!.textContent!.trim()).to.equal('Senden');
    expect(chat.shadowRoot!.querySelector('[part~="status"]')!.textContent!.trim()).to.equal('Verbunden');
  });

  it('passes an accessibility audit (axe), idle and with a conversation', async () => {
    const alice = await createChat(port, { name: 'Alice' });
    await expect(alice).to.be.accessible();
    const bob = await createChat(port, { name: 'Bob', acceptFiles: 'always' });
    await pair(alice, bob);
    const message = nextEvent(bob, 'peer-chat-message');
    await alice.send('hello');
    await message;
    const file = nextEvent(bob, 'peer-chat-file');
    await alice.sendFile(new File(['data'], 'a.txt'));
    await file;
    await bob.updateComplete;
    await expect(bob).to.be.accessible();
  });

  it('can be placed in markup with lit and removed cleanly', async () => {
    const chat = await fixture<PeerChat>(html`<peer-chat host="127.0.0.1" port=${port} ice-servers="[]"></peer-chat>`);
    await nextEvent(chat, 'peer-chat-ready');
    const closed = nextEvent(chat, 'peer-chat-signaling', (detail) => detail.state === 'closed');
    chat.remove();
    await closed;
  });
});
