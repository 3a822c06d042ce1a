/**
 * Through a TURN relay: two hosts that cannot reach each other at all, only the TURN host
 * (test/support/turn-network.mjs, with Debian's coturn). The site on the TURN host
 * (demo/server.mjs) serves the page, signaling and short-lived credentials at /peerjs/ice.
 * Host 1 runs Chromium; host 2 runs the browser this suite runs in (Chromium, or Firefox:
 * Chromium↔Firefox).
 */
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';

const otherBrowser = navigator.userAgent.includes('Firefox') ? 'firefox' : 'chromium';
/** Several MiB, below the 8 MiB from which a receiver writes to disk: the same path in both browsers. */
const FILE_SIZE = 6 * 1024 * 1024 + 123;

type Host = { host: 1 | 2; page: number; peerId: string };

async function site(turn: 'right' | 'wrong' | 'none', ttl = 3600): Promise<void> {
  await executeServerCommand('turn-site', { turn, ttl });
}

async function evaluate<T>(host: Host, script: string): Promise<T> {
  const result = await executeServerCommand<{ value: T }, { host: number; page: number; script: string }>('turn-host-evaluate', { host: host.host, page: host.page, script });
  return result!.value;
}

/** A page of the site on `host`, holding one registered `<peer-chat>` with these attributes. */
async function chatOn(host: 1 | 2, attributes: Record<string, string>): Promise<Host> {
  const browser = host === 1 ? 'chromium' : otherBrowser;
  const { page } = (await executeServerCommand<{ page: number }, { host: number; browser: string; path: string }>('turn-host-open', { host, browser, path: '/' }))!;
  const peerId = await evaluate<string>(
    { host, page, peerId: '' },
    `(async () => {
      document.body.replaceChildren();
      const chat = document.createElement('peer-chat');
      for (const [name, value] of Object.entries(${JSON.stringify({ 'accept-files': 'always', ...attributes })})) chat.setAttribute(name, value);
      window.chat = chat;
      window.seen = { connect: [], messages: [], errors: [] };
      chat.addEventListener('peer-chat-connect', (event) => seen.connect.push(event.detail));
      chat.addEventListener('peer-chat-message', (event) => event.detail.direction === 'in' && seen.messages.push(event.detail.text));
      chat.addEventListener('peer-chat-error', (event) => seen.errors.push(event.detail));
      chat.addEventListener('peer-chat-file', (event) => (window.received = event.detail.file));
      const ready = new Promise((resolve) => chat.addEventListener('peer-chat-ready', resolve, { once: true }));
      document.body.append(chat);
      await ready;
      return chat.peerId;
    })()`,
  );
  return { host, page, peerId };
}

/** The same deterministic bytes on both sides (xorshift), so one wrong byte shows. */
const PATTERN = `(size) => {
  const bytes = new Uint8Array(size);
  let state = 7;
  for (let i = 0; i < size; i++) {
    state ^= state << 13; state ^= state >>> 17; state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}`;

