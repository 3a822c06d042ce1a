import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type { PeerChat } from '../src/peer-chat.js';
import { sha256Hex } from './support/block-hash.js';
import { nextEvent, patternBytes, sameBytes, startSignaling, stopSignaling, until } from './support/helpers.js';

// Runs in both browsers; each time the peer is a <peer-chat> in a separate instance of the
// *other* browser (Firefox when this runs in Chromium, Chromium when it runs in Firefox),
// opened by the signaling plugin on test/fixtures/tab.html and driven by script. So each
// browser is once the dialing (offering) side and once the answering side.

interface RemoteFile {
  from: string;
  name: string;
  size: number;
  type: string;
  sha256: string;
}

interface RemoteMessage {
  from: string;
  text: string;
  direction: string;
}

/**
 * Evaluates `body` (an async function body) in the other browser's tab, with `chat` (its
 * element), `log`, `until` and `start` in scope.
 */
async function remote<T>(tab: number, body: string): Promise<T> {
  // Wrapped: a bare undefined result would read as "command not handled".
  const script = `(async () => {
    const chat = document.querySelector('peer-chat');
    const { log, until, start } = window.__crossBrowser;
    return { value: await (async () => { ${body} })() };
  })()`;
  const result = await executeServerCommand<{ value: T }, { id: number; script: string }>('tab-evaluate', { id: tab, script });
  return result!.value;
}

/**
 * Waits until `condition` (an expression over `chat` and `log`) holds in the other tab, then
 * returns the value of `result`. Polls in short evaluations: a server command that takes
 * 20 s times out.
 */
