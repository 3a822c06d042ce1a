#!/usr/bin/env node
// `npm run bench` (issues 4 and 13): <peer-chat> against a bare WebRTC data channel and plain
// PeerJS, between two tabs of one headless Chromium; one element with 8 peers (9 tabs); and the
// cost of showing messages in a long log; and <peer-chat> through a TURN relay (coturn) between
// two hosts that cannot reach each other (bench/turn.mjs). Prints one table and writes
// bench-results.json.
//
// Runs inside the private network namespace of scripts/netns.mjs (see package.json), where
// Chromium gathers host candidates; every server binds 127.0.0.1 and ICE uses no servers.
// Several rounds; figures are medians over them, and ratios compare figures of the same run.
//
//   BENCH_ROUNDS (3), BENCH_MIB (64: transfer size), BENCH_TRANSFERS (3: each transfer, and
//   each send of the many-peers test, timed per round), BENCH_LARGE_MIB (256: memory test),
//   BENCH_TURN_MIB (BENCH_MIB: transfer size through TURN), BENCH_TURN_ROUNDS (BENCH_ROUNDS),
//   CHROMIUM_PATH (/usr/bin/chromium)
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { PROBE_AT, call, startLab } from './lab.mjs';
import { plainSingles, startMessageLog } from './message-log.mjs';
import { memory, resetPeak } from './processes.mjs';
import { formatTable, median } from './report.mjs';
import { tabulate, unsettled } from './table.mjs';
import { measureTurn } from './turn.mjs';

const MiB = 1024 * 1024;
const root = fileURLToPath(new URL('..', import.meta.url));

