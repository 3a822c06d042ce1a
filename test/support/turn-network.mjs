// web-test-runner plugin: two hosts that cannot reach each other at all, and a TURN host that
// both can reach: the network where only a relay connects two browsers.
//
//   host 1 (10.88.1.2) ── veth ── TURN host ── veth ── host 2 (10.88.2.2)
//                                 10.88.0.1: coturn :3478, the site (demo/server.mjs) :8080
//
// Each host is a network namespace of its own (made inside the test namespace of
// scripts/netns.mjs) with one link, to the TURN host, and a route to 10.88.0.1 only. The TURN
// host forwards nothing (ip_forward 0), so the only way between the hosts is through coturn's
// relay. Each host runs its own browser (test/support/host-agent.mjs, inside the namespace);
// the site, signaling and the TURN credentials at /peerjs/ice come from demo/server.mjs on the
// TURN host. Every process started here is tracked by its pid and killed by it.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const TURN_ADDRESS = '10.88.0.1';
const TURN_PORT = 3478;
const SITE_PORT = 8080;
const HOSTS = {
  1: { device: 'pc-h1', turnDevice: 'pc-t1', address: '10.88.1.2', turnSide: '10.88.1.1' },
  2: { device: 'pc-h2', turnDevice: 'pc-t2', address: '10.88.2.2', turnSide: '10.88.2.1' },
};

const ip = (...args) => execFileSync('ip', args, { stdio: 'pipe' });
const inNamespace = (pid, ...args) => execFileSync('nsenter', ['-t', String(pid), '-n', ...args], { stdio: 'pipe' });

/** A process that holds a fresh network namespace open. */
async function namespace() {
  const holder = spawn('unshare', ['-n', 'sleep', 'infinity'], { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 100));
  inNamespace(holder.pid, 'ip', 'link', 'set', 'lo', 'up');
  return holder;
}

/** Resolves with the child's stdout lines once `ready` matches one of them; rejects if it exits first. */
function started(child, ready, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start in 60 s`)), 60_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code ?? signal}`));
    });
    const lines = createInterface({ input: child.stdout });
    lines.on('line', function watch(line) {
      if (!ready.test(line)) return;
      clearTimeout(timer);
      lines.off('line', watch);
      resolve(lines);
    });
  });
}

