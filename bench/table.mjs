#!/usr/bin/env node
// The table of `npm run bench` (issues 4 and 13), made from the samples of one run: medians over
// the rounds, ratios against the baselines of the same run, each target's pass or FAIL, and the
// 95 % interval of what the target reads, by resampling the run's own samples.
//
// bench/run.mjs prints it at the end of a run; run alone, it prints the table of a run that
// bench-results.json (or the file named) kept, as text or, with --markdown, as the README's:
//
//   node bench/table.mjs [--markdown] [FILE]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatMarkdown, formatTable, interval, max, median, row } from './report.mjs';

const MiB = 1024 * 1024;

/**
 * Targets from issues 4 and 13. Memory: the receiver holds at most an 8 MiB window of file data
 * (the rest goes to disk), plus the browser's own buffers; the bound must not grow with the file
 * (compare BENCH_LARGE_MIB=256 with BENCH_LARGE_MIB=1024).
 */
export const TARGET = {
  throughputRatio: 0.9,
  cpuRatio: 1.25,
  chatDelayMs: 50,
  connectRatio: 1.1,
  memoryGrowthMiB: 128,
  bundleKiB: 36,
  manyDelayMs: 50,
  manyCpuRatio: 1.25,
  messageMs: 2,
  burstRatio: 1.25,
  /** A message costs the same at any history length (issue 13), with `persist` too. */
  persistRatio: 1.25,
  heapMiB: 32,
  keyMs: 16,
};

const ratioOfMedians = (values, baselines) => median(values) / median(baselines);

/** A row's `interval` for a target that reads the ratio of the medians of `values` and `baselines`. */
const ratioInterval = (values, baselines, paired = false) => ({ of: 'ratio', bounds: interval(ratioOfMedians, [values, baselines], { paired }) });

/**
 * The rows of one run's `results` (`settings`, `cpus`, `samples`, as bench/run.mjs writes them
 * to bench-results.json). Where a target reads a median or a ratio of medians, `interval` is
 * that figure over resamples of the run's samples: `paired` where two kinds were measured side
 * by side, one of each in turn (the transfers of a round, the connects, the many-peers sends,
 * the bursts of a round), so that a resample keeps each pair together.
 */
