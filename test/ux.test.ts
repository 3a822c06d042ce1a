/**
 * The chat UX over real WebRTC and a real signaling server: peer labels, links, inline
 * pictures, typing, read state, unread counts and notifications, themes and small screens,
 * and an accessibility audit of all of it.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { emulateMedia, executeServerCommand, sendKeys, sendMouse } from '@web/test-runner-commands';
import type { PeerChat } from '../src/peer-chat.js';
import { peerCode } from '../src/ui/peer-label.js';
import { collect, createChat, nextEvent, pair, part, parts, sendInBursts, startSignaling, stopSignaling, until } from './support/helpers.js';

/** A real PNG, drawn on a canvas. */
async function pngFile(name: string): Promise<File> {
  const canvas = Object.assign(document.createElement('canvas'), { width: 64, height: 48 });
  canvas.getContext('2d')!.fillRect(0, 0, 32, 24);
  const blob = await new Promise<Blob>((resolve) => canvas.toBlob((made) => resolve(made!), 'image/png'));
  return new File([blob], name, { type: 'image/png' });
}

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>window.__svg=1</script><rect width="10" height="10"/></svg>';

/** Opens test/fixtures/tab.html in a new tab (which hides this page) and returns its id and peer id. */
async function openTab(port: number): Promise<{ id: number; peerId: string }> {
  const { id } = (await executeServerCommand<{ id: number }, { path: string }>('tab-open', { path: `/test/fixtures/tab.html?port=${port}` }))!;
  const peerId = (await executeServerCommand<string, { id: number; script: string }>('tab-evaluate', {
    id,
    script: `new Promise((resolve) => { const chat = document.querySelector('peer-chat'); chat.signalingState === 'open' ? resolve(chat.peerId) : chat.addEventListener('peer-chat-ready', (event) => resolve(event.detail.peerId), { once: true }); })`,
  }))!;
  return { id, peerId };
}

/**
 * Connects `local` to the tab's element and waits until the tab has it too: `connect()`
 * resolves as the peer's `hello` comes in, which can be before the peer has ours.
 */
async function connectTab(local: PeerChat, tab: { id: number; peerId: string }): Promise<void> {
  await local.connect(tab.peerId);
  const id = JSON.stringify(local.peerId);
  await executeServerCommand('tab-evaluate', {
    id: tab.id,
    script: `new Promise((resolve) => { const chat = document.querySelector('peer-chat'); const check = () => chat.connectedPeers.includes(${id}) && resolve('connected'); check(); chat.addEventListener('peer-chat-connect', check); })`,
  });
}

function sayFromTab(id: number, text: string): Promise<unknown> {
  return executeServerCommand('tab-evaluate', { id, script: `document.querySelector('peer-chat').send(${JSON.stringify(text)}).then(() => 'sent')` });
}

