import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type { PeerChat } from '../src/peer-chat.js';
import { collect, createChat, nextEvent, pair, parts, patternBytes, sameBytes, startSignaling, stopSignaling, until } from './support/helpers.js';

/** What the suite did and saw, printed at the end. */
const tally = { faultsInjected: 0, messagesSent: 0, deliveredOnce: 0, markedFailed: 0, transfersCompleted: 0, transfersReportedFailed: 0 };

type Remote = { page: number; peerId: string };

/** A `<peer-chat>` on the second host, across the link from this page. */
async function remoteChat(port: number, attributes: Record<string, string> = {}): Promise<Remote> {
  const query = new URLSearchParams({ port: String(port), ...attributes });
  const path = `/test/fixtures/tab.html?${query}&host={near}`;
  const { id } = (await executeServerCommand<{ id: number }, { path: string }>('remote-open', { path }))!;
  const peerId = await remoteEval<string>(
    { page: id, peerId: '' },
    `(async () => {
      const chat = document.querySelector('peer-chat');
      window.received = [];
      window.progress = [];
      chat.addEventListener('peer-chat-message', (event) => event.detail.direction === 'in' && window.received.push(event.detail.text));
      chat.addEventListener('peer-chat-file-progress', (event) => window.progress.push(event.detail.bytes));
      chat.addEventListener('peer-chat-file', async (event) => {
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await event.detail.file.arrayBuffer()));
        window.fileDigest = Array.from(digest).join(',');
      });
      if (chat.signalingState !== 'open' || chat.peerId.length < 10) await new Promise((resolve) => chat.addEventListener('peer-chat-ready', resolve, { once: true }));
      return chat.peerId;
    })()`,
  );
  return { page: id, peerId };
}

async function remoteEval<T>(remote: Remote, script: string): Promise<T> {
  const result = await executeServerCommand<{ value: T }, { id: number; script: string }>('remote-evaluate', { id: remote.page, script });
  return result!.value;
}

async function cutLink(): Promise<void> {
  tally.faultsInjected++;
  await executeServerCommand('link-down');
}

async function restoreLink(): Promise<void> {
  await executeServerCommand('link-up');
}

async function digestOf(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))).join(',');
}