export function tabulate({ settings, cpus: cores, samples }) {
  const size = `${settings.sizeMiB} MiB`;
  const mbpsOf = (results) => results.map((result) => result.mbps);
  const bareMbps = mbpsOf(samples.throughput.bare64);
  const bare = median(bareMbps);
  /** CPU ms per MB of the sending tab, the receiving tab, the rest of Chromium, or `all` of them. */
  const cpuOf = (result, part) => (part === 'all' ? result.cpu.sender + result.cpu.receiver + result.cpu.rest : result.cpu[part]);
  const cpus = (name, part) => samples.throughput[name].map((result) => cpuOf(result, part));
  /**
   * How many cores all of Chromium kept busy during a transfer. Near all of them (about 1.8 of 2
   * here, bare or not), throughput goes as the inverse of CPU per MB: sendFile's extra work (see
   * `bench/focus.mjs floor`) then costs throughput too.
   */
  const coresBusy = (result) => (cpuOf(result, 'all') * result.mbps) / 1000;
  const mbs = (metric, values, extra = {}) => row({ metric, value: median(values), unit: 'MB/s', baseline: bare, baselineLabel: 'bare', ...extra });
  const fastAs = (values, paired) => ({
    target: `ratio ≥ ${TARGET.throughputRatio}`,
    check: (value, ratio) => ratio >= TARGET.throughputRatio,
    interval: ratioInterval(values, bareMbps, paired),
  });
  const cpuRow = (metric, part) =>
    row({
      metric,
      value: median(cpus('chat', part)),
      unit: 'ms/MB',
      baseline: median(cpus('bare64', part)),
      baselineLabel: 'bare',
      target: `ratio ≤ ${TARGET.cpuRatio}`,
      check: (value, ratio) => ratio <= TARGET.cpuRatio,
      interval: ratioInterval(cpus('chat', part), cpus('bare64', part), true),
    });
  const oneWay = (probes) => probes.map((probe) => probe.oneWay);
  const { idle, chat: duringChat, bare: duringBare } = samples.probes;
  const delay = { target: `< ${TARGET.chatDelayMs} ms`, check: (value) => value < TARGET.chatDelayMs };
  const { many, history, turn } = samples;
  const { plain, empty, long } = history;
  /** A figure whose target reads its median, with that median's interval. */
  const medianBelow = (values, limit) => ({
    target: `< ${limit} ms`,
    check: (value) => value < limit,
    interval: { of: 'value', bounds: interval(median, [values]) },
  });
  /**
   * One message's cost read as `kind` (`cpu` or `task`, see bench/message-log.mjs): with a long
   * log against an empty one (`target`: whether it is one of the targets), and with an empty log
   * against the plain page.
   */
  const oneMessage = (kind, longMetric, emptyMetric, target) => {
    const of = (costs) => costs.map((cost) => cost[kind]);
    return [
      row({
        metric: longMetric,
        value: median(of(long.single)),
        unit: 'ms',
        digits: 2,
        baseline: median(of(empty.single)),
        baselineLabel: 'empty log',
        ...(target ? medianBelow(of(long.single), TARGET.messageMs) : {}),
      }),
      row({ metric: emptyMetric, value: median(of(empty.single)), unit: 'ms', digits: 2, baseline: median(of(plain)), baselineLabel: `plain page, ${settings.plainLogLines} lines` }),
    ];
  };
  const bursts = (stage, kind) => history.rounds.map((round) => round[stage].burst[kind]);
  const keys = (stage) => history[stage].keys.filter(Number.isFinite);
  const connect = samples.connect;
  const turnRoute = `route ${turn.routes?.[1]?.join(',')} / ${turn.routes?.[2]?.join(',')}`;
  return [
    row({ metric: `bare channel, ${size}: 64 KiB messages, 1 MiB high / 256 KiB low water`, value: bare, unit: 'MB/s' }),
    mbs('bare channel: 256 KiB messages', mbpsOf(samples.throughput.bare256)),
    mbs('bare channel: 2 channels × 64 KiB messages', mbpsOf(samples.throughput.bareTwo)),
    mbs(`plain PeerJS conn.send(ArrayBuffer of ${size}), binary`, mbpsOf(samples.throughput.peerjs)),
    mbs(`<peer-chat> sendFile, ${size} → peer-chat-file`, mbpsOf(samples.throughput.chat), fastAs(mbpsOf(samples.throughput.chat), true)),
    mbs(`<peer-chat> sendFile, ${settings.largeMiB} MiB (memory test)`, mbpsOf(samples.memory), fastAs(mbpsOf(samples.memory), false)),
    cpuRow('<peer-chat> CPU per MB: sending tab', 'sender'),
    cpuRow('<peer-chat> CPU per MB: receiving tab', 'receiver'),
    cpuRow('<peer-chat> CPU per MB: rest of Chromium', 'rest'),
    row({ metric: '<peer-chat> CPU per MB: all of Chromium', value: median(cpus('chat', 'all')), unit: 'ms/MB', baseline: median(cpus('bare64', 'all')), baselineLabel: 'bare' }),
    row({
      metric: `cores busy during a ${size} transfer, of ${cores} (all of Chromium)`,
      value: median(samples.throughput.chat.map(coresBusy)),
      unit: 'cores',
      digits: 2,
      baseline: median(samples.throughput.bare64.map(coresBusy)),
      baselineLabel: 'bare',
    }),
    row({
      metric: 'chat message during a transfer, one-way: median',
      value: median(oneWay(duringChat)),
      unit: 'ms',
      baseline: median(oneWay(duringBare)),
      baselineLabel: 'bare',
      target: `< ${TARGET.chatDelayMs} ms, ≤ bare`,
      check: (value, ratio) => value < TARGET.chatDelayMs && ratio <= 1,
      interval: ratioInterval(oneWay(duringChat), oneWay(duringBare)),
    }),
    row({
      metric: 'chat message during a transfer, one-way: max',
      value: max(oneWay(duringChat)),
      unit: 'ms',
      baseline: max(oneWay(duringBare)),
      baselineLabel: 'bare',
      ...delay,
    }),
    row({
      metric: 'chat message during a transfer, round trip: median',
      value: median(duringChat.map((probe) => probe.roundTrip)),
      unit: 'ms',
      baseline: median(duringBare.map((probe) => probe.roundTrip)),
      baselineLabel: 'bare',
    }),
    row({ metric: 'chat message, idle connection, one-way: median', value: median(oneWay(idle)), unit: 'ms' }),
    row({
      metric: '<peer-chat> connect() until resolved: median',
      value: median(connect.chat),
      unit: 'ms',
      baseline: median(connect.peerjs),
      baselineLabel: 'PeerJS open',
      target: `ratio ≤ ${TARGET.connectRatio}`,
      check: (value, ratio) => ratio <= TARGET.connectRatio,
      interval: ratioInterval(connect.chat, connect.peerjs, true),
    }),
    row({ metric: '<peer-chat> connect() until resolved: max', value: max(connect.chat), unit: 'ms', baseline: max(connect.peerjs), baselineLabel: 'PeerJS open' }),
    row({
      metric: `${settings.peers} peers: a message to all, one-way to each: median`,
      value: median(many.delays),
      unit: 'ms',
      baseline: median(oneWay(idle)),
      baselineLabel: '1 peer',
      ...medianBelow(many.delays, TARGET.manyDelayMs),
    }),
    row({
      metric: `${settings.peers} peers: ${settings.manyMiB} MiB file to all, CPU per delivered MB (all of Chromium)`,
      value: many.completed === settings.rounds ? median(many.allPeersCpu) : NaN,
      unit: 'ms/MB',
      baseline: median(many.onePeerCpu),
      baselineLabel: '1 peer',
      target: `completes, ratio ≤ ${TARGET.manyCpuRatio}`,
      check: (value, ratio) => Number.isFinite(value) && ratio <= TARGET.manyCpuRatio,
      interval: ratioInterval(many.allPeersCpu, many.onePeerCpu, true),
    }),
    row({
      metric: `receiving tab: peak RSS − RSS before, ${settings.largeMiB} MiB file`,
      value: median(samples.memory.map((result) => result.rssGrowthMiB)),
      unit: 'MiB',
      baseline: settings.largeMiB,
      baselineLabel: 'file size',
      target: `≤ ${TARGET.memoryGrowthMiB} MiB`,
      check: (value) => value <= TARGET.memoryGrowthMiB,
      interval: { of: 'value', bounds: interval(median, [samples.memory.map((result) => result.rssGrowthMiB)]) },
    }),
    row({ metric: 'receiving tab: peak JS heap − JS heap before', value: median(samples.memory.map((result) => result.heapGrowthMiB)), unit: 'MiB' }),
    ...oneMessage(
      'cpu',
      `receiving and showing one message, ${settings.history} in the log: main-thread CPU, median`,
      'receiving and showing one message, empty log: main-thread CPU, median',
      true,
    ),
    ...oneMessage('task', `the same, ${settings.history} in the log: main-thread task time (with waits), median`, 'the same, empty log: main-thread task time (with waits), median', false),
    // Runs before this figure was measured have no `persist` samples.
    ...(samples.persist
      ? [
          row({
            metric: `with persist: one message, ${settings.history} in the log: main-thread CPU, median`,
            value: median(samples.persist.long.map((cost) => cost.cpu)),
            unit: 'ms',
            digits: 2,
            baseline: median(samples.persist.empty.map((cost) => cost.cpu)),
            baselineLabel: 'empty log, persist',
            target: `ratio ≤ ${TARGET.persistRatio}`,
            check: (value, ratio) => ratio <= TARGET.persistRatio,
            interval: ratioInterval(
              samples.persist.long.map((cost) => cost.cpu),
              samples.persist.empty.map((cost) => cost.cpu),
            ),
          }),
        ]
      : []),
    row({
      metric: `a burst of ${settings.burst} messages, ${settings.history} in the log: main-thread CPU`,
      value: long.burst.cpu,
      unit: 'ms',
      baseline: empty.burst.cpu,
      baselineLabel: 'empty log',
      target: `ratio ≤ ${TARGET.burstRatio}`,
      check: (value, ratio) => ratio <= TARGET.burstRatio,
      interval: ratioInterval(bursts('long', 'cpu'), bursts('empty', 'cpu'), true),
    }),
    row({ metric: `the same burst: main-thread task time (with waits)`, value: long.burst.task, unit: 'ms', baseline: empty.burst.task, baselineLabel: 'empty log' }),
    row({
      metric: `receiving tab: JS heap after ${settings.history} messages`,
      value: long.heap,
      unit: 'MiB',
      baseline: empty.heap,
      baselineLabel: 'empty log',
      target: `< ${TARGET.heapMiB} MiB`,
      check: (value) => value < TARGET.heapMiB,
    }),
    row({
      metric: `typing one character, ${settings.history} in the log: median`,
      value: median(keys('long')),
      unit: 'ms',
      baseline: median(keys('empty')),
      baselineLabel: 'empty log',
      ...medianBelow(keys('long'), TARGET.keyMs),
    }),
    row({
      metric: `TURN (coturn), 2 hosts, ${turnRoute}: sendFile, ${settings.turnMiB} MiB, ${settings.turnRounds} round(s)`,
      value: median(mbpsOf(turn.throughput)),
      unit: 'MB/s',
      baseline: median(mbpsOf(samples.throughput.chat)),
      baselineLabel: `direct, ${size}`,
    }),
    row({
      metric: 'TURN: chat message during a transfer, one-way: median',
      value: median(oneWay(turn.probes.chat)),
      unit: 'ms',
      baseline: median(oneWay(duringChat)),
      baselineLabel: 'direct',
    }),
    row({ metric: 'TURN: chat message during a transfer, one-way: max', value: max(oneWay(turn.probes.chat)), unit: 'ms', baseline: max(oneWay(duringChat)), baselineLabel: 'direct' }),
    row({ metric: 'TURN: chat message, idle connection, one-way: median', value: median(oneWay(turn.probes.idle)), unit: 'ms', baseline: median(oneWay(idle)), baselineLabel: 'direct' }),
    row({ metric: 'TURN: connect() until resolved (one)', value: turn.connectMs, unit: 'ms', baseline: median(connect.chat), baselineLabel: 'direct, median' }),
    row({
      metric: 'dist/peer-chat.js, gzip -9',
      value: samples.bundleBytes / 1024,
      unit: 'KiB',
      baseline: TARGET.bundleKiB,
      baselineLabel: 'target',
      target: `≤ ${TARGET.bundleKiB} KiB`,
      check: (value) => value <= TARGET.bundleKiB,
    }),
  ];
}

/** The targets whose verdict this run cannot settle: their 95 % interval spans the target. */
export function unsettled(rows) {
  const names = rows.filter((entry) => entry.settled === false).map((entry) => entry.metric);
  return names.length ? `within the noise of this run (the 95 % interval spans the target): ${names.join('; ')}` : null;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const file = args.find((arg) => !arg.startsWith('--')) ?? fileURLToPath(new URL('../bench-results.json', import.meta.url));
  const rows = tabulate(JSON.parse(readFileSync(file, 'utf8')));
  console.log(args.includes('--markdown') ? formatMarkdown(rows) : formatTable(rows));
  const note = unsettled(rows);
  if (note) console.log(note);
}
