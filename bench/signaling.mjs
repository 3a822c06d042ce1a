#!/usr/bin/env node
// Signaling benchmark (not a test): the Node `peer` server, the ASP.NET server (PeerSignaling in
// demo/aspnet), and clusters of 1, 2 and 3 demo/aspnet instances sharing one Redis (PeerChat.AspNetCore.Redis),
// one after the other in one run, on 127.0.0.1.
//
// For each server: hold N registered WebSocket clients (each sending HEARTBEAT every 5 s, as peerjs
// does; in a cluster, client i on instance i mod instances), measure the memory per client (RSS of the
// server's processes after registering N minus before, / N; a cluster's instances and Redis together),
// then relay OFFERs of ~1 KiB (SDP-sized) at a fixed rate between random pairs of those clients and
// measure the relay latency (sender's send() to receiver's 'message', same clock; within one instance
// and across instances apart) and the CPU of the server's processes.
//
//   npm run bench:signaling                          (builds, then runs inside the test network namespace)
//   node scripts/netns.mjs -- node bench/signaling.mjs
//
// Environment: BENCH_CLIENTS (default 2000), BENCH_RATE (msg/s, 500), BENCH_SECONDS (10),
// BENCH_SERVERS (default "node,aspnet,aspnet-floor,aspnet-spinning,aspnet-pool,cluster-1,cluster-2,cluster-3": aspnet-floor is
// bench/aspnet-floor, a bare Kestrel WebSocket relay with demo/aspnet's process settings (what Kestrel alone costs per
// client), aspnet-spinning ASP.NET with the runtime's default thread-pool spinning, aspnet-pool with socket completions and
// Kestrel's continuations on the thread pool (the runtime's default), cluster-N N instances with Redis),
// BENCH_ROUNDS (1; with more, servers alternate and the table shows each figure's median).
// Prints a table and writes bench-signaling.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster, killServer, startServer } from '../test/conformance/servers.mjs';

// The ws package the `peer` server itself uses (a dependency of peer in node_modules).
const WebSocket = createRequire(new URL('../node_modules/peer/package.json', import.meta.url))('ws');

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 2000);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
const HEARTBEAT_MS = 5000;
const PAYLOAD = { type: 'offer', sdp: 'v=0\r\n' + 'a=x'.repeat(340) };

const variants = {
  node: { kind: 'node', label: 'Node peer 1.0.2' },
  aspnet: { kind: 'aspnet', label: 'ASP.NET PeerSignaling' },
  // The floor: a bare ASP.NET Core WebSocket endpoint that relays what these clients send (bench/aspnet-floor).
  'aspnet-floor': { kind: 'aspnet-floor', label: 'ASP.NET Core, bare WebSocket (floor)' },
  // demo/aspnet turns the thread pool's spinning off (its runtimeconfig); this is the runtime's default, for comparison.
  'aspnet-spinning': { kind: 'aspnet', label: 'ASP.NET, spinning thread pool', env: { DOTNET_ThreadPool_UnfairSemaphoreSpinLimit: '70' } },
  // demo/aspnet runs socket completions and Kestrel's continuations on the I/O thread; this is the default thread-pool hop.
  'aspnet-pool': { kind: 'aspnet', label: 'ASP.NET, continuations on the thread pool', env: { DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS: '0' } },
  'cluster-1': { kind: 'cluster', instances: 1, label: '1 instance + Redis' },
  'cluster-2': { kind: 'cluster', instances: 2, label: '2 instances + Redis' },
  'cluster-3': { kind: 'cluster', instances: 3, label: '3 instances + Redis' },
};
const wanted = (process.env.BENCH_SERVERS ?? Object.keys(variants).join(',')).split(',').map((name) => name.trim());

/**
 * Starts a variant: `ports` (client i goes to ports[i % ports.length]), `pids` (whose RSS and CPU count,
 * Redis's last in a cluster), `redisPid` and `stop()`.
 */
async function deploy(variant, options) {
  if (variant.kind === 'cluster') {
    const cluster = await Cluster.start({ ...options, instances: variant.instances });
    const pids = [...cluster.instances.map((child) => child.pid), cluster.redis.pid];
    return { ports: cluster.ports, pids, redisPid: cluster.redis.pid, stop: () => cluster.stop() };
  }
  const { port, child } = await startServer(variant.kind, options);
  return { ports: [port], pids: [child.pid], redisPid: undefined, stop: () => killServer(child) };
}

const sum = (values) => values.reduce((total, value) => total + value, 0);

/** Resident set size of a process, in bytes. */
function rss(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match[1]) * 1024;
}

