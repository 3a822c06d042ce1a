#!/usr/bin/env node
// The message-log figures of npm run bench for two or more builds in one run, side by side:
// each build's `dist` directory (a copy of an earlier `npm run build`) in its own pair of tabs
// of one Chromium, single messages in interleaved rounds, with an empty log and with
// BENCH_HISTORY in it; then a burst, typing and the JS heap. Medians.
//
//   cp -r dist /tmp/before && (change, npm run build) &&
//   node scripts/netns.mjs -- node bench/builds.mjs before=/tmp/before after=dist
//   BENCH_ROUNDS (6), BENCH_HISTORY (5000)
import { mkdtempSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../test/support/browsers.mjs';
import { startMessageLog } from './message-log.mjs';
import { fixed, median } from './report.mjs';
import { startSignaling, startStaticServer } from './servers.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const HISTORY = Number(process.env.BENCH_HISTORY ?? 5000);
const PER_ROUND = 4;
const builds = process.argv.slice(2).map((argument) => argument.split('='));
if (builds.length < 2 || builds.some(([name, dist]) => !/^[a-z0-9-]+$/.test(name) || !dist)) {
  throw new Error('usage: bench/builds.mjs NAME=DIST NAME=DIST … (names: a-z, 0-9, -)');
}

const signaling = await startSignaling(root);
const browser = await launchBrowser('chromium');
const sites = [];
try {
  const logs = new Map();
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
      return { page };
    };
    logs.set(name, await startMessageLog(await tab('sender'), await tab('receiver'), signaling.port));
  }
  const report = (label, values, unit) => console.log(`  ${label}: ${[...values].map(([name, value]) => `${name} ${fixed(value, 2)} ${unit}`).join(', ')}`);
  const figures = async (label) => {
    console.log(`${label}:`);
    const singles = new Map(builds.map(([name]) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 ? [...logs].reverse() : [...logs];
      for (const [name, log] of order) singles.get(name).push(...(await log.singles(PER_ROUND)));
    }
    report(`one message, median of ${ROUNDS * PER_ROUND}`, [...singles].map(([name, costs]) => [name, median(costs)]), 'ms');
    const bursts = [];
    for (const [name, log] of logs) bursts.push([name, await log.burst(200)]);
    report('a burst of 200', bursts, 'ms');
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
} finally {
  await browser.close();
  for (const { site, web } of sites) {
    web.server.close();
    rmSync(site, { recursive: true });
  }
  signaling.child.kill();
}