async function kill(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

export function turnNetworkPlugin() {
  /** Namespace holders: { turn, 1, 2 }, once the network is up. */
  let holders = null;
  /** coturn's static-auth-secret, new for each run. */
  const secret = randomBytes(18).toString('base64url');
  let coturn = null;
  let site = null;
  /** Browser agents by host: { kind, child, pending: Map, nextId }. */
  const agents = new Map();

  async function networkUp() {
    if (holders) return;
    if (process.env.PEER_CHAT_NETNS !== '1') throw new Error('the TURN network needs the private network namespace of scripts/netns.mjs');
    holders = { turn: await namespace(), 1: await namespace(), 2: await namespace() };
    const turn = holders.turn.pid;
    inNamespace(turn, 'sh', '-c', 'echo 0 > /proc/sys/net/ipv4/ip_forward');
    inNamespace(turn, 'ip', 'addr', 'add', `${TURN_ADDRESS}/32`, 'dev', 'lo');
    for (const [number, host] of Object.entries(HOSTS)) {
      const pid = holders[number].pid;
      ip('link', 'add', host.turnDevice, 'type', 'veth', 'peer', 'name', host.device);
      // No IPv6 link-local addresses appearing later: Chromium aborts requests when addresses change.
      ip('link', 'set', host.turnDevice, 'addrgenmode', 'none');
      ip('link', 'set', host.device, 'addrgenmode', 'none');
      ip('link', 'set', host.turnDevice, 'netns', String(turn));
      ip('link', 'set', host.device, 'netns', String(pid));
      inNamespace(turn, 'ip', 'addr', 'add', `${host.turnSide}/24`, 'dev', host.turnDevice);
      inNamespace(turn, 'ip', 'link', 'set', host.turnDevice, 'up');
      inNamespace(pid, 'ip', 'addr', 'add', `${host.address}/24`, 'dev', host.device);
      inNamespace(pid, 'ip', 'link', 'set', host.device, 'up');
      // The TURN host's service address only: nothing routes to the other host.
      inNamespace(pid, 'ip', 'route', 'add', `${TURN_ADDRESS}/32`, 'via', host.turnSide);
    }
    const dir = mkdtempSync(join(tmpdir(), 'peer-chat-coturn-'));
    coturn = spawn(
      'nsenter',
      [
        '-t', String(turn), '-n', process.env.TURNSERVER_PATH ?? '/usr/bin/turnserver',
        `--listening-ip=${TURN_ADDRESS}`, `--relay-ip=${TURN_ADDRESS}`, `--listening-port=${TURN_PORT}`,
        '--use-auth-secret', `--static-auth-secret=${secret}`, '--realm=peer-chat.test',
        '--no-tls', '--no-dtls', '--no-cli', '--log-file', join(dir, 'turn.log'), '--simple-log',
        `--pidfile=${join(dir, 'turn.pid')}`, `--userdb=${join(dir, 'turndb')}`,
      ],
      { stdio: 'ignore' },
    );
    // Listening once its UDP socket is bound.
    for (let i = 0; ; i++) {
      if (inNamespace(turn, 'ss', '-lnu').toString().includes(`${TURN_ADDRESS}:${TURN_PORT}`)) break;
      if (coturn.exitCode !== null || i > 100) throw new Error(`coturn did not start (log: ${join(dir, 'turn.log')})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** (Re)starts the site on the TURN host; `turn`: 'right' secret, 'wrong' secret, or 'none'. */
  async function startSite({ turn, ttl }) {
    await kill(site);
    const env = { ...process.env, HOST: TURN_ADDRESS, PORT: String(SITE_PORT), TURN_URLS: '', TURN_SECRET: '' };
    if (turn !== 'none') {
      env.TURN_URLS = `turn:${TURN_ADDRESS}:${TURN_PORT}?transport=udp`;
      env.TURN_SECRET = turn === 'right' ? secret : `not-${secret}`;
      env.TURN_TTL = String(ttl ?? 3600);
    }
    const child = spawn('nsenter', ['-t', String(holders.turn.pid), '-n', process.execPath, join(root, 'demo/server.mjs')], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    site = child;
    // Keeps reading its stdout, so a chatty server never blocks on a full pipe.
    await started(child, /peer-chat demo on/, 'the site on the TURN host');
  }

  /** The browser agent on `host`, of `kind`; a different kind replaces the one there. */
  async function agent(host, kind) {
    const current = agents.get(host);
    if (current?.kind === kind) return current;
    if (current) await stopAgent(host);
    const origin = `http://${TURN_ADDRESS}:${SITE_PORT}`;
    const child = spawn('nsenter', ['-t', String(holders[host].pid), '-n', process.execPath, join(root, 'test/support/host-agent.mjs'), kind, origin], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const entry = { kind, child, pending: new Map(), nextId: 1 };
    agents.set(host, entry);
    const lines = await started(child, /"ready"/, `the ${kind} of host ${host}`);
    lines.on('line', (line) => {
      const answer = JSON.parse(line);
      const pending = entry.pending.get(answer.id);
      entry.pending.delete(answer.id);
      if (answer.error) pending?.reject(new Error(answer.error));
      else pending?.resolve(answer.value);
    });
    return entry;
  }

  function ask(entry, command) {
    const id = entry.nextId++;
    return new Promise((resolve, reject) => {
      entry.pending.set(id, { resolve, reject });
      entry.child.stdin.write(`${JSON.stringify({ id, ...command })}\n`);
    });
  }

  async function stopAgent(host) {
    const entry = agents.get(host);
    agents.delete(host);
    if (!entry) return;
    const exited = new Promise((resolve) => entry.child.once('exit', resolve));
    entry.child.stdin.end();
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    await kill(entry.child);
  }

  return {
    name: 'peer-chat-turn-network',
    async executeCommand({ command, payload }) {
      switch (command) {
        case 'turn-site': {
          await networkUp();
          await startSite(payload);
          return { origin: `http://${TURN_ADDRESS}:${SITE_PORT}`, turnUrl: `turn:${TURN_ADDRESS}:${TURN_PORT}` };
        }
        case 'turn-host-open': {
          const entry = await agent(payload.host, payload.browser);
          return { page: await ask(entry, { op: 'open', url: `http://${TURN_ADDRESS}:${SITE_PORT}${payload.path}` }) };
        }
        case 'turn-host-evaluate':
          // Wrapped: a bare undefined would read as "command not handled".
          return { value: await ask(agents.get(payload.host), { op: 'evaluate', page: payload.page, script: payload.script }) };
        case 'turn-hosts-stop':
          await Promise.all([stopAgent(1), stopAgent(2)]);
          return true;
      }
      return undefined;
    },
    async serverStop() {
      await Promise.all([stopAgent(1), stopAgent(2)]);
      await kill(site);
      await kill(coturn);
      for (const holder of Object.values(holders ?? {})) await kill(holder);
      holders = null;
    },
  };
}