describe('<peer-chat> under faults: link cuts, a dying signaling server, closed tabs', () => {
  let port: number;
  before(async () => {
    port = await startSignaling();
  });
  afterEach(async () => {
    await executeServerCommand('link-up');
  });
  after(async () => {
    await executeServerCommand('remote-stop');
    await stopSignaling(port);
    // Every message sent was either delivered exactly once (checked against the receiver's log) or visibly failed.
    const lost = tally.messagesSent - tally.deliveredOnce - tally.markedFailed;
    console.log(
      `[faults] faults injected: ${tally.faultsInjected}; messages sent: ${tally.messagesSent}, delivered exactly once: ${tally.deliveredOnce}, ` +
        `marked failed: ${tally.markedFailed}, lost: ${lost}; transfers completed: ${tally.transfersCompleted}, reported failed: ${tally.transfersReportedFailed}`,
    );
    expect(lost).to.equal(0);
  });

  it('link cut and restored mid-chat: messages wait as pending, then arrive once and in order', async () => {
    const local = await createChat(port, { name: 'Near' });
    const remote = await remoteChat(port, { name: 'Far' });
    await local.connect(remote.peerId);
    const before = ['one', 'two'];
    for (const text of before) await local.send(text);
    // Acknowledged: delivered, or already read if the far page shows them.
    const acknowledged = (message: { status?: string }) => message.status === 'delivered' || message.status === 'read';
    await until(() => local.messages.every(acknowledged), 'the first messages to be acknowledged');
    const codeBefore = local.peers[0].safetyCode;
    expect(codeBefore).to.match(/^\d{5}( \d{5}){4}$/);

    const dropped = nextEvent(local, 'peer-chat-disconnect', undefined, 10_000);
    const cutAt = performance.now();
    await cutLink();
    const { reason } = await dropped;
    // Chromium notices the silence (liveness pings); Firefox's ICE consent checks close the channel first.
    expect(['timeout', 'closed']).to.include(reason);
    expect(performance.now() - cutAt, 'noticed within 5 s').to.be.lessThan(5_000);
    expect(local.peers.map((peer) => peer.status)).to.deep.equal(['reconnecting']);

    const during = ['three', 'four', 'five', 'six'];
    for (const text of during) await local.send(text);
    await remoteEval(remote, `document.querySelector('peer-chat').send('from far, during the cut').then(() => true)`);
    expect(local.messages.filter((message) => during.includes(message.text)).map((message) => message.status)).to.deep.equal(['pending', 'pending', 'pending', 'pending']);
    await local.updateComplete;
    expect(parts(local, 'message-pending')).to.have.length(4);

    const back = nextEvent(local, 'peer-chat-connect', undefined, 30_000);
    await restoreLink();
    // A new connection, the same certificates: the code people compared still holds.
    expect((await back).safetyCode).to.equal(codeBefore);
    await until(() => local.messages.every((message) => message.direction === 'in' || acknowledged(message)), 'every message to be acknowledged', 20_000);
    await until(() => local.messages.some((message) => message.text === 'from far, during the cut'), 'the far message');
    const received = await remoteEval<string[]>(remote, 'window.received');
    expect(received).to.deep.equal([...before, ...during]);
    expect(local.messages.filter((message) => message.direction === 'in').map((message) => message.text)).to.deep.equal(['from far, during the cut']);
    tally.messagesSent += before.length + during.length + 1;
    tally.deliveredOnce += received.length + 1;
  });

  it('link cut mid-transfer: the transfer pauses and resumes from the receiver\u2019s offset, verified', async () => {
    const local = await createChat(port);
    const remote = await remoteChat(port, { 'accept-files': 'always' });
    await local.connect(remote.peerId);
    const size = 40 * 1024 * 1024;
    const bytes = patternBytes(size, 21);
    const progress = collect(local, 'peer-chat-file-progress');
    const sending = local.sendFile(new File([bytes], 'resumable.bin'));
    await until(() => (progress.at(-1)?.bytes ?? 0) > size * 0.25, 'a quarter of the file', 60_000);

    const dropped = nextEvent(local, 'peer-chat-disconnect', undefined, 10_000);
    await cutLink();
    await dropped;
    await until(() => local.transfers[0].status === 'paused', 'the transfer to pause');
    const heldAtCut = local.transfers[0].bytes;
    expect(heldAtCut).to.be.greaterThan(0).and.lessThan(size);

    await restoreLink();
    await sending;
    tally.transfersCompleted++;
    await until(() => local.transfers[0].status === 'done', 'done');
    // Resumed, not restarted: what the receiver acknowledged never went backwards.
    const acknowledged = progress.map((event) => event.bytes);
    expect(acknowledged).to.deep.equal([...acknowledged].sort((a, b) => a - b));
    const receiverProgress = await remoteEval<number[]>(remote, 'window.progress');
    expect(receiverProgress).to.deep.equal([...receiverProgress].sort((a, b) => a - b));
    expect(receiverProgress.at(-1)).to.equal(size);
    const farDigest = await remoteEval<string>(remote, `new Promise((resolve) => { const poll = () => window.fileDigest ? resolve(window.fileDigest) : setTimeout(poll, 50); poll(); })`);
    expect(farDigest).to.equal(await digestOf(bytes));
  });

  it('signaling server killed mid-transfer: the transfer completes', async () => {
    const serverPort = await startSignaling();
    const alice = await createChat(serverPort);
    const bob = await createChat(serverPort, { acceptFiles: 'always' });
    await pair(alice, bob);
    const bytes = patternBytes(24 * 1024 * 1024, 5);
    const started = nextEvent(bob, 'peer-chat-file-progress');
    const received = nextEvent(bob, 'peer-chat-file', undefined, 60_000);
    const sending = alice.sendFile(new File([bytes], 'through-the-outage.bin'));
    await started;
    tally.faultsInjected++;
    await stopSignaling(serverPort);
    await sending;
    expect(await sameBytes((await received).file, bytes)).to.equal(true);
    expect(alice.signalingState).to.equal('reconnecting');
    tally.transfersCompleted++;
  });

  it('signaling server killed during connect: a clear outcome, and a connection once it is back', async () => {
    const serverPort = await startSignaling();
    const alice = await createChat(serverPort);
    const bob = await createChat(serverPort);
    const attempt = alice.connect(bob.peerId).then(
      () => 'connected',
      (error: Error & { type?: string }) => error.type ?? 'untyped',
    );
    tally.faultsInjected++;
    await stopSignaling(serverPort);
    const outcome = await attempt;
    // Either the offer got through before the server died, or the attempt failed with a reason.
    expect(['connected', 'timeout', 'connection', 'signaling', 'unknown-peer']).to.include(outcome);
    await startSignaling(serverPort);
    await until(() => alice.signalingState === 'open' && bob.signalingState === 'open', 'both to re-register', 40_000);
    if (outcome !== 'connected') await alice.connect(bob.peerId);
    const message = nextEvent(bob, 'peer-chat-message');
    await alice.send('after the outage');
    expect((await message).text).to.equal('after the outage');
    await stopSignaling(serverPort);
  });

  it('a tab closed mid-transfer: the sender reports the transfer failed, and queued messages failed', async () => {
    const local = (await createChat(port)) as PeerChat;
    local.setAttribute('reconnect-timeout', '3000');
    const tab = await executeServerCommand<{ id: number }, { path: string }>('tab-open', { path: `/test/fixtures/tab.html?port=${port}&accept-files=always` });
    const tabPeerId = await executeServerCommand<string, { id: number; script: string }>('tab-evaluate', {
      id: tab!.id,
      script: `new Promise((resolve) => { const chat = document.querySelector('peer-chat'); chat.peerId.length > 10 && chat.signalingState === 'open' ? resolve(chat.peerId) : chat.addEventListener('peer-chat-ready', (event) => resolve(event.detail.peerId), { once: true }); })`,
    });
    await local.connect(tabPeerId!);
    const progress = collect(local, 'peer-chat-file-progress');
    const sending = local.sendFile(new File([patternBytes(64 * 1024 * 1024, 8)], 'orphan.bin')).then(
      () => 'completed',
      (error: Error & { type?: string }) => error.type,
    );
    await until(() => progress.length > 0, 'the transfer to start', 30_000);
    tally.faultsInjected++;
    const errors = collect(local, 'peer-chat-error');
    // Listening first: in Firefox the closing tab's peer connection can end before tab-close returns.
    const gone = nextEvent(local, 'peer-chat-disconnect', undefined, 10_000);
    await executeServerCommand('tab-close', { id: tab!.id });
    await gone;
    const queued = await local.send('anyone there?');
    expect(local.messages.at(-1)!.status).to.equal('pending');
    expect(await sending).to.equal('transfer');
    tally.transfersReportedFailed++;
    expect(local.transfers[0].status).to.equal('failed');
    await until(() => local.messages.find((message) => message.id === queued.id)?.status === 'failed', 'the queued message to fail');
    tally.messagesSent++;
    tally.markedFailed++;
    expect(errors.map((error) => error.type)).to.include.members(['transfer', 'delivery']);
    await local.updateComplete;
    expect(parts(local, 'message-failed')).to.have.length(1);
  });
});