function setting(name, fallback) {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

const ROUNDS = setting('BENCH_ROUNDS', 3);
const SIZE = setting('BENCH_MIB', 64) * MiB;
const LARGE = setting('BENCH_LARGE_MIB', 256) * MiB;
const TURN_SIZE = setting('BENCH_TURN_MIB', SIZE / MiB) * MiB;
/**
 * Moved untimed over each fresh connection before it is timed: the first transfer on a fresh one
 * stalls for 1.5–2 s at its start while SCTP finds its pace (a fresh bare channel pair as much:
 * 10–12 MB/s against 17–26 for a warm one, docs/performance.md), and the bare channel it is
 * compared with is warm since the warm-up.
 */
const WARM_UP = Math.min(SIZE, 16 * MiB);
const TURN_ROUNDS = setting('BENCH_TURN_ROUNDS', ROUNDS);
/**
 * Each BENCH_MIB transfer, and each send of the many-peers test, is timed this often per round:
 * one transfer's throughput ratio to the bare channel's next to it ranged from 0.69 to 1.22 in
 * one run of twelve pairs, too wide for a median of 3 to tell 0.9 apart.
 */
const TRANSFERS_PER_ROUND = setting('BENCH_TRANSFERS', 3);
/** Fresh connections timed per round, for each of PeerJS and <peer-chat>. */
const CONNECTS_PER_ROUND = 10;
/** Chat probes per round on an idle connection. */
const IDLE_PROBES = 5;
/** Peers of the one element in the many-peers test (one more tab each), and the file sent to them all. */
const PEERS = 8;
const MANY_MIB = 16;
/** Messages already in the log for the long-history figures, the burst, and single messages timed. */
const HISTORY = 5000;
const BURST = 200;
const SINGLE_MESSAGES = 20;
/** Lines in the plain page's log: about what the element's log window shows (100 to 200 entries). */
const PLAIN_LOG_LINES = 150;
const KEY_PRESSES = 10;

const log = (message) => console.error(`[bench] ${message}`);

const { signaling, browser, openTab, transfer, cpuPerMb, pairPeerJs, pairChats, close } = await startLab(root, log);

/** The transfers timed each round, all over connections that are already open. */
const THROUGHPUT = {
  bare64: (sender, size) => call(sender, 'bareSend', size, 64 * 1024, 1),
  bare256: (sender, size) => call(sender, 'bareSend', size, 256 * 1024, 1),
  bareTwo: (sender, size) => call(sender, 'bareSend', size, 64 * 1024, 2),
  peerjs: (sender, size) => call(sender, 'peerjsSend', size),
  chat: (sender, size) => call(sender, 'chatSendFile', size),
};

/** Each case once; the order rotates with `round`, so that no case always runs first or last. */
async function throughputRound(sender, receiver, size, round) {
  const names = Object.keys(THROUGHPUT);
  const order = [...names.slice(round % names.length), ...names.slice(0, round % names.length)];
  const results = {};
  for (const name of order) results[name] = await transfer(sender, receiver, size, () => THROUGHPUT[name](sender, size));
  return results;
}

/**
 * Receives a LARGE file in a fresh tab and follows that tab's renderer: RSS from /proc (sampled,
 * and the kernel's peak) and the JS heap from the DevTools protocol, from before a WARM_UP file
 * that warms the fresh connection up (so the peaks count it too) until the LARGE one is in; its
 * throughput is the LARGE one's.
 */
async function measureMemory(sender) {
  const tab = await openTab('localhost');
  try {
    await pairChats(sender, tab);
    const devtools = await tab.page.createCDPSession();
    await devtools.send('HeapProfiler.collectGarbage');
    const heap = async () => (await tab.page.metrics()).JSHeapUsedSize;
    const base = { rss: memory(tab.pid).rss, heap: await heap() };
    const peakFromKernel = resetPeak(tab.pid);
    const peak = { ...base };
    const rssTimer = setInterval(() => (peak.rss = Math.max(peak.rss, memory(tab.pid).rss)), 20);
    let receiving = true;
    const heapSampling = (async () => {
      while (receiving) {
        peak.heap = Math.max(peak.heap, await heap());
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    await transfer(sender, tab, WARM_UP, () => THROUGHPUT.chat(sender, WARM_UP));
    const { mbps } = await transfer(sender, tab, LARGE, () => THROUGHPUT.chat(sender, LARGE));
    receiving = false;
    clearInterval(rssTimer);
    await heapSampling;
    if (peakFromKernel) peak.rss = Math.max(peak.rss, memory(tab.pid).peak);
    return { rssGrowthMiB: (peak.rss - base.rss) / MiB, heapGrowthMiB: (peak.heap - base.heap) / MiB, baseRssMiB: base.rss / MiB, peakFromKernel, mbps };
  } finally {
    await tab.page.close();
  }
}

/** Connect times, throughput, chat delay and memory, ROUNDS times. */
async function measure(samples) {
  const sender = await openTab('127.0.0.1');
  const receiver = await openTab('localhost');
  const offer = await call(sender, 'bareOffer', 2);
  await call(sender, 'bareConnect', await call(receiver, 'bareAnswer', offer));
  for (const size of [WARM_UP, SIZE, LARGE]) await call(sender, 'chatPrepareFile', size);

  log('warming up');
  await pairPeerJs(sender, receiver);
  await pairChats(sender, receiver);
  await throughputRound(sender, receiver, WARM_UP, 0);

  for (let round = 1; round <= ROUNDS; round++) {
    const step = (what) => log(`round ${round}/${ROUNDS}: ${what}`);
    step('connect');
    // Interleaved, so that both meet the same load; the last pairs stay open for what follows.
    for (let index = 0; index < CONNECTS_PER_ROUND; index++) {
      samples.connect.peerjs.push(await pairPeerJs(sender, receiver));
      samples.connect.chat.push(await pairChats(sender, receiver));
    }
    step('warming the fresh connections');
    for (const name of ['peerjs', 'chat']) await transfer(sender, receiver, WARM_UP, () => THROUGHPUT[name](sender, WARM_UP));
    step(`throughput, ${SIZE / MiB} MiB`);
    for (let pass = 0; pass < TRANSFERS_PER_ROUND; pass++) {
      const results = await throughputRound(sender, receiver, SIZE, round * TRANSFERS_PER_ROUND + pass);
      for (const [name, result] of Object.entries(results)) samples.throughput[name].push(result);
    }
    step('chat delay');
    samples.probes.idle.push(...(await call(sender, 'chatProbeIdle', IDLE_PROBES)));
    samples.probes.bare.push(...(await call(sender, 'bareProbeDuringTransfer', SIZE, PROBE_AT)));
    samples.probes.chat.push(...(await call(sender, 'chatProbeDuringTransfer', SIZE, PROBE_AT)));
    step(`memory, ${LARGE / MiB} MiB`);
    samples.memory.push(await measureMemory(sender));
  }
  samples.many = await measureManyPeers(sender);
  log('history');
  samples.history = await measureHistory(sender, receiver);
  log('history, persist');
  samples.persist = await measurePersist(sender, receiver);
  // Last, while the tabs above sit idle: two more Chromiums, coturn and the demo site.
  await measureTurn({ size: TURN_SIZE, rounds: TURN_ROUNDS, probeAt: PROBE_AT, idleProbes: IDLE_PROBES, log, into: samples.turn });
}

/**
 * One element (the hub, in the sending tab) connected to PEERS others, each in its own tab: a
 * message to all, timed to each peer; a MANY_MIB file to one of them, then to all of them.
 */
async function measureManyPeers(hub) {
  const leaves = [];
  try {
    for (let index = 0; index < PEERS; index++) leaves.push(await openTab('localhost'));
    await call(hub, 'chatStart', signaling.port);
    const ids = [];
    for (const leaf of leaves) ids.push(await call(leaf, 'chatStart', signaling.port));
    for (const id of ids) await call(hub, 'chatConnect', id);
    const size = MANY_MIB * MiB;
    await call(hub, 'chatPrepareFile', size);
    const result = { delays: [], onePeerCpu: [], allPeersCpu: [], completed: 0 };
    for (let round = 1; round <= ROUNDS; round++) {
      log(`many peers ${round}/${ROUNDS}`);
      for (let probe = 0; probe < IDLE_PROBES; probe++) result.delays.push(...(await call(hub, 'chatProbeAll', PEERS)));
      // As often as each BENCH_MIB transfer: two one-peer sends in a row measured 79 and 105 ms/MB.
      for (let pass = 0; pass < TRANSFERS_PER_ROUND; pass++) {
        result.onePeerCpu.push(await cpuPerMb(size, () => call(hub, 'chatSendFile', size, ids[(round * TRANSFERS_PER_ROUND + pass) % PEERS])));
        result.allPeersCpu.push(await cpuPerMb(size * PEERS, () => call(hub, 'chatSendFile', size)));
      }
      result.completed++;
    }
    return result;
  } finally {
    for (const leaf of leaves) await leaf.page.close();
  }
}

/**
 * A message log of HISTORY messages (issue 13, second half): what receiving and showing
 * messages and typing cost the receiving tab with an empty log and with a long one, and its
 * JS heap once the long log is in. Fresh elements each round; the receiver keeps up to 10,000
 * messages. First, the floor: single messages shown by a plain page (`plain`).
 */
async function historyRound(sender, receiver, round) {
  const messageLog = await startMessageLog(sender, receiver, signaling.port);
  const plain = await plainSingles(sender, receiver, SINGLE_MESSAGES, PLAIN_LOG_LINES);
  const figures = async () => ({
    heap: await messageLog.heap(),
    single: await messageLog.singles(SINGLE_MESSAGES),
    burst: await messageLog.burst(BURST),
    keys: await messageLog.keys(KEY_PRESSES),
  });
  const empty = await figures();
  log(`history ${round}/${ROUNDS}: filling the log to ${HISTORY} messages`);
  await messageLog.fill(HISTORY);
  const long = await figures();
  await messageLog.detach();
  return { plain, empty, long };
}

/**
 * ROUNDS of {@link historyRound}: single messages and key presses pooled, bursts by their median
 * (with one burst each way, their ratio was 1.14 in one run and 1.40 in the next). The heaps are
 * the first round's: in one run, the later rounds' "empty" tabs still held about what the round
 * before had filled (4.3 MiB against 2.5 in the first), which the rounds alone, run in fresh
 * tabs, did not show (one run).
 */
async function measureHistory(sender, receiver) {
  const rounds = [];
  for (let round = 1; round <= ROUNDS; round++) rounds.push(await historyRound(sender, receiver, round));
  const merged = (stage) => ({
    single: rounds.flatMap((figures) => figures[stage].single),
    burst: { cpu: median(rounds.map((figures) => figures[stage].burst.cpu)), task: median(rounds.map((figures) => figures[stage].burst.task)) },
    heap: rounds[0][stage].heap,
    keys: rounds.flatMap((figures) => figures[stage].keys),
  });
  return { plain: rounds.flatMap((figures) => figures.plain), empty: merged('empty'), long: merged('long'), rounds };
}

/**
 * Single messages as {@link historyRound} measures them, with `persist` on the receiving
 * element (a fresh storage key), with an empty log and with HISTORY in it (one round: the
 * fill takes half a minute): storing a message must cost the same at any history length.
 */
async function measurePersist(sender, receiver) {
  const messageLog = await startMessageLog(sender, receiver, signaling.port, { persist: `bench-${Date.now()}` });
  const empty = await messageLog.singles(SINGLE_MESSAGES);
  log(`history, persist: filling the log to ${HISTORY} messages`);
  await messageLog.fill(HISTORY);
  const long = await messageLog.singles(SINGLE_MESSAGES);
  await messageLog.detach();
  return { empty, long };
}

/** One-way delays rely on both tabs' clocks agreeing: each must lie within its round trip. */
function clockWarning(samples) {
  const all = [...Object.values(samples.probes), ...Object.values(samples.turn.probes)].flat();
  const bad = all.filter((probe) => probe.oneWay < 0 || probe.oneWay > probe.roundTrip);
  return bad.length ? `warning: ${bad.length} of ${all.length} one-way delays lie outside [0, round trip]: the tabs' clocks disagree` : null;
}

/** Filled as the run goes, so that a run that fails keeps what it measured. */
const samples = {
  connect: { peerjs: [], chat: [] },
  throughput: Object.fromEntries(Object.keys(THROUGHPUT).map((name) => [name, []])),
  probes: { idle: [], chat: [], bare: [] },
  memory: [],
  turn: { throughput: [], probes: { idle: [], chat: [] }, connectMs: null, routes: null },
};

try {
  const started = Date.now();
  await measure(samples).catch((error) => {
    writeFileSync(`${root}/bench-results.json`, `${JSON.stringify({ failed: String(error), samples }, null, 2)}\n`);
    log('failed: what was measured is in bench-results.json');
    throw error;
  });
  const seconds = Math.round((Date.now() - started) / 1000);
  const settings = {
    rounds: ROUNDS,
    sizeMiB: SIZE / MiB,
    transfersPerRound: TRANSFERS_PER_ROUND,
    largeMiB: LARGE / MiB,
    connectsPerRound: CONNECTS_PER_ROUND,
    idleProbes: IDLE_PROBES,
    probeAt: PROBE_AT,
    peers: PEERS,
    manyMiB: MANY_MIB,
    history: HISTORY,
    burst: BURST,
    plainLogLines: PLAIN_LOG_LINES,
    turnMiB: TURN_SIZE / MiB,
    turnRounds: TURN_ROUNDS,
  };
  samples.bundleBytes = gzipSync(readFileSync(`${root}/dist/peer-chat.js`), { level: 9 }).length;
  const cpus = availableParallelism();
  const rows = tabulate({ settings, cpus, samples });
  const warning = clockWarning(samples);
  console.log(formatTable(rows));
  for (const note of [unsettled(rows), warning]) if (note) console.log(note);
  const results = { date: new Date().toISOString(), chromium: await browser.version(), cpus, seconds, settings, rows, warning, samples };
  writeFileSync(`${root}/bench-results.json`, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote bench-results.json (${seconds} s)`);
} finally {
  await close();
}
