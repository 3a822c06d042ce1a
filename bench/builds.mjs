#!/usr/bin/env node
// Figures of npm run bench for two or more builds in one run, side by side: each build's `dist`
// directory (a copy of an earlier `npm run build`) in its own pair of tabs of one Chromium.
// `messages` (the default): single messages in interleaved rounds, with an empty log and with
// BENCH_HISTORY in it; then a burst, typing and the JS heap. `transfers`: sendFile of
// BENCH_MIB and the bare channel (in the first build's tabs), interleaved: throughput, CPU per
// MB of each tab and the rest of Chromium (other tabs left out), chat delay. `connect`: connect()
// against PeerJS's own `open` in the same tabs, interleaved. Medians.
//
//   cp -r dist /tmp/before && (change, npm run build) &&
//   node scripts/netns.mjs -- node bench/builds.mjs [messages] [transfers] [connect] before=/tmp/before after=dist
//   BENCH_ROUNDS (6), BENCH_HISTORY (5000), BENCH_MIB (64), BENCH_PERSIST (messages: the receiving
//   elements with `persist`)
import { mkdtempSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../test/support/browsers.mjs';
import { PROBE_AT, call, pairTabs, timeTransfer } from './lab.mjs';
import { startMessageLog } from './message-log.mjs';
import { rendererOf } from './processes.mjs';
import { fixed, median } from './report.mjs';
import { startSignaling, startStaticServer } from './servers.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const HISTORY = Number(process.env.BENCH_HISTORY ?? 5000);
const PER_ROUND = 4;
const MiB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_MIB ?? 64) * MiB;
const parts = process.argv.slice(2).filter((argument) => !argument.includes('='));
const builds = process.argv.slice(2).filter((argument) => argument.includes('=')).map((argument) => argument.split('='));
if (builds.length < 2 || builds.some(([name, dist]) => !/^[a-z0-9-]+$/.test(name) || !dist) || parts.some((part) => !['messages', 'transfers', 'connect'].includes(part))) {
  throw new Error('usage: bench/builds.mjs [messages] [transfers] [connect] NAME=DIST NAME=DIST … (names: a-z, 0-9, -)');
}
if (parts.length === 0) parts.push('messages');

const signaling = await startSignaling(root);
const browser = await launchBrowser('chromium');
const sites = [];
try {
  const pairs = new Map();
  for (const [name, dist] of builds) {
    // A site of its own: the bench pages and PeerJS of this tree, the build's dist.
    const site = mkdtempSync(join(tmpdir(), 'peer-chat-build-'));
    mkdirSync(join(site, 'node_modules', 'peerjs'), { recursive: true });
    symlinkSync(join(root, 'bench'), join(site, 'bench'));
    symlinkSync(join(root, 'node_modules', 'peerjs', 'dist'), join(site, 'node_modules', 'peerjs', 'dist'));
    symlinkSync(resolve(dist), join(site, 'dist'));
    const web = await startStaticServer(site);
    sites.push({ site, web });
    // Hosts of their own (Chromium resolves *.localhost itself): each tab in its own renderer.
    const tab = async (role) => {
      const page = await browser.newPage({ type: 'window' });
      page.on('pageerror', (error) => console.error(`${name} ${role}: ${error.message}`));
      await page.goto(`http://${name}-${role}.localhost:${web.port}/bench/page.html`);
      await page.waitForFunction(() => window.bench);
      return { page, pid: await rendererOf(page, browser.process().pid) };
    };
    pairs.set(name, { sender: await tab('sender'), receiver: await tab('receiver') });
  }
  if (parts.includes('connect')) await connectFigures(pairs);
  if (parts.includes('transfers')) await transferFigures(pairs);
  if (parts.includes('messages')) {
    const logs = new Map();
    for (const [name, { sender, receiver }] of pairs) logs.set(name, await startMessageLog(sender, receiver, signaling.port, process.env.BENCH_PERSIST ? { persist: 'bench' } : {}));
    const report = (label, values, unit) => console.log(`  ${label}: ${[...values].map(([name, value]) => `${name} ${fixed(value, 2)} ${unit}`).join(', ')}`);
    const figures = async (label) => {
      console.log(`${label}:`);
      const singles = new Map(builds.map(([name]) => [name, []]));
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 ? [...logs].reverse() : [...logs];
        for (const [name, log] of order) singles.get(name).push(...(await log.singles(PER_ROUND)));
      }
      for (const kind of ['cpu', 'task']) {
        report(`one message, main-thread ${kind}, median of ${ROUNDS * PER_ROUND}`, [...singles].map(([name, costs]) => [name, median(costs.map((cost) => cost[kind]))]), 'ms');
      }
      const bursts = [];
      for (const [name, log] of logs) bursts.push([name, await log.burst(200)]);
      for (const kind of ['cpu', 'task']) report(`a burst of 200, main-thread ${kind}`, bursts.map(([name, cost]) => [name, cost[kind]]), 'ms');
      const keys = [];
      for (const [name, log] of logs) keys.push([name, median((await log.keys(10)).filter(Number.isFinite))]);
      report('typing one character, median of 10', keys, 'ms');
      const heaps = [];
      for (const [name, log] of logs) heaps.push([name, await log.heap()]);
      report('JS heap', heaps, 'MiB');
    };
    await figures('empty log');
    await Promise.all([...logs.values()].map((log) => log.fill(HISTORY)));
    await figures(`${HISTORY} in the log`);
  }
} finally {
  await browser.close();
  for (const { site, web } of sites) {
    web.server.close();
    rmSync(site, { recursive: true });
  }
  signaling.child.kill();
}

