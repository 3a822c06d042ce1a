#!/usr/bin/env node
// What each file-transfer change gives, in one run: `<peer-chat>` sendFile between two tabs,
// with the block hash and the storage worker each switched off in the page (no `crypto.subtle`:
// whole-file SHA-256 in JavaScript, as with a protocol v1 peer; no `Worker`: the writable stream,
// as under a CSP without `worker-src blob:`). Same bundle, rounds interleaved; medians.
//
//   npm run build && node scripts/netns.mjs -- node bench/variants.mjs
//   BENCH_ROUNDS (3), BENCH_MIB (64)
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../test/support/browsers.mjs';
import { cpuTimes, rendererOf } from './processes.mjs';
import { fixed, median } from './report.mjs';
import { startSignaling, startStaticServer } from './servers.mjs';

const MiB = 1024 * 1024;
const root = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SIZE = Number(process.env.BENCH_MIB ?? 64) * MiB;
const VARIANTS = {
  'JS SHA-256, writable stream': { blockHash: false, worker: false },
  'block hash, writable stream': { blockHash: true, worker: false },
  'JS SHA-256, storage worker': { blockHash: false, worker: true },
  'block hash, storage worker': { blockHash: true, worker: true },
};

const signaling = await startSignaling(root);
const web = await startStaticServer(root);
const browser = await launchBrowser('chromium');
const browserPid = browser.process().pid;
const call = (tab, name, ...args) => tab.page.evaluate((name, args) => window.bench[name](...args), name, args);

async function openTab(host, variant) {
  const page = await browser.newPage({ type: 'window' });
  await page.evaluateOnNewDocument(({ blockHash, worker }) => {
    if (!blockHash) Object.defineProperty(crypto, 'subtle', { value: undefined });
    if (!worker) window.Worker = undefined;
  }, variant);
  await page.goto(`http://${host}:${web.port}/bench/page.html`);
  await page.waitForFunction(() => window.bench);
  return { page, pid: await rendererOf(page, browserPid) };
}

try {
  const pairs = {};
  let index = 0;
  for (const [name, variant] of Object.entries(VARIANTS)) {
    const sender = await openTab('127.0.0.1', variant);
    const receiver = await openTab('localhost', variant);
    // A file of its own for each sending tab: rewriting one makes the other tabs' File of it unreadable.
    const size = SIZE + index++ * MiB;
    await call(sender, 'chatPrepareFile', size);
    const remoteId = await call(receiver, 'chatStart', signaling.port);
    await call(sender, 'chatStart', signaling.port);
    await call(sender, 'chatConnect', remoteId);
    await call(sender, 'chatSendFile', 8 * MiB); // warm-up
    pairs[name] = { sender, receiver, size, results: [] };
  }
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, { sender, receiver, size, results }] of Object.entries(pairs)) {
      console.error(`[variants] round ${round}/${ROUNDS}: ${name}`);
      const before = cpuTimes(browserPid);
      const start = Date.now();
      await call(sender, 'chatSendFile', size);
      const seconds = (Date.now() - start) / 1000;
      const cpu = { sender: 0, receiver: 0, rest: 0 };
      for (const [pid, ms] of cpuTimes(browserPid)) {
        const part = pid === sender.pid ? 'sender' : pid === receiver.pid ? 'receiver' : 'rest';
        cpu[part] += (ms - (before.get(pid) ?? 0)) / (size / 1e6);
      }
      results.push({ mbps: size / 1e6 / seconds, ...cpu });
    }
  }
  console.log(`sendFile, ${SIZE / MiB} MiB, medians of ${ROUNDS}: MB/s | CPU ms/MB: sending tab, receiving tab, rest of Chromium`);
  for (const [name, { results }] of Object.entries(pairs)) {
    const of = (key) => fixed(median(results.map((result) => result[key])));
    console.log(`${name.padEnd(28)} | ${of('mbps')} MB/s | ${of('sender')}, ${of('receiver')}, ${of('rest')}`);
  }
} finally {
  await browser.close();
  web.server.close();
  signaling.child.kill();
}
