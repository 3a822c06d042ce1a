#!/usr/bin/env node
// What each file-transfer change gives, in one run: `<peer-chat>` sendFile between two tabs,
// with the block hash and the storage worker each switched off in the page (no `crypto.subtle`:
// whole-file SHA-256 in JavaScript, as with a protocol v1 peer; no `Worker`: the writable stream,
// as under a CSP without `worker-src blob:`). Same bundle, rounds interleaved; medians.
//
//   npm run build && node scripts/netns.mjs -- node bench/variants.mjs
//   BENCH_ROUNDS (3), BENCH_MIB (64)
import { fileURLToPath } from 'node:url';
import { call, startLab } from './lab.mjs';
import { fixed, median } from './report.mjs';

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

const { openTab, transfer, pairChats, close } = await startLab(root, (message) => console.error(message));

/** Runs in a tab before its scripts: the variant's features switched off. */
function switchOff({ blockHash, worker }) {
  if (!blockHash) Object.defineProperty(crypto, 'subtle', { value: undefined });
  if (!worker) window.Worker = undefined;
}

try {
  const pairs = {};
  let index = 0;
  for (const [name, variant] of Object.entries(VARIANTS)) {
    const sender = await openTab('127.0.0.1', [switchOff, variant]);
    const receiver = await openTab('localhost', [switchOff, variant]);
    // A file of its own for each sending tab: rewriting one makes the other tabs' File of it unreadable.
    const size = SIZE + index++ * MiB;
    await call(sender, 'chatPrepareFile', size);
    await pairChats(sender, receiver);
    await call(sender, 'chatSendFile', 8 * MiB + 1); // warm-up, with a file no variant sends (theirs are whole MiB)
    pairs[name] = { sender, receiver, size, results: [] };
  }
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, { sender, receiver, size, results }] of Object.entries(pairs)) {
      console.error(`[variants] round ${round}/${ROUNDS}: ${name}`);
      const { mbps, cpu } = await transfer(sender, receiver, size, () => call(sender, 'chatSendFile', size));
      results.push({ mbps, ...cpu });
    }
  }
  console.log(`sendFile, ${SIZE / MiB} MiB, medians of ${ROUNDS}: MB/s | CPU ms/MB: sending tab, receiving tab, rest of Chromium`);
  for (const [name, { results }] of Object.entries(pairs)) {
    const of = (key) => fixed(median(results.map((result) => result[key])));
    console.log(`${name.padEnd(28)} | ${of('mbps')} MB/s | ${of('sender')}, ${of('receiver')}, ${of('rest')}`);
  }
} finally {
  await close();
}
