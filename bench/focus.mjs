#!/usr/bin/env node
// Issue-13 figures of npm run bench, alone and measured the same way as bench/run.mjs, for
// quick iterations: connect() against PeerJS's own `open`; CPU per MB of sendFile against the
// bare data channel; receiving and showing one message with an empty log and with
// BENCH_HISTORY in it. With BENCH_PROFILE=1, one more transfer under the CDP profiler of each
// tab, and each tab's busiest functions (self time); for messages, a trace of more single
// messages at each log length, the receiving tab's main thread split by trace event (CPU time,
// per message), and a CDP profile of more: its busiest functions per message, by bundle line and
// column (dist/*.js.map names the source).
// `floor`: what sendFile's extra work costs at the least (bench/page.js `floor`: reading the
// file, the block hash on each side, writing it to disk), as CPU of all of Chromium per MB, against a
// bare transfer's and sendFile's in the same run: on a machine whose cores a transfer keeps
// busy, throughput goes as the inverse of that CPU, which bounds the throughput ratio.
// With BENCH_THREADS=1, cpu also splits the CPU per MB by process and thread. `delay`: the
// one-way delay of chat messages sent during a transfer, against probes on a bare channel pair
// during a bare transfer (as bench/run.mjs measures it), interleaved.
//
//   npm run build && node scripts/netns.mjs -- node bench/focus.mjs [connect] [cpu] [messages] [delay] [floor]
//   BENCH_ROUNDS (5), BENCH_MIB (64), BENCH_HISTORY (5000), BENCH_PROFILE, BENCH_THREADS,
//   BENCH_PERSIST (messages: the receiving element with `persist`)
import { fileURLToPath } from 'node:url';
import { PROBE_AT, call, startLab } from './lab.mjs';
import { startMessageLog } from './message-log.mjs';
import { threadTimes } from './processes.mjs';
import { fixed, median } from './report.mjs';

const MiB = 1024 * 1024;
const root = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SIZE = Number(process.env.BENCH_MIB ?? 64) * MiB;
const HISTORY = Number(process.env.BENCH_HISTORY ?? 5000);
const parts = process.argv.slice(2).length ? process.argv.slice(2) : ['connect', 'cpu'];

const { signaling, browserPid, openTab, transfer, cpuPerMb, pairPeerJs, pairChats, close } = await startLab(root, (message) => console.error(message));

/** CPU ms per MB of each tab and of the rest of Chromium while `send` moves SIZE bytes. */
const cpuOf = async (sender, receiver, send) => (await transfer(sender, receiver, SIZE, send)).cpu;

/** The functions with the most self time in a CDP profile, in ms. */
function busiest(profile, count = 25) {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  for (let index = 0; index < profile.samples.length; index++) {
    const frame = byNode.get(profile.samples[index]).callFrame;
    const name = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').pop()}:${frame.lineNumber + 1}:${frame.columnNumber + 1}`;
    self.set(name, (self.get(name) ?? 0) + profile.timeDeltas[index] / 1000);
  }
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, count);
}

/**
 * Self time of each trace event on the main thread of the renderer that shows `host`, in ms of
 * CPU (the events' thread time, `tdur`: waits left out), busiest first, and how many there were:
 * what its tasks spent on script, style, layout, paint and the rest, and in how many frames.
 */
function mainThreadSplit(trace, host, count = 25) {
  const { traceEvents } = JSON.parse(trace);
  const started = traceEvents.find((event) => event.name === 'TracingStartedInBrowser');
  const pid = started.args.data.frames.find((frame) => new URL(frame.url).hostname === host).processId;
  const tid = traceEvents.find((event) => event.pid === pid && event.ph === 'M' && event.name === 'thread_name' && event.args.name === 'CrRendererMain').tid;
  const events = traceEvents.filter((event) => event.pid === pid && event.tid === tid && event.ph === 'X' && event.tdur !== undefined).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const self = new Map();
  const counts = new Map();
  const open = [];
  let tasks = 0;
  for (const event of events) {
    while (open.length && open.at(-1).ts + open.at(-1).dur <= event.ts) open.pop();
    const parent = open.at(-1);
    if (parent) self.set(parent.name, self.get(parent.name) - event.tdur / 1000);
    else tasks += event.tdur / 1000;
    self.set(event.name, (self.get(event.name) ?? 0) + event.tdur / 1000);
    counts.set(event.name, (counts.get(event.name) ?? 0) + 1);
    open.push(event);
  }
  return { tasks, self: [...self].sort((a, b) => b[1] - a[1]).slice(0, count).map(([name, ms]) => [name, ms, counts.get(name)]) };
}

