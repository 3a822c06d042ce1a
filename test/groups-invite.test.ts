/**
 * Over real WebRTC: a group of three `mesh` elements, and the invite link (a tab opened on
 * it connects), its button (share, else copy) and its QR code, decoded back, with an axe audit.
 */
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type { PeerChat } from '../src/peer-chat.js';
import { createChat, nextEvent, pair, part, startSignaling, stopSignaling, until } from './support/helpers.js';

/** jsQR (a QR decoder, dev only), by script tag: its build is UMD. */
async function loadJsQr(): Promise<(data: Uint8ClampedArray, width: number, height: number) => { data: string } | null> {
  const global = window as unknown as { jsQR?: (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null };
  if (!global.jsQR) {
    const script = document.createElement('script');
    script.src = '/node_modules/jsqr/dist/jsQR.js';
    await new Promise((resolve, reject) => {
      script.onload = resolve;
      script.onerror = () => reject(new Error('could not load jsQR'));
      document.head.append(script);
    });
  }
  return global.jsQR!;
}

/** Rasterizes the element's QR code (its SVG, 8 px a module) and decodes it. */
async function decodeQr(chat: PeerChat): Promise<string | undefined> {
  const svg = part(chat, 'invite-qr') as unknown as SVGSVGElement;
  const modules = svg.viewBox.baseVal.width;
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(svg))}`;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = modules * 8;
  const context = canvas.getContext('2d')!;
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
  return (await loadJsQr())(pixels.data, canvas.width, canvas.height)?.data;
}

describe('groups and invite links (real WebRTC)', function () {
  this.timeout(120_000);
  let port: number;

  before(async () => {
    port = await startSignaling();
  });
  after(async () => {
    await stopSignaling(port);
  });

  it('mesh: whoever joins one member is connected to every member, and a message to all reaches all', async () => {
    const [alice, bob, carol] = await Promise.all([createChat(port), createChat(port), createChat(port)]);
    for (const chat of [alice, bob, carol]) chat.mesh = true;
    await Promise.all([alice, bob, carol].map((chat) => chat.updateComplete));
    await pair(alice, bob);
    await pair(carol, bob);
    await until(() => alice.connectedPeers.includes(carol.peerId) && carol.connectedPeers.includes(alice.peerId), 'alice and carol, introduced by bob');
    const toAlice = nextEvent(alice, 'peer-chat-message', (message) => message.direction === 'in');
    const toBob = nextEvent(bob, 'peer-chat-message', (message) => message.direction === 'in');
    await carol.send('hello, group');
    expect([(await toAlice).text, (await toBob).text]).to.deep.equal(['hello, group', 'hello, group']);
  });

  it('inviteUrl is empty until the element registers, with a peer-id asked for too: that id may be another’s', async () => {
    // The signaling server's answers to this element wait until released: it stays registering.
    const held: Array<() => void> = [];
    let holding = true;
    const RealWebSocket = WebSocket;
    globalThis.WebSocket = class extends RealWebSocket {
      override set onmessage(handler: ((event: MessageEvent) => void) | null) {
        super.onmessage = (event) => (holding ? held.push(() => handler?.call(this, event)) : handler?.call(this, event));
      }
    };
    const chat = document.createElement('peer-chat');
    try {
      Object.assign(chat, { host: '127.0.0.1', port, iceServers: [], peerId: `wanted${Date.now()}` });
      document.body.append(chat);
      await until(() => held.length > 0, 'the server’s answer');
    } finally {
      globalThis.WebSocket = RealWebSocket;
    }
    expect(chat.signalingState).to.not.equal('open');
    expect(chat.inviteUrl).to.equal('');
    holding = false;
    for (const deliver of held.splice(0)) deliver();
    await until(() => chat.signalingState === 'open', 'registration');
    expect(new URL(chat.inviteUrl).searchParams.get('peer-chat')).to.equal(chat.peerId);
    chat.remove();
  });

  it('inviteUrl: the page’s URL with ?peer-chat=<id>; a page opened on it connects; the button shares or copies it', async () => {
    const chat = await createChat(port);
    const invite = new URL(chat.inviteUrl);
    expect(invite.searchParams.get('peer-chat')).to.equal(chat.peerId);
    for (const [name, value] of new URL(location.href).searchParams) expect(invite.searchParams.get(name)).to.equal(value);

    const shared: unknown[] = [];
    Object.defineProperty(navigator, 'share', { configurable: true, value: async (data: unknown) => void shared.push(data) });
    part(chat, 'invite-button').click();
    delete (navigator as { share?: unknown }).share;
    expect(shared).to.deep.equal([{ url: chat.inviteUrl }]);
    const copied: string[] = [];
    const writeText = navigator.clipboard.writeText;
    navigator.clipboard.writeText = async (text: string) => void copied.push(text);
    part(chat, 'invite-button').click();
    await until(() => copied.length === 1, 'the copy');
    navigator.clipboard.writeText = writeText;
    expect(copied).to.deep.equal([chat.inviteUrl]);
    await chat.updateComplete;
    expect(part(chat, 'invite-button').textContent!.trim()).to.equal('Link copied');

    // A page opened from the link (the test fixture, with the same parameter) connects by itself.
    const joined = nextEvent(chat, 'peer-chat-connect');
    const { id } = (await executeServerCommand<{ id: number }, { path: string }>('tab-open', { path: `/test/fixtures/tab.html?port=${port}&peer-chat=${chat.peerId}` }))!;
    await joined;
    await executeServerCommand('tab-close', { id });
  });

  it('draws the QR code of the invite link locally, on demand, readable, and passes an axe audit', async () => {
    const chat = await createChat(port);
    expect(chat.shadowRoot!.querySelector('[part~="invite-qr"]')).to.equal(null);
    const details = part(chat, 'invite') as HTMLDetailsElement;
    details.querySelector('summary')!.click();
    await until(() => !!chat.shadowRoot!.querySelector('[part~="invite-qr"]'), 'the QR code');
    expect(await decodeQr(chat)).to.equal(chat.inviteUrl);
    await expect(chat).to.be.accessible();
  });
});