describe('<peer-chat> chat UX', () => {
  let port: number;
  before(async () => {
    port = await startSignaling();
  });
  after(async () => {
    await stopSignaling(port);
  });

  it('shows a peer without a name by a short stable label and a colored initial, never its full id', async () => {
    const stamp = Date.now();
    const alice = await createChat(port, { peerId: `anon-${stamp}` });
    const bob = await createChat(port, { name: 'Bob', peerId: `bob-${stamp}` });
    await pair(alice, bob);
    const received = nextEvent(bob, 'peer-chat-message');
    await alice.send('hi');
    await received;
    await bob.updateComplete;
    const label = `Peer ${peerCode(alice.peerId)}`;
    expect(label).to.match(/^Peer [0-9A-F]{4}$/);
    const chip = part(bob, 'peer');
    expect(chip.textContent).to.contain(label).and.not.contain(alice.peerId);
    expect(chip.querySelector('.peer-name')!.getAttribute('title')).to.equal(`${label} (${alice.peerId})`);
    const avatar = chip.querySelector<HTMLElement>('[part~="avatar"]')!;
    expect(avatar.textContent).to.equal(peerCode(alice.peerId)[0]);
    expect(getComputedStyle(avatar).backgroundColor).to.not.equal('rgba(0, 0, 0, 0)');
    const meta = parts(bob, 'message-in').at(-1)!.querySelector('[part~="message-meta"]')!;
    expect(meta.textContent).to.contain(label).and.not.contain(alice.peerId);
    // A named peer keeps its name; the API keeps the ids.
    expect(part(alice, 'peer').textContent).to.contain('Bob');
    expect(part(alice, 'peer').querySelector('[part~="avatar"]')!.textContent).to.equal('B');
    expect(bob.peers[0].peerId).to.equal(alice.peerId);
    expect(bob.messages[0].from).to.equal(alice.peerId);
    // Stable: the same id gives the same label in another element.
    const carol = await createChat(port);
    await pair(carol, alice);
    await until(() => part(carol, 'peer').textContent!.includes(label), 'carol to show the same label');
  });

  it('turns http, https and mailto URLs into links, and nothing else into markup', async () => {
    const alice = await createChat(port);
    const bob = await createChat(port);
    await pair(alice, bob);
    const text =
      'See https://example.org/notes?a=1&b=2 (page 2), http://example.com/x_(y) and mailto:ann@example.org. ' +
      'Not these: javascript:alert(1) ftp://example.org/f data:text/html,<b>x</b> <a href="https://evil.example">click</a>';
    const received = nextEvent(bob, 'peer-chat-message');
    await alice.send(text);
    await received;
    await bob.updateComplete;
    const shown = parts(bob, 'message-text').at(-1)!;
    expect(shown.textContent).to.equal(text);
    const links = [...shown.querySelectorAll('a')];
    expect(links.map((link) => link.getAttribute('href'))).to.deep.equal([
      'https://example.org/notes?a=1&b=2',
      'http://example.com/x_(y)',
      'mailto:ann@example.org',
      'https://evil.example/',
    ]);
    expect(links.map((link) => link.textContent)).to.deep.equal(['https://example.org/notes?a=1&b=2', 'http://example.com/x_(y)', 'mailto:ann@example.org', 'https://evil.example']);
    for (const link of links) {
      expect(link.target).to.equal('_blank');
      expect(link.rel).to.equal('noopener noreferrer');
      expect(link.children).to.have.length(0);
    }
    // Everything else is text nodes: the <a> and <b> typed by the peer stayed text.
    expect([...shown.children].every((child) => child.tagName === 'A' && child.getAttribute('part') === 'link')).to.equal(true);
    expect([...shown.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE).map((node) => node.textContent).join('')).to.contain('<a href="').and.contain('<b>x</b>');
    expect(bob.shadowRoot!.querySelector('b')).to.equal(null);
  });

  it('shows a received PNG inline once verified, and the sender its own; never an SVG', async () => {
    const alice = await createChat(port);
    const bob = await createChat(port, { acceptFiles: 'always' });
    await pair(alice, bob);
    const png = await pngFile('dot.png');
    const arrived = nextEvent(bob, 'peer-chat-file');
    await alice.sendFile(png, bob.peerId);
    await arrived;
    await until(() => parts(bob, 'preview').length === 1, 'the preview at bob');
    const preview = part(bob, 'preview') as HTMLAnchorElement;
    const image = preview.querySelector('img')!;
    await until(() => image.complete && image.naturalWidth > 0, 'the image to load');
    expect([image.naturalWidth, image.naturalHeight]).to.deep.equal([64, 48]);
    expect(image.alt).to.equal('dot.png');
    // Clicking opens the same image, full size, in a new tab.
    expect(preview.tagName).to.equal('A');
    expect(preview.href).to.equal(image.src);
    expect(preview.href.startsWith('blob:')).to.equal(true);
    expect(preview.target).to.equal('_blank');
    expect(preview.rel).to.equal('noopener noreferrer');
    expect(preview.closest('[part~="transfer"]')!.getAttribute('data-status')).to.equal('done');
    await until(() => parts(alice, 'preview').length === 1, 'the preview at alice');
    // SVG never, not even when it claims to be a PNG; nor other files.
    for (const file of [
      new File([SVG], 'drawing.svg', { type: 'image/svg+xml' }),
      new File([SVG], 'disguised.png', { type: 'image/png' }),
      new File(['just text'], 'notes.txt', { type: 'text/plain' }),
      // A GIF by its first bytes, an HTML page by its claimed type.
      new File(['GIF89a<script>window.__html = 1</script>'], 'page.html', { type: 'text/html' }),
    ]) {
      const done = nextEvent(bob, 'peer-chat-file', (detail) => detail.file.name === file.name);
      await alice.sendFile(file, bob.peerId);
      await done;
    }
    await bob.updateComplete;
    await new Promise((resolve) => setTimeout(resolve, 300)); // the first bytes of each are read
    expect(parts(bob, 'download')).to.have.length(5);
    expect(parts(bob, 'preview')).to.have.length(2);
    expect(parts(alice, 'preview')).to.have.length(2);
    expect((window as unknown as { __svg?: number }).__svg).to.equal(undefined);
    // Every link to a file, opened in a tab, is an image or a download: never the claimed type.
    const typeOf = async (link: Element) => (await (await fetch((link as HTMLAnchorElement).href)).blob()).type;
    const linkTypes = async (chat: PeerChat) => Promise.all([...parts(chat, 'preview'), ...parts(chat, 'download')].map(typeOf));
    const expected = ['image/png', 'image/gif', 'image/png', 'application/octet-stream', 'application/octet-stream', 'application/octet-stream', 'image/gif'];
    expect(await linkTypes(bob)).to.deep.equal(expected);
    expect(await Promise.all(parts(alice, 'preview').map(typeOf))).to.deep.equal(['image/png', 'image/gif']);
    // Moved in the page (its URLs revoked as it left), the element draws its links with new ones.
    const moved = nextEvent(bob, 'peer-chat-ready');
    bob.parentElement!.append(bob);
    await moved;
    await bob.updateComplete;
    expect(await linkTypes(bob)).to.deep.equal(expected);
  });

  it('shows “… is typing…” while the peer types: gone when the message arrives, or 5 s after the last keystroke', async () => {
    const alice = await createChat(port, { name: 'Alice' });
    const bob = await createChat(port);
    await pair(alice, bob);
    const typing = part(bob, 'typing');
    expect(typing.textContent!.trim()).to.equal('');
    const input = part(alice, 'input') as HTMLTextAreaElement;
    input.focus();
    await sendKeys({ type: 'Hel' });
    await until(() => typing.textContent!.trim() === 'Alice is typing…', 'the typing line at bob', 5000);
    await sendKeys({ type: 'lo' });
    const received = nextEvent(bob, 'peer-chat-message');
    await sendKeys({ press: 'Enter' });
    await received;
    await bob.updateComplete;
    expect(typing.textContent!.trim()).to.equal('');
    // Typing again (the last frame left more than 2 s ago), then nothing: gone 5 s later.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await sendKeys({ type: 'x' });
    await until(() => typing.textContent!.trim() !== '', 'the typing line again', 5000);
    const shownAt = performance.now();
    await until(() => typing.textContent!.trim() === '', 'the typing line to go', 8000);
    const shownFor = performance.now() - shownAt;
    expect(shownFor).to.be.within(4000, 6500);
  });

  it('goes pending → delivered → read, read once the recipient has the message in view; ticks with words for screen readers', async () => {
    // Small enough for both to be in view once shown.
    const page = await fixture<HTMLDivElement>(html`<div style="--peer-chat-height: 240px"></div>`);
    const alice = await createChat(port, { parent: page });
    const box = document.createElement('div');
    box.hidden = true;
    page.append(box);
    const bob = await createChat(port, { parent: box });
    await pair(alice, bob);
    const statuses: string[] = [];
    const sent = await alice.send('are you there?');
    statuses.push(sent.status!);
    await until(() => alice.messages[0].status === 'delivered', 'delivered');
    statuses.push('delivered');
    // Bob's element is not displayed: delivered, not read; counted as unread there.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(alice.messages[0].status).to.equal('delivered');
    expect(bob.unread).to.equal(1);
    await alice.updateComplete;
    const status = part(alice, 'message-status');
    expect(status.querySelector('[aria-hidden="true"]')!.textContent).to.equal('✓');
    expect(status.querySelector('.visually-hidden')!.textContent).to.equal('delivered');
    const seen = nextEvent(bob, 'peer-chat-unread');
    box.hidden = false;
    expect(await seen).to.deep.equal({ count: 0 });
    await until(() => alice.messages[0].status === 'read', 'read');
    statuses.push('read');
    expect(statuses).to.deep.equal(['pending', 'delivered', 'read']);
    await alice.updateComplete;
    expect(status.querySelector('[aria-hidden="true"]')!.textContent).to.equal('✓✓');
    expect(status.querySelector('.visually-hidden')!.textContent).to.equal('read');
    expect(bob.unread).to.equal(0);
  });

  it('does not count as unread the messages that left the history unseen', async () => {
    // Bob alone in the viewport (alice off to the side), tall enough for his three messages to be in view at once.
    const aside = await fixture<HTMLDivElement>(html`<div style="position: absolute; left: -10000px"></div>`);
    const alice = await createChat(port, { parent: aside });
    const page = await fixture<HTMLDivElement>(html`<div style="--peer-chat-height: 480px"></div>`);
    const box = document.createElement('div');
    box.hidden = true;
    page.append(box);
    const bob = await createChat(port, { parent: box });
    bob.maxHistory = 3;
    await pair(alice, bob);
    for (let index = 1; index <= 5; index++) await alice.send(`message ${index}`);
    await until(() => bob.messages.length === 3 && bob.messages[2].text === 'message 5', 'the last three at bob');
    expect(bob.unread).to.equal(3);
    const changes = collect(bob, 'peer-chat-unread');
    box.hidden = false;
    await until(() => bob.unread === 0, `none unread (${bob.unread} left)`);
    expect(changes.at(-1)).to.deep.equal({ count: 0 });
  });

  it('reads a message the log scrolls to at once, but not while the log’s end is out of view: element partly off screen, or scrolled up', async () => {
    const page = await fixture<HTMLDivElement>(html`<div style="--peer-chat-height: 240px"></div>`);
    const alice = await createChat(port, { parent: page });
    const box = document.createElement('div');
    page.append(box);
    const bob = await createChat(port, { parent: box });
    await pair(alice, bob);
    const statusOf = (text: string) => alice.messages.find((message) => message.text === text)?.status;
    const sendAndWait = async (text: string) => {
      await alice.send(text);
      await until(() => statusOf(text) === 'delivered' || statusOf(text) === 'read', `${text} delivered`);
      // Seen, the message is read within a frame or two, or one read interval (250 ms) after the last.
      await new Promise((resolve) => setTimeout(resolve, 600));
      await bob.updateComplete;
      return statusOf(text);
    };
    expect(await sendAndWait('in view')).to.equal('read');

    // Only the top 40 px of Bob's element in view: its log's end, where the message lands, is not.
    box.style.cssText = 'position: fixed; inset-inline: 0; inset-block-start: calc(100vh - 40px)';
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    expect(await sendAndWait('below the fold')).to.equal('delivered');
    box.style.cssText = '';
    await until(() => statusOf('below the fold') === 'read', 'read once in view');

    // Bob scrolled up to read older messages: the newest is not in view until he scrolls back.
    for (let index = 0; index < 8; index++) expect(await sendAndWait(`filler ${index}`)).to.equal('read');
    const log = part(bob, 'messages');
    expect(log.scrollHeight).to.be.greaterThan(log.clientHeight + 300);
    const scrolled = new Promise((resolve) => log.addEventListener('scroll', resolve, { once: true }));
    log.scrollTop = 0;
    await scrolled;
    expect(await sendAndWait('while scrolled up')).to.equal('delivered');
    log.scrollTop = log.scrollHeight;
    await until(() => statusOf('while scrolled up') === 'read', 'read once scrolled to');
    expect(bob.unread).to.equal(0);
  });

  it('stops watching the messages a later one’s read receipt covers, those its log dropped unseen too', async () => {
    const observed = new Set<Element>();
    let everObserved = 0;
    const { observe, unobserve } = IntersectionObserver.prototype;
    IntersectionObserver.prototype.observe = function (this: IntersectionObserver, target: Element) {
      observed.add(target);
      everObserved++;
      observe.call(this, target);
    };
    IntersectionObserver.prototype.unobserve = function (this: IntersectionObserver, target: Element) {
      observed.delete(target);
      unobserve.call(this, target);
    };
    try {
      const alice = await createChat(port);
      const bob = await createChat(port);
      await pair(alice, bob);
      // Bob's log ends below the viewport: none of them is seen, so all stay watched. His window
      // (100 entries, up to 200) is cut back once, at the 201st: 100 leave the log unseen.
      const total = 300;
      await sendInBursts(alice, bob, total);
      expect(everObserved).to.be.at.least(total);
      expect([...observed].filter((node) => !node.isConnected)).to.not.deep.equal([]);
      // In view, he sees the newest: its read receipt covers Alice's earlier ones, those still in
      // the log and those it dropped, which need no watching any more.
      bob.scrollIntoView();
      await until(() => alice.messages.at(-1)?.status === 'read', 'the newest read');
      expect([...observed].filter((node) => node !== alice && node !== bob)).to.deep.equal([]);
    } finally {
      Object.assign(IntersectionObserver.prototype, { observe, unobserve });
    }
  });

  it('counts messages received while the page is hidden, fires peer-chat-unread, and returns to 0 when they are seen', async () => {
    const local = await createChat(port);
    const changes = collect(local, 'peer-chat-unread');
    const tab = await openTab(port);
    let closed = false;
    try {
      expect(document.visibilityState).to.equal('hidden');
      await connectTab(local, tab);
      await sayFromTab(tab.id, 'one');
      await sayFromTab(tab.id, 'two');
      await until(() => local.unread === 2, 'two unread');
      expect(changes).to.deep.equal([{ count: 1 }, { count: 2 }]);
      const seen = nextEvent(local, 'peer-chat-unread', (detail) => detail.count === 0);
      await executeServerCommand('tab-close', { id: tab.id });
      closed = true;
      await seen;
    } finally {
      if (!closed) await executeServerCommand('tab-close', { id: tab.id });
    }
    expect(document.visibilityState).to.equal('visible');
    expect(local.unread).to.equal(0);
    expect(changes).to.deep.equal([{ count: 1 }, { count: 2 }, { count: 0 }]);
    // Received while looking: not unread, no event.
    const other = await createChat(port);
    await pair(other, local);
    const received = nextEvent(local, 'peer-chat-message');
    await other.send('while you look');
    await received;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(local.unread).to.equal(0);
    expect(changes).to.have.length(3);
  });

  it('with notify: asks for permission on a click in the element, never on load', async () => {
    const asked: unknown[] = [];
    const realRequest = Notification.requestPermission;
    const before = Notification.permission;
    Notification.requestPermission = (...args: unknown[]) => {
      asked.push(args);
      return Promise.resolve(Notification.permission);
    };
    try {
      const chat = await createChat(port);
      chat.notify = true;
      await chat.updateComplete;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(asked).to.have.length(0);
      const box = part(chat, 'messages').getBoundingClientRect();
      await sendMouse({ type: 'click', position: [Math.round(box.left + 20), Math.round(box.top + 20)] });
      expect(asked).to.have.length(before === 'default' ? 1 : 0);
    } finally {
      Notification.requestPermission = realRequest;
    }
  });

  it('with notify: a message or file offer that arrives while the page is hidden raises a notification; clicking it focuses the tab', async () => {
    await executeServerCommand('grant-notifications');
    expect(Notification.permission).to.equal('granted');
    // Records the real notifications the element creates.
    const shown: Notification[] = [];
    const RealNotification = window.Notification;
    window.Notification = class extends RealNotification {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        shown.push(this);
      }
    } as typeof Notification;
    const realFocus = window.focus;
    let focused = 0;
    window.focus = () => {
      focused++;
      realFocus.call(window);
    };
    const local = await createChat(port);
    local.notify = true;
    const tab = await openTab(port);
    try {
      await connectTab(local, tab);
      await sayFromTab(tab.id, 'ping from the tab');
      await until(() => shown.length === 1, 'a notification');
      const label = `Peer ${peerCode(tab.peerId)}`;
      expect([shown[0].title, shown[0].body]).to.deep.equal([`Message from ${label}`, 'ping from the tab']);
      await executeServerCommand('tab-evaluate', {
        id: tab.id,
        script: `(document.querySelector('peer-chat').sendFile(new File(['x'], 'offer.txt')).catch(() => {}), 'offered')`,
      });
      await until(() => shown.length === 2, 'a notification for the file offer');
      expect([shown[1].title, shown[1].body]).to.deep.equal([`${label} offers a file`, 'offer.txt']);
      // With accept-files="never", an offer is declined at once: nothing to tell the person.
      local.acceptFiles = 'never';
      await executeServerCommand('tab-evaluate', {
        id: tab.id,
        script: `(document.querySelector('peer-chat').sendFile(new File(['x'], 'refused.txt')).catch(() => {}), 'offered')`,
      });
      await until(() => local.transfers.some((transfer) => transfer.name === 'refused.txt' && transfer.status === 'declined'), 'the offer declined');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(shown).to.have.length(2);
      shown[0].dispatchEvent(new Event('click'));
      expect(focused).to.equal(1);
    } finally {
      await executeServerCommand('tab-close', { id: tab.id });
      window.Notification = RealNotification;
      window.focus = realFocus;
      for (const notification of shown) notification.close();
    }
    // Visible again: no notification for what arrives now.
    expect(document.visibilityState).to.equal('visible');
  });

  it('follows prefers-color-scheme by default; theme="light" or "dark" fixes it; a bad theme is reported', async () => {
    const chat = await createChat(port);
    const background = () => getComputedStyle(chat).backgroundColor;
    const [light, dark] = ['rgb(255, 255, 255)', 'rgb(31, 31, 31)'];
    // Chromium can emulate the preference (CDP); Firefox over WebDriver BiDi cannot: there the
    // default follows the preference the browser has.
    const emulates = navigator.userAgent.includes('Chrome/');
    try {
      if (emulates) {
        await emulateMedia({ colorScheme: 'light' });
        expect(background()).to.equal(light);
        await emulateMedia({ colorScheme: 'dark' });
        expect(background()).to.equal(dark);
      } else {
        expect(background()).to.equal(matchMedia('(prefers-color-scheme: dark)').matches ? dark : light);
      }
      chat.setAttribute('theme', 'light');
      expect(background()).to.equal(light);
      if (emulates) await emulateMedia({ colorScheme: 'light' });
      chat.theme = 'dark';
      await chat.updateComplete;
      expect(background()).to.equal(dark);
      // The public properties still win.
      chat.style.setProperty('--peer-chat-background', 'rgb(1, 2, 3)');
      expect(background()).to.equal('rgb(1, 2, 3)');
      const error = nextEvent(chat, 'peer-chat-error');
      chat.setAttribute('theme', 'sepia');
      expect(await error).to.deep.equal({ type: 'invalid-attribute', message: 'theme: "sepia" is not one of auto, light, dark' });
    } finally {
      if (emulates) await emulateMedia({ colorScheme: 'light' });
    }
  });

  it('at 360 px wide keeps the composer on one row, with touch targets of at least 44 px', async () => {
    const box = await fixture<HTMLDivElement>(html`<div style="inline-size: 360px"></div>`);
    const alice = await createChat(port, { parent: box });
    const bob = await createChat(port);
    await pair(alice, bob);
    await alice.updateComplete;
    const composer = part(alice, 'composer');
    const controls = [part(alice, 'input'), part(alice, 'file-button'), part(alice, 'send-button')].map((element) => element.getBoundingClientRect());
    const row = controls[0];
    for (const rect of controls) expect(Math.abs(rect.top + rect.height / 2 - (row.top + row.height / 2))).to.be.below(2);
    expect(composer.scrollWidth).to.be.at.most(composer.clientWidth);
    expect(alice.getBoundingClientRect().width).to.equal(360);
    const targets = alice.shadowRoot!.querySelectorAll<HTMLElement>('button, input:not([type="file"]), textarea');
    expect(targets.length).to.be.at.least(6);
    for (const target of targets) {
      const rect = target.getBoundingClientRect();
      expect([target.getAttribute('part'), rect.width >= 44 && rect.height >= 44]).to.deep.equal([target.getAttribute('part'), true]);
    }
  });

  it('passes an accessibility audit (axe) with labels, links, a picture, typing and ticks, light and dark', async () => {
    // Side by side, both in view: each reads what the other sends.
    const page = await fixture<HTMLDivElement>(html`<div style="display: flex; --peer-chat-height: 560px"></div>`);
    const alice = await createChat(port, { name: 'Alice', parent: page });
    const bob = await createChat(port, { acceptFiles: 'always', parent: page });
    for (const chat of [alice, bob]) chat.style.flex = '1';
    await pair(alice, bob);
    await bob.send('notes at https://example.org/notes');
    await alice.sendFile(await pngFile('picture.png'), bob.peerId);
    await alice.send('seen?');
    await until(() => alice.messages.at(-1)!.status === 'read', 'the read ticks');
    (part(bob, 'input') as HTMLTextAreaElement).dispatchEvent(new InputEvent('input'));
    await until(() => part(alice, 'typing').textContent!.trim() !== '', 'the typing line');
    await until(() => parts(alice, 'preview').length === 1 && parts(bob, 'preview').length === 1, 'the previews');
    for (const theme of ['light', 'dark'] as const) {
      for (const chat of [alice, bob] as PeerChat[]) {
        chat.theme = theme;
        await chat.updateComplete;
        await expect(chat).to.be.accessible();
      }
    }
  });
});