/** CPU time (user + system) of a process, in ms. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Opens one client and resolves once the server said OPEN. */
function register(port, id, onMessage) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/peerjs/peerjs?key=peerjs&id=${id}&token=t-${id}`, { perMessageDeflate: false });
    const timer = setTimeout(() => reject(new Error(`${id}: no OPEN in 30 s`)), 30_000);
    socket.once('error', reject);
    socket.once('message', (data) => {
      clearTimeout(timer);
      const frame = JSON.parse(data.toString());
      if (frame.type !== 'OPEN') return reject(new Error(`${id}: ${data}`));
      socket.on('message', onMessage);
      resolve(socket);
    });
  });
}

async function registerAll(ports, count, prefix, onMessage) {
  const sockets = new Array(count);
  const batch = 100;
  for (let start = 0; start < count; start += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, count - start) }, (_, offset) =>
        register(ports[(start + offset) % ports.length], `${prefix}${start + offset}`, onMessage).then((socket) => (sockets[start + offset] = socket)),
      ),
    );
  }
  return sockets;
}

function closeAll(sockets) {
  return Promise.all(
    sockets.filter(Boolean).map(
      (socket) =>
        new Promise((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          socket.once('close', resolve);
          socket.close();
          setTimeout(() => {
            socket.terminate();
            resolve();
          }, 2000).unref();
        }),
    ),
  );
}

async function measure(name) {
  const variant = variants[name];
  if (!variant) throw new Error(`unknown server ${name} (one of ${Object.keys(variants).join(', ')})`);
  const server = await deploy(variant, { concurrentLimit: CLIENTS + 1000, env: variant.env });
  const { ports, pids } = server;
  const instanceOf = (client) => client % ports.length;
  const received = new Map(); // seq -> latency ms
  const across = new Set(); // seqs sent between clients of different instances
  let unexpected = 0;
  const onMessage = (data) => {
    const frame = JSON.parse(data.toString());
    if (frame.type === 'OFFER') received.set(frame.payload.seq, performance.now() - frame.payload.t);
    else unexpected++;
  };
  try {
    // Warm up (JIT, pools, first allocations), then let the process settle before the baseline.
    const warm = await registerAll(ports, 100, 'warm-', onMessage);
    for (let i = 0; i < 1000; i++) warm[i % 100].send(JSON.stringify({ type: 'OFFER', dst: `warm-${(i + 1) % 100}`, payload: { seq: -1 - i, t: performance.now(), ...PAYLOAD } }));
    await sleep(1000);
    await closeAll(warm);
    received.clear();
    await sleep(2000);
    const rssBefore = sum(pids.map(rss));

    const registerStart = performance.now();
    const sockets = await registerAll(ports, CLIENTS, 'c', onMessage);
    const registerMs = performance.now() - registerStart;
    // Held clients send HEARTBEAT every 5 s, spread evenly, as peerjs does.
    const heartbeats = sockets.map((socket, index) => {
      const start = setTimeout(() => {
        socket.send('{"type":"HEARTBEAT"}');
        heartbeats[index] = setInterval(() => socket.send('{"type":"HEARTBEAT"}'), HEARTBEAT_MS);
      }, (index * HEARTBEAT_MS) / CLIENTS);
      return start;
    });
    await sleep(3000);
    const rssHeld = sum(pids.map(rss));

    // Relay at a fixed rate between random pairs.
    const total = RATE * SECONDS;
    const cpuStart = pids.map(cpuMs);
    const runStart = performance.now();
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - runStart) / 1000) * RATE));
      for (; sent < due; sent++) {
        const from = Math.floor(Math.random() * CLIENTS);
        let to = Math.floor(Math.random() * (CLIENTS - 1));
        if (to >= from) to++;
        if (instanceOf(from) !== instanceOf(to)) across.add(sent);
        sockets[from].send(JSON.stringify({ type: 'OFFER', dst: `c${to}`, payload: { seq: sent, t: performance.now(), ...PAYLOAD } }));
      }
      await sleep(2);
    }
    const runMs = performance.now() - runStart;
    await sleep(2000); // stragglers
    const cpuUsed = pids.map((pid, index) => cpuMs(pid) - cpuStart[index]);
    const rssAfter = sum(pids.map(rss));

    for (const timer of heartbeats) clearTimeout(timer), clearInterval(timer);
    const latencies = [...received.values()].sort((a, b) => a - b);
    const byRoute = (crossing) => [...received].filter(([seq]) => across.has(seq) === crossing).map(([, ms]) => ms).sort((a, b) => a - b);
    const [within, crossing] = [byRoute(false), byRoute(true)];
    const cpuPercent = (ms) => +((ms / (runMs + 2000)) * 100).toFixed(1);
    const result = {
      server: name,
      label: variant.label,
      instances: ports.length,
      clients: CLIENTS,
      registerMs: Math.round(registerMs),
      rssBeforeMiB: +(rssBefore / 2 ** 20).toFixed(1),
      rssHeldMiB: +(rssHeld / 2 ** 20).toFixed(1),
      rssAfterMiB: +(rssAfter / 2 ** 20).toFixed(1),
      kibPerClient: +((rssHeld - rssBefore) / CLIENTS / 1024).toFixed(1),
      rate: RATE,
      seconds: SECONDS,
      sent: total,
      achievedRate: Math.round(total / (runMs / 1000)),
      delivered: latencies.length,
      unexpected,
      p50Ms: +percentile(latencies, 50).toFixed(2),
      p99Ms: +percentile(latencies, 99).toFixed(2),
      maxMs: +latencies[latencies.length - 1].toFixed(2),
      withinP50Ms: +percentile(within, 50).toFixed(2),
      withinP99Ms: +percentile(within, 99).toFixed(2),
      acrossSent: across.size,
      acrossP50Ms: +percentile(crossing, 50).toFixed(2),
      acrossP99Ms: +percentile(crossing, 99).toFixed(2),
      serverCpuPercent: cpuPercent(sum(cpuUsed)),
      redisCpuPercent: server.redisPid === undefined ? NaN : cpuPercent(cpuUsed.at(-1)),
    };
    await closeAll(sockets);
    return result;
  } finally {
    await server.stop();
  }
}

function table(results) {
  const rows = [
    ['server', (r) => r.label],
    ['clients held', (r) => String(r.clients)],
    ['register all (s)', (r) => (r.registerMs / 1000).toFixed(1)],
    ['RSS idle (MiB)', (r) => r.rssBeforeMiB.toFixed(1)],
    [`RSS with clients (MiB)`, (r) => r.rssHeldMiB.toFixed(1)],
    ['memory per client (KiB)', (r) => r.kibPerClient.toFixed(1)],
    ['relay rate (msg/s)', (r) => `${r.achievedRate} for ${r.seconds} s`],
    ['delivered', (r) => `${r.delivered}/${r.sent}`],
    ['latency p50 (ms)', (r) => r.p50Ms.toFixed(2)],
    ['latency p99 (ms)', (r) => r.p99Ms.toFixed(2)],
    ['latency max (ms)', (r) => r.maxMs.toFixed(2)],
    ['within one instance p50 / p99 (ms)', (r) => `${r.withinP50Ms.toFixed(2)} / ${r.withinP99Ms.toFixed(2)}`],
    ['across instances p50 / p99 (ms)', (r) => (r.acrossSent ? `${r.acrossP50Ms.toFixed(2)} / ${r.acrossP99Ms.toFixed(2)}` : '')],
    ['server CPU (% of a core)', (r) => r.serverCpuPercent.toFixed(1)],
    ['of which Redis', (r) => (Number.isNaN(r.redisCpuPercent) ? '' : r.redisCpuPercent.toFixed(1))],
  ];
  const cells = rows.map(([name, cell]) => [name, ...results.map(cell)]);
  const widths = cells[0].map((_, column) => Math.max(...cells.map((row) => row[column].length)));
  const line = (row) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  return [line(cells[0]), `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`, ...cells.slice(1).map(line)].join('\n');
}

/** Per server, the median of each figure over the rounds. */
function medians(runs) {
  return wanted.map((name) => {
    const mine = runs.filter((run) => run.server === name);
    const { round: _round, ...first } = mine[0];
    const merged = { ...first, rounds: mine.length };
    for (const [field, value] of Object.entries(first)) {
      if (typeof value !== 'number' || ['instances', 'clients', 'rate', 'seconds', 'sent'].includes(field)) continue;
      const sorted = mine.map((run) => run[field]).sort((a, b) => a - b);
      merged[field] = sorted[Math.floor(sorted.length / 2)];
    }
    return merged;
  });
}

const loadBefore = loadavg()[0];
const runs = [];
for (let round = 0; round < ROUNDS; round++) {
  // Alternate the order, so that neither server always runs on a warmer (or busier) machine.
  for (const name of round % 2 ? [...wanted].reverse() : wanted) {
    console.error(`[bench:signaling] ${name}: ${CLIENTS} clients, ${RATE} msg/s for ${SECONDS} s (round ${round + 1}/${ROUNDS})…`);
    runs.push({ round: round + 1, ...(await measure(name)) });
  }
}
const results = medians(runs);
console.log(table(results));
const loadAfter = loadavg()[0];
// Latency tails mean little on a busy machine: say how busy it was.
console.log(`${cpus().length} CPUs; 1-minute load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after`);
const report = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  loadAverage: { before: loadBefore, after: loadAfter },
  clients: CLIENTS,
  rate: RATE,
  seconds: SECONDS,
  rounds: ROUNDS,
  payloadBytes: JSON.stringify(PAYLOAD).length,
  results,
  runs,
};
writeFileSync('bench-signaling.json', JSON.stringify(report, null, 2) + '\n');
console.error('[bench:signaling] wrote bench-signaling.json');