try {
  const sender = await openTab('127.0.0.1');
  const receiver = await openTab('localhost');
  const transfers = ['cpu', 'delay', 'floor'].some((part) => parts.includes(part));
  if (transfers) await call(sender, 'chatPrepareFile', SIZE);
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

  if (transfers) {
    const offer = await call(sender, 'bareOffer', 1);
    await call(sender, 'bareConnect', await call(receiver, 'bareAnswer', offer));
    await call(sender, 'chatSendFile', SIZE); // warm-up
  }

  if (parts.includes('cpu')) {
    const cases = { bare: () => call(sender, 'bareSend', SIZE, 64 * 1024, 1), chat: () => call(sender, 'chatSendFile', SIZE) };
    const samples = { bare: [], chat: [] };
    const speeds = { bare: [], chat: [] };
    /** CPU ms of each thread over all rounds, by case. */
    const threads = { bare: new Map(), chat: new Map() };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, send] of Object.entries(cases)) {
        const before = process.env.BENCH_THREADS ? threadTimes(browserPid) : null;
        const { cpu, mbps } = await transfer(sender, receiver, SIZE, send);
        samples[name].push(cpu);
        speeds[name].push(mbps);
        if (before) for (const [key, ms] of threadTimes(browserPid)) threads[name].set(key, (threads[name].get(key) ?? 0) + ms - (before.get(key) ?? 0));
      }
    }
    console.log(`CPU ms/MB, ${SIZE / MiB} MiB, medians of ${ROUNDS}: <peer-chat> vs bare channel`);
    for (const part of ['sender', 'receiver', 'rest']) {
      const [chat, bare] = ['chat', 'bare'].map((name) => median(samples[name].map((cpu) => cpu[part])));
      console.log(`  ${part.padEnd(8)} ${fixed(chat)} vs ${fixed(bare)}: ratio ${(chat / bare).toFixed(2)}`);
    }
    const [chatSpeed, bareSpeed] = [median(speeds.chat), median(speeds.bare)];
    console.log(`  MB/s     ${fixed(chatSpeed)} vs ${fixed(bareSpeed)}: ratio ${(chatSpeed / bareSpeed).toFixed(2)}`);
    if (process.env.BENCH_THREADS) {
      const owner = (pid) => ({ [sender.pid]: 'sender', [receiver.pid]: 'receiver', [browserPid]: 'browser' })[pid] ?? `pid ${pid}`;
      const perMb = (name, key) => (threads[name].get(key) ?? 0) / ROUNDS / (SIZE / 1e6);
      const rows = [...new Set([...threads.bare.keys(), ...threads.chat.keys()])]
        .map((key) => ({ thread: `${owner(key.split(' ')[0])} ${key.slice(key.indexOf(' ') + 1)}`, chat: perMb('chat', key), bare: perMb('bare', key) }))
        .filter((row) => row.chat + row.bare >= 0.2)
        .sort((a, b) => b.chat - b.bare - (a.chat - a.bare));
      console.log(`CPU ms/MB by thread, means of ${ROUNDS}: <peer-chat>, bare, difference`);
      for (const row of rows) console.log(`  ${row.thread.padEnd(36)} ${fixed(row.chat, 2).padStart(7)} ${fixed(row.bare, 2).padStart(7)} ${fixed(row.chat - row.bare, 2).padStart(7)}`);
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

  if (parts.includes('delay')) {
    const samples = { bare: [], chat: [] };
    for (let round = 0; round < ROUNDS; round++) {
      samples.bare.push(...(await call(sender, 'bareProbeDuringTransfer', SIZE, PROBE_AT)));
      samples.chat.push(...(await call(sender, 'chatProbeDuringTransfer', SIZE, PROBE_AT)));
    }
    console.log(`chat message during a ${SIZE / MiB} MiB transfer, one-way ms, ${ROUNDS * PROBE_AT.length} probes each: <peer-chat> vs bare channel`);
    for (const [label, of] of [['median', median], ['max', (values) => Math.max(...values)]]) {
      const [chat, bare] = ['chat', 'bare'].map((name) => of(samples[name].map((probe) => probe.oneWay)));
      console.log(`  ${label.padEnd(8)} ${fixed(chat)} vs ${fixed(bare)}: ratio ${(chat / bare).toFixed(2)}`);
    }
    console.log(`  all: <peer-chat> ${samples.chat.map((probe) => fixed(probe.oneWay)).join(' ')}; bare ${samples.bare.map((probe) => fixed(probe.oneWay)).join(' ')}`);
  }

  if (parts.includes('floor')) {
    /** CPU ms of all of Chromium per MB while `work` handles SIZE bytes, done 4 times: /proc counts in 10 ms ticks. */
    const allCpuPerMb = (work, times = 4) =>
      cpuPerMb(times * SIZE, async () => {
        for (let time = 0; time < times; time++) await work();
      });
    const transferred = async (send) => {
      const { cpu, mbps } = await transfer(sender, receiver, SIZE, send);
      return { cpu: cpu.sender + cpu.receiver + cpu.rest, mbps };
    };
    const operations = {
      'read the file (sender)': () => call(sender, 'floor', 'read', SIZE),
      'block hash (sender)': () => call(sender, 'floor', 'hash', SIZE),
      'block hash (receiver)': () => call(receiver, 'floor', 'hash', SIZE),
      'write to disk (receiver)': () => call(receiver, 'floor', 'write', SIZE),
    };
    const samples = { bare: [], chat: [], ...Object.fromEntries(Object.keys(operations).map((name) => [name, []])) };
    for (let round = 0; round < ROUNDS; round++) {
      samples.bare.push(await transferred(() => call(sender, 'bareSend', SIZE, 64 * 1024, 1)));
      samples.chat.push(await transferred(() => call(sender, 'chatSendFile', SIZE)));
      for (const [name, work] of Object.entries(operations)) samples[name].push(await allCpuPerMb(work));
    }
    const [bare, chat] = ['bare', 'chat'].map((name) => ({ cpu: median(samples[name].map((sample) => sample.cpu)), mbps: median(samples[name].map((sample) => sample.mbps)) }));
    console.log(`CPU of all of Chromium per MB, ${SIZE / MiB} MiB, medians of ${ROUNDS}:`);
    console.log(`  bare channel transfer   ${fixed(bare.cpu).padStart(6)} ms/MB at ${fixed(bare.mbps)} MB/s: ${fixed((bare.cpu * bare.mbps) / 1000, 2)} cores busy`);
    console.log(`  <peer-chat> sendFile    ${fixed(chat.cpu).padStart(6)} ms/MB at ${fixed(chat.mbps)} MB/s: ${fixed((chat.cpu * chat.mbps) / 1000, 2)} cores busy`);
    let floorCpu = 0;
    for (const name of Object.keys(operations)) {
      const cpu = median(samples[name]);
      floorCpu += cpu;
      console.log(`  ${name.padEnd(24)}${fixed(cpu, 2).padStart(6)} ms/MB`);
    }
    console.log(`  the floor: bare + these = ${fixed(bare.cpu + floorCpu)} ms/MB; when a transfer keeps the cores busy, sendFile's throughput ratio is at most ${(bare.cpu / (bare.cpu + floorCpu)).toFixed(2)}`);
    console.log(`  sendFile: CPU ratio ${(chat.cpu / bare.cpu).toFixed(2)}, throughput ratio ${(chat.mbps / bare.mbps).toFixed(2)}; beyond the floor: ${fixed(chat.cpu - bare.cpu - floorCpu)} ms/MB`);
  }

  if (parts.includes('messages')) {
    const messageLog = await startMessageLog(sender, receiver, signaling.port, process.env.BENCH_PERSIST ? { persist: 'bench' } : {});
    const at = async (label) => {
      const costs = await messageLog.singles(ROUNDS * 4);
      for (const kind of ['cpu', 'task']) {
        const values = costs.map((cost) => cost[kind]);
        console.log(`one message, ${label}: main-thread ${kind} median ${fixed(median(values), 2)} ms (${values.map((value) => fixed(value, 1)).join(' ')})`);
      }
      if (!process.env.BENCH_PROFILE) return;
      await receiver.page.tracing.start({ categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink', 'toplevel'] });
      await messageLog.singles(ROUNDS * 4);
      const { tasks, self } = mainThreadSplit(Buffer.from(await receiver.page.tracing.stop()).toString(), 'localhost');
      const traced = ROUNDS * 4;
      console.log(`  traced ${traced} more (the polling and idle waits of the measurement too), CPU per message: top-level events ${fixed(tasks / traced, 3)} ms; self time by event (ms), and how many:`);
      for (const [name, ms, times] of self) console.log(`  ${fixed(ms / traced, 3).padStart(8)} ${fixed(times / traced, 1).padStart(6)}  ${name}`);
      const profiler = await receiver.page.createCDPSession();
      await profiler.send('Profiler.enable');
      await profiler.send('Profiler.setSamplingInterval', { interval: 50 });
      await profiler.send('Profiler.start');
      await messageLog.singles(traced);
      const { profile } = await profiler.send('Profiler.stop');
      await profiler.detach();
      console.log(`  profiled ${traced} more, JS self time per message (ms):`);
      for (const [name, ms] of busiest(profile, 40)) console.log(`  ${fixed(ms / traced, 3).padStart(8)}  ${name}`);
    };
    await at(`${messageLog.total} in the log`);
    await messageLog.fill(HISTORY);
    await at(`${messageLog.total} in the log`);
    await messageLog.detach();
  }
} finally {
  await close();
}
