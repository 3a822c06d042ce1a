#!/usr/bin/env node
// The two issue-13 figures npm run bench takes longest to reach, alone and measured the same
// way as bench/run.mjs, for quick iterations: connect() against PeerJS's own `open`, and CPU
// per MB of sendFile against the bare data channel. With BENCH_PROFILE=1, one more transfer
// under the CDP profiler of each tab, and each tab's busiest functions (self time).
//
//   npm run build && node scripts/netns.mjs -- node bench/focus.mjs [connect] [cpu]
//   BENCH_ROUNDS (5), BENCH_MIB (64), BENCH_PROFILE
import { fileURLToPath } from 'node:url';
import { call, startLab } from './lab.mjs';
import { fixed, median } from './report.mjs';

const MiB = 1024 * 1024;
const root = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SIZE = Number(process.env.BENCH_MIB ?? 64) * MiB;
const parts = process.argv.slice(2).length ? process.argv.slice(2) : ['connect', 'cpu'];

const { openTab, transfer, pairPeerJs, pairChats, close } = await startLab(root, (message) => console.error(message));

/** CPU ms per MB of each tab and of the rest of Chromium while `send` moves SIZE bytes. */
const cpuOf = async (sender, receiver, send) => (await transfer(sender, receiver, SIZE, send)).cpu;

/** The functions with the most self time in a CDP profile, in ms. */
function busiest(profile, count = 25) {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  for (let index = 0; index < profile.samples.length; index++) {
    const frame = byNode.get(profile.samples[index]).callFrame;
    const name = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').pop()}:${frame.lineNumber + 1}`;
    self.set(name, (self.get(name) ?? 0) + profile.timeDeltas[index] / 1000);
  }
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, count);
}

try {
  const sender = await openTab('127.0.0.1');
  const receiver = await openTab('localhost');
  await call(sender, 'chatPrepareFile', SIZE);
  await pairPeerJs(sender, receiver);
  await pairChats(sender, receiver);

  if (parts.includes('connect')) {
    const samples = { peerjs: [], chat: [] };
    for (let round = 0; round < ROUNDS * 4; round++) {
      samples.peerjs.push(await pairPeerJs(sender, receiver));
      const began = Date.now();
      samples.chat.push(await pairChats(sender, receiver).catch((error) => console.log(`connect failed after ${Date.now() - began} ms: ${error.message}`) ?? NaN));
    }
    const [peerjs, chat] = [median(samples.peerjs), median(samples.chat.filter(Number.isFinite))];
    console.log(`connect, median of ${samples.chat.length}: <peer-chat> ${fixed(chat)} ms, PeerJS open ${fixed(peerjs)} ms, ratio ${(chat / peerjs).toFixed(2)}`);
  }

  if (parts.includes('cpu')) {
    const offer = await call(sender, 'bareOffer', 1);
    await call(sender, 'bareConnect', await call(receiver, 'bareAnswer', offer));
    await call(sender, 'chatSendFile', SIZE); // warm-up
    const cases = { bare: () => call(sender, 'bareSend', SIZE, 64 * 1024, 1), chat: () => call(sender, 'chatSendFile', SIZE) };
    const samples = { bare: [], chat: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, send] of Object.entries(cases)) samples[name].push(await cpuOf(sender, receiver, send));
    }
    console.log(`CPU ms/MB, ${SIZE / MiB} MiB, medians of ${ROUNDS}: <peer-chat> vs bare channel`);
    for (const part of ['sender', 'receiver', 'rest']) {
      const [chat, bare] = ['chat', 'bare'].map((name) => median(samples[name].map((cpu) => cpu[part])));
      console.log(`  ${part.padEnd(8)} ${fixed(chat)} vs ${fixed(bare)}: ratio ${(chat / bare).toFixed(2)}`);
    }
    if (process.env.BENCH_PROFILE) {
      const sessions = await Promise.all([sender, receiver].map((tab) => tab.page.createCDPSession()));
      for (const session of sessions) {
        await session.send('Profiler.enable');
        await session.send('Profiler.setSamplingInterval', { interval: 100 });
        await session.send('Profiler.start');
      }
      await cpuOf(sender, receiver, cases.chat);
      for (const [index, session] of sessions.entries()) {
        const { profile } = await session.send('Profiler.stop');
        console.log(`${index === 0 ? 'sending' : 'receiving'} tab, self time (ms):`);
        for (const [name, ms] of busiest(profile)) console.log(`  ${fixed(ms).padStart(8)}  ${name}`);
      }
    }
  }
} finally {
  await close();
}