/** Resolves with `expression` (evaluated on `host`) once it is truthy; a test runner command must not wait long. */
async function poll<T>(host: Host, expression: string, timeoutMs = 60_000): Promise<T> {
  const start = performance.now();
  for (;;) {
    const value = await evaluate<T>(host, `(${expression}) || null`);
    if (value) return value;
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Connects `from` to `to` with `connect()`; resolves with how it ended and how long it took. */
async function connect(from: Host, to: Host): Promise<{ ok: boolean; type?: string; message?: string; ms: number }> {
  await evaluate(
    from,
    `(() => {
      const start = performance.now();
      window.connected = null;
      chat.connect(${JSON.stringify(to.peerId)}).then(
        () => (window.connected = { ok: true, ms: performance.now() - start }),
        (error) => (window.connected = { ok: false, type: error.type, message: error.message, ms: performance.now() - start }),
      );
      return true;
    })()`,
  );
  return poll(from, 'window.connected');
}

describe('<peer-chat> through a TURN relay (coturn), between two hosts that cannot reach each other', function () {
  this.timeout(150_000);
  after(async () => {
    await executeServerCommand('turn-hosts-stop');
  });

  it(`chromium↔${otherBrowser}: chat and a byte-exact file go through TURN, and both report route: relay`, async () => {
    await site('right');
    const one = await chatOn(1, { 'ice-servers-url': '/peerjs/ice' });
    const two = await chatOn(2, { 'ice-servers-url': '/peerjs/ice' });
    const connected = await connect(one, two);
    expect(connected, JSON.stringify(connected)).to.include({ ok: true });
    await evaluate(two, `new Promise((resolve) => (function wait() { seen.connect.length ? resolve(true) : setTimeout(wait, 25); })())`);

    const routes = async (host: Host) =>
      evaluate<unknown>(host, `({ peers: chat.peers.map((peer) => peer.route), connect: seen.connect.map((detail) => detail.route), marker: chat.shadowRoot.querySelector('[part~="peer-relayed"]')?.title ?? null })`);
    for (const host of [one, two]) {
      const seen = (await routes(host)) as { peers: string[]; connect: string[]; marker: string | null };
      expect(seen.peers, `host ${host.host}`).to.deep.equal(['relay']);
      expect(seen.connect, `host ${host.host}`).to.deep.equal(['relay']);
      expect(seen.marker, `host ${host.host}`).to.match(/relay \(TURN\) server/);
    }

    await evaluate(one, `chat.send('through the relay').then(() => true)`);
    await evaluate(two, `chat.send('and back').then(() => true)`);
    const waitFor = (text: string) => `new Promise((resolve) => (function wait() { seen.messages.includes(${JSON.stringify(text)}) ? resolve(true) : setTimeout(wait, 25); })())`;
    expect(await evaluate(two, waitFor('through the relay'))).to.equal(true);
    expect(await evaluate(one, waitFor('and back'))).to.equal(true);

    const started = performance.now();
    await evaluate(one, `chat.sendFile(new File([(${PATTERN})(${FILE_SIZE})], 'relayed.bin')).then(() => true)`);
    const seconds = (performance.now() - started) / 1000;
    const same = await evaluate<string>(
      two,
      `(async () => {
        const expected = (${PATTERN})(${FILE_SIZE});
        const actual = new Uint8Array(await received.arrayBuffer());
        if (received.name !== 'relayed.bin' || actual.length !== expected.length) return 'size ' + actual.length;
        for (let i = 0; i < actual.length; i++) if (actual[i] !== expected[i]) return 'byte ' + i;
        return 'same';
      })()`,
    );
    expect(same).to.equal('same');
    console.log(`[turn] chromium↔${otherBrowser}: ${(FILE_SIZE / 1048576).toFixed(1)} MiB through coturn in ${seconds.toFixed(1)} s; route relay on both sides`);
    expect(await evaluate(one, 'seen.errors')).to.deep.equal([]);
  });

  it('without TURN, a connect between the hosts fails within 30 s, saying a relay is needed; the UI says so too', async () => {
    await site('none');
    const one = await chatOn(1, { 'ice-servers': '[]' });
    const two = await chatOn(2, { 'ice-servers': '[]' });
    // Through the form, as a person would.
    await evaluate(
      one,
      `(() => {
        const start = performance.now();
        window.failed = null;
        chat.addEventListener('peer-chat-error', (event) => (window.failed = { error: event.detail, ms: performance.now() - start }), { once: true });
        chat.shadowRoot.querySelector('[part~="remote-id-input"]').value = ${JSON.stringify(two.peerId)};
        chat.shadowRoot.querySelector('[part~="connect-button"]').click();
        return true;
      })()`,
    );
    const { error, ms } = await poll<{ error: { type: string; message: string }; ms: number }>(one, 'window.failed');
    const shown = await poll<string>(one, `chat.shadowRoot.querySelector('[part~="connect-error"]')?.textContent`);
    const result = { error, ms, shown };
    console.log(`[turn] no TURN: failed after ${(result.ms / 1000).toFixed(1)} s: ${result.error.message}`);
    expect(result.error.type).to.equal('connection');
    expect(result.error.message).to.match(/direct connection to .* was not possible .*no relay \(TURN\) server is configured: a relay is needed/);
    expect(result.shown).to.equal(result.error.message);
    expect(result.ms).to.be.below(30_000);
  });

  it('with credentials coturn refuses (a wrong secret), a connect fails within 30 s, naming the TURN server', async () => {
    await site('wrong');
    const one = await chatOn(1, { 'ice-servers-url': '/peerjs/ice' });
    const two = await chatOn(2, { 'ice-servers-url': '/peerjs/ice' });
    const result = await connect(one, two);
    console.log(`[turn] wrong secret: failed after ${(result.ms / 1000).toFixed(1)} s: ${result.message}`);
    expect(result).to.include({ ok: false, type: 'connection' });
    expect(result.message).to.match(/the relay \(TURN\) server \(turn:10\.88\.0\.1:3478\?transport=udp\) (refused the credentials|did not answer or refused the credentials)\.$/);
    expect(result.ms).to.be.below(30_000);
  });

  it('credentials expire and are refreshed: a connection made after the first ttl has passed still works', async () => {
    const ttlSeconds = 4;
    await site('right', ttlSeconds);
    const one = await chatOn(1, { 'ice-servers-url': '/peerjs/ice' });
    const two = await chatOn(2, { 'ice-servers-url': '/peerjs/ice' });
    await new Promise((resolve) => setTimeout(resolve, (ttlSeconds + 3) * 1000));
    const fetches = `performance.getEntriesByType('resource').filter((entry) => entry.name.endsWith('/peerjs/ice')).length`;
    expect(await evaluate<number>(one, fetches)).to.be.at.least(2);
    const connected = await connect(one, two);
    expect(connected, JSON.stringify(connected)).to.include({ ok: true });
    expect(await evaluate(one, 'chat.peers.map((peer) => peer.route)')).to.deep.equal(['relay']);
    await evaluate(one, `chat.send('fresh credentials').then(() => true)`);
    expect(await evaluate(two, `new Promise((resolve) => (function wait() { seen.messages.includes('fresh credentials') ? resolve(true) : setTimeout(wait, 25); })())`)).to.equal(true);
  });
});