/**
 * connect() of each build against PeerJS's own `open` in that build's tabs, PER_ROUND × ROUNDS
 * times each, the builds interleaved: medians and their ratio, as bench/run.mjs reports it.
 */
async function connectFigures(pairs) {
  const samples = new Map([...pairs.keys()].map((name) => [name, { peerjs: [], chat: [] }]));
  for (const { sender, receiver } of pairs.values()) await pairTabs(sender, receiver, signaling.port, 'chat'); // warm-up
  for (let round = 0; round < ROUNDS * PER_ROUND; round++) {
    for (const [name, { sender, receiver }] of round % 2 ? [...pairs].reverse() : pairs) {
      samples.get(name).peerjs.push(await pairTabs(sender, receiver, signaling.port, 'peerjs'));
      samples.get(name).chat.push(await pairTabs(sender, receiver, signaling.port, 'chat'));
    }
  }
  console.log(`connect(), median of ${ROUNDS * PER_ROUND}: <peer-chat> vs PeerJS open in the same tabs`);
  for (const [name, { peerjs, chat }] of samples) {
    console.log(`  ${name.padEnd(12)} ${fixed(median(chat))} ms vs ${fixed(median(peerjs))} ms: ratio ${(median(chat) / median(peerjs)).toFixed(2)}`);
  }
}

/**
 * sendFile of each build's pair and the bare channel in the first pair's tabs, in interleaved
 * rounds: MB/s and CPU per MB (the other pairs' tabs left out), then chat delay as bench/run.mjs
 * measures it. Every connection moves a file first: a fresh one's first transfer stalls (docs/performance.md).
 */
async function transferFigures(pairs) {
  const tabs = [...pairs.values()].flatMap(({ sender, receiver }) => [sender, receiver]);
  const browserPid = browser.process().pid;
  const cases = [];
  for (const [name, { sender, receiver }] of pairs) {
    await call(sender, 'chatPrepareFile', SIZE);
    const remoteId = await call(receiver, 'chatStart', signaling.port);
    await call(sender, 'chatStart', signaling.port);
    await call(sender, 'chatConnect', remoteId);
    cases.push({ name, sender, receiver, send: () => call(sender, 'chatSendFile', SIZE), probes: () => call(sender, 'chatProbeDuringTransfer', SIZE, PROBE_AT) });
  }
  const [{ sender, receiver }] = cases;
  await call(sender, 'bareConnect', await call(receiver, 'bareAnswer', await call(sender, 'bareOffer', 1)));
  cases.unshift({ name: 'bare', sender, receiver, send: () => call(sender, 'bareSend', SIZE, 64 * 1024, 1), probes: () => call(sender, 'bareProbeDuringTransfer', SIZE, PROBE_AT) });
  const others = (one) => tabs.filter((tab) => tab !== one.sender && tab !== one.receiver);
  for (const one of cases) await timeTransfer(browserPid, one.sender, one.receiver, SIZE, one.send, others(one));
  const results = new Map(cases.map(({ name }) => [name, { transfers: [], delays: [] }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const one of round % 2 ? [...cases].reverse() : cases) {
      results.get(one.name).transfers.push(await timeTransfer(browserPid, one.sender, one.receiver, SIZE, one.send, others(one)));
    }
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const one of round % 2 ? [...cases].reverse() : cases) results.get(one.name).delays.push(...(await one.probes()).map((probe) => probe.oneWay));
  }
  console.log(`transfers, ${SIZE / MiB} MiB, ${ROUNDS} rounds: MB/s | CPU ms/MB sending tab, receiving tab, rest | chat delay one-way median, max (ms)`);
  for (const [name, { transfers, delays }] of results) {
    const of = (read) => fixed(median(transfers.map(read)));
    console.log(`  ${name.padEnd(12)} ${of((one) => one.mbps)} | ${of((one) => one.cpu.sender)}, ${of((one) => one.cpu.receiver)}, ${of((one) => one.cpu.rest)} | ${fixed(median(delays))}, ${fixed(Math.max(...delays))}`);
  }
}