async function remoteUntil<T>(tab: number, condition: string, result: string, what: string, timeoutMs = 40_000): Promise<T> {
  const start = performance.now();
  for (;;) {
    const done = await remote<{ ok: boolean; value?: T }>(tab, `
      try { await until(() => ${condition}, '', 3000); } catch { return { ok: false }; }
      return { ok: true, value: ${result} };`);
    if (done.ok) return done.value as T;
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what} in the other browser`);
  }
}

/** Installed once in the other tab: records what its element sees. */
const REMOTE_SETUP = `(async () => {
  const until = async (condition, what, timeoutMs = 30000) => {
    const start = performance.now();
    while (!condition()) {
      if (performance.now() - start > timeoutMs) throw new Error('timed out waiting for ' + what);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const hex = (buffer) => [...new Uint8Array(buffer)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  const log = { connects: [], disconnects: [], messages: [], files: [], errors: [] };
  // Long operations run in the background; their outcome lands in log.done[key].
  log.done = {};
  const start = (key, promise) => promise.then(() => (log.done[key] = 'ok'), (error) => (log.done[key] = 'failed: ' + (error.type || '') + ' ' + error.message));
  window.__crossBrowser = { log, until, start };
  await until(() => document.querySelector('peer-chat'), 'the element');
  const chat = document.querySelector('peer-chat');
  chat.addEventListener('peer-chat-connect', (event) => log.connects.push(event.detail));
  chat.addEventListener('peer-chat-disconnect', (event) => log.disconnects.push(event.detail));
  chat.addEventListener('peer-chat-message', (event) => log.messages.push(event.detail));
  chat.addEventListener('peer-chat-error', (event) => log.errors.push(event.detail));
  chat.addEventListener('peer-chat-file', async (event) => {
    const { file, from } = event.detail;
    const sha256 = hex(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
    log.files.push({ from, name: file.name, size: file.size, type: file.type, sha256 });
  });
  await until(() => chat.signalingState === 'open' && chat.peerId, 'registration');
  return { peerId: chat.peerId, userAgent: navigator.userAgent };
})()`;

const isFirefox = (userAgent: string) => /\bFirefox\//.test(userAgent);

describe('<peer-chat> with a <peer-chat> in the other browser', () => {
  let port: number;
  let tab: number;
  let remoteId: string;
  let local: PeerChat;

  before(async () => {
    port = await startSignaling();
    // Not a fixture: it lives through every test of this file.
    local = document.createElement('peer-chat');
    local.setAttribute('host', '127.0.0.1');
    local.setAttribute('port', String(port));
    local.setAttribute('ice-servers', '[]');
    local.setAttribute('name', 'Here');
    local.setAttribute('accept-files', 'always');
    const ready = nextEvent(local, 'peer-chat-ready');
    document.body.append(local);
    await ready;

    const opened = await executeServerCommand<{ id: number; browser: string }, { path: string; browser: string }>('tab-open', {
      path: `/test/fixtures/tab.html?port=${port}&name=There&accept-files=always`,
      browser: 'other',
    });
    tab = opened!.id;
    const setup = (await executeServerCommand<{ peerId: string; userAgent: string }, { id: number; script: string }>('tab-evaluate', { id: tab, script: REMOTE_SETUP }))!;
    remoteId = setup.peerId;
    console.log(`[cross-browser] this page: ${navigator.userAgent}; the peer: ${opened!.browser}`);
    // Really the other browser.
    expect(isFirefox(setup.userAgent), `${navigator.userAgent} vs ${setup.userAgent}`).to.equal(!isFirefox(navigator.userAgent));
  });

  after(async () => {
    if (tab) await executeServerCommand('tab-close', { id: tab });
    local?.remove();
    await stopSignaling(port);
  });

  it('connects: both sides see each other with their names, and the same safety code', async () => {
    const seen = nextEvent(local, 'peer-chat-connect');
    await local.connect(remoteId);
    const here = await seen;
    expect(here).to.include({ peerId: remoteId, name: 'There' });
    expect(local.connectedPeers).to.deep.equal([remoteId]);
    const there = await remoteUntil<Array<{ peerId: string; name?: string; safetyCode?: string }>>(
      tab,
      'log.connects.length > 0 && chat.connectedPeers.length > 0',
      'log.connects',
      'the connection',
    );
    expect(there).to.have.length(1);
    expect(there[0]).to.include({ peerId: local.peerId, name: 'Here' });
    // Derived from both DTLS fingerprints, each browser computing it on its own.
    expect(here.safetyCode).to.be.a('string').and.not.equal('');
    expect(there[0].safetyCode).to.equal(here.safetyCode);
  });

  it('chats both ways, text exact (markup, emoji, combining marks, a long message)', async () => {
    const texts = ['hello from this browser', 'Grüße 👋🏽 e\u0301 <b>bold?</b> & "quotes"\nsecond line', 'x'.repeat(60_000)];
    for (const text of texts) await local.send(text);
    const there = await remoteUntil<RemoteMessage[]>(tab, `log.messages.length >= ${texts.length}`, 'log.messages', 'the messages');
    expect(there.map((message) => message.text)).to.deep.equal(texts);
    expect(there.every((message) => message.from === local.peerId && message.direction === 'in')).to.equal(true);

    const replies = ['hello back from the other browser', 'ñ ü 中文 \u202Eevil\u202C 🙂'];
    const received: string[] = [];
    const listener = (event: Event) => {
      const detail = (event as CustomEvent<{ text: string; direction: string }>).detail;
      if (detail.direction === 'in') received.push(detail.text);
    };
    local.addEventListener('peer-chat-message', listener);
    try {
      await remote(tab, `for (const text of ${JSON.stringify(replies)}) await chat.send(text, ${JSON.stringify(local.peerId)});`);
      await until(() => received.length >= replies.length, 'the replies');
      expect(received).to.deep.equal(replies);
    } finally {
      local.removeEventListener('peer-chat-message', listener);
    }
    const fromThere = local.messages.filter((message) => message.direction === 'in');
    expect(fromThere.map((message) => message.from)).to.deep.equal([remoteId, remoteId]);
  });

  it('sends a file of several MiB from here to there, byte-exact', async () => {
    const size = 5 * 1024 * 1024 + 4321;
    const bytes = patternBytes(size, 21);
    await local.sendFile(new File([bytes], 'here-to-there.bin', { type: 'application/octet-stream' }), remoteId);
    const files = await remoteUntil<RemoteFile[]>(tab, 'log.files.length >= 1', 'log.files', 'the file');
    expect(files).to.deep.equal([
      { from: local.peerId, name: 'here-to-there.bin', size, type: 'application/octet-stream', sha256: await sha256Hex(bytes) },
    ]);
  });

  it('receives a file of several MiB from there, byte-exact, with progress', async () => {
    const size = 4 * 1024 * 1024 + 777;
    const progress: number[] = [];
    const onProgress = (event: Event) => progress.push((event as CustomEvent<{ bytes: number }>).detail.bytes);
    local.addEventListener('peer-chat-file-progress', onProgress);
    try {
      const received = nextEvent(local, 'peer-chat-file');
      await remote(
        tab,
        `const bytes = (${patternBytes.toString()})(${size}, 33);
         start('there-to-here', chat.sendFile(new File([bytes], 'there-to-here.bin', { type: 'application/x-test' }), ${JSON.stringify(local.peerId)}));`,
      );
      const { file, from } = await received;
      expect(await remoteUntil(tab, `log.done['there-to-here']`, `log.done['there-to-here']`, 'sendFile() to settle')).to.equal('ok');
      expect(from).to.equal(remoteId);
      expect(file.name).to.equal('there-to-here.bin');
      expect(file.type).to.equal('application/x-test');
      expect(file.size).to.equal(size);
      expect(await sameBytes(file, patternBytes(size, 33))).to.equal(true);
      expect(progress.length).to.be.greaterThan(1);
      expect(progress.at(-1)).to.equal(size);
    } finally {
      local.removeEventListener('peer-chat-file-progress', onProgress);
    }
  });

  it('sends files both ways at once, with chat going through meanwhile', async () => {
    // Each side numbers its own transfers: both of these are its second, so they share a slot
    // number. The smaller one ends while the larger one is still coming in.
    const outBytes = patternBytes(2 * 1024 * 1024 + 1, 44);
    const inSize = 6 * 1024 * 1024 + 3;
    const received = nextEvent(local, 'peer-chat-file', (detail) => detail.file.name === 'in.bin', 40_000);
    received.catch(() => {}); // A stall is reported below, with the transfer's state.
    const reply = nextEvent(local, 'peer-chat-message', (detail) => detail.direction === 'in' && detail.text === 'mid-transfer reply');
    const sendingOut = local.sendFile(new File([outBytes], 'out.bin'), remoteId);
    await remote(
      tab,
      `const bytes = (${patternBytes.toString()})(${inSize}, 55);
       start('in', chat.sendFile(new File([bytes], 'in.bin'), ${JSON.stringify(local.peerId)}));
       await chat.send('mid-transfer reply', ${JSON.stringify(local.peerId)});`,
    );
    await local.send('mid-transfer hello', remoteId);
    await Promise.all([sendingOut, reply]);
    // The incoming file must still arrive whole after the outgoing one ended.
    const incoming = () => local.transfers.find((transfer) => transfer.name === 'in.bin');
    await until(() => incoming()?.status === 'done', 'in.bin to arrive', 30_000).catch((error: Error) => {
      const { status, bytes, size } = incoming() ?? {};
      throw new Error(`${error.message}: it is ${status} at ${bytes} of ${size} bytes`);
    });
    expect(await sameBytes((await received).file, patternBytes(inSize, 55))).to.equal(true);
    expect(await remoteUntil(tab, `log.done.in`, `log.done.in`, 'sendFile() to settle')).to.equal('ok');
    const files = await remoteUntil<RemoteFile[]>(tab, 'log.files.length >= 2', 'log.files', 'the second file');
    expect(files[1]).to.include({ name: 'out.bin', size: outBytes.byteLength, sha256: await sha256Hex(outBytes) });
    const texts = await remoteUntil<string[]>(tab, `log.messages.some((m) => m.text === 'mid-transfer hello')`, 'log.messages.map((m) => m.text)', 'the message');
    expect(texts).to.include('mid-transfer hello');
    expect(await remote<unknown[]>(tab, `return log.errors;`)).to.deep.equal([]);
  });

  it('notices within seconds when the other browser\u2019s tab closes', async () => {
    const left = nextEvent(local, 'peer-chat-disconnect', undefined, 10_000);
    const closedAt = performance.now();
    await executeServerCommand('tab-close', { id: tab });
    tab = 0;
    const { peerId, reason } = await left;
    expect(peerId).to.equal(remoteId);
    expect(['closed', 'timeout']).to.include(reason);
    expect(performance.now() - closedAt).to.be.lessThan(10_000);
    expect(local.connectedPeers).to.deep.equal([]);
  });
});
