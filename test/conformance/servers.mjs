// Starts the PeerJS signaling servers the conformance suite, the ASP.NET end-to-end tests and
// bench/signaling.mjs run against, as real processes on 127.0.0.1:
//   - 'node':    the `peer` npm package (scripts/signaling-server.mjs), mounted at /peerjs;
//   - 'aspnet':  the demo/aspnet site (PeerChat.AspNetCore's endpoint at /peerjs, plus the Razor pages),
//                started as `dotnet PeerChatDemo.dll` from its published copy (`npm run build:aspnet`);
//   - 'cluster': a redis-server and `instances` (default 2) of that site sharing it
//                (PeerSignaling__Redis, the PeerChat.AspNetCore.Redis backplane), each on its own port.
// The same options reach both: the `peer` CLI flags on one side, PeerSignaling__* environment
// variables (bound by demo/aspnet/Program.cs) on the other.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const nodeScript = `${root}scripts/signaling-server.mjs`;
/** The published ASP.NET sites: demo/aspnet, the fresh `dotnet new webapp` of scripts/fresh-webapp.mjs, and bench/aspnet-floor. */
const published = {
  aspnet: { dir: `${root}artifacts/demo`, dll: 'PeerChatDemo.dll', build: 'npm run build:aspnet' },
  fresh: { dir: `${root}artifacts/fresh-webapp/publish`, dll: 'FreshSite.dll', build: 'npm run build:fresh-webapp' },
  // bench/aspnet-floor: a bare Kestrel WebSocket relay, bench:signaling's floor (not a PeerJS server).
  'aspnet-floor': { dir: `${root}artifacts/aspnet-floor`, dll: 'AspNetFloor.dll', build: 'npm run build:aspnet-floor' },
};

/**
 * @typedef {object} ServerOptions
 * @property {number} [port] 0 (default): any free port
 * @property {string | null} [host] node only: '127.0.0.1' (default), or null for the script's default
 * @property {string} [key] API key (default 'peerjs')
 * @property {number} [expireTimeout] ms before queued messages are answered with EXPIRE
 * @property {number} [aliveTimeout] ms without HEARTBEAT before a client is dropped
 * @property {number} [concurrentLimit] most registered clients
 * @property {boolean} [allowDiscovery] GET {path}/{key}/peers lists ids
 * @property {Record<string, string>} [env] extra environment for the process
 * @property {number} [instances] cluster only: how many instances of the site (default 2)
 */

/** A TimeSpan as .NET configuration reads it, from milliseconds. */
function timeSpan(ms) {
  const pad = (n, width = 2) => String(Math.floor(n)).padStart(width, '0');
  return `${pad(ms / 3_600_000)}:${pad((ms / 60_000) % 60)}:${pad((ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
}

function nodeCommand(options) {
  // 127.0.0.1 only, like the ASP.NET one, unless `host: null` asks for the script's default
  // (inside the test namespace, also reachable from the far host of test/support/remote-host.mjs).
  const args = [nodeScript, '--port', String(options.port ?? 0)];
  if (options.host !== null) args.push('--host', options.host ?? '127.0.0.1');
  if (options.key !== undefined) args.push('--key', options.key);
  if (options.expireTimeout !== undefined) args.push('--expire-timeout', String(options.expireTimeout));
  if (options.aliveTimeout !== undefined) args.push('--alive-timeout', String(options.aliveTimeout));
  if (options.concurrentLimit !== undefined) args.push('--concurrent-limit', String(options.concurrentLimit));
  if (options.allowDiscovery) args.push('--allow-discovery');
  return { command: process.execPath, args, cwd: root, env: { ...process.env, ...options.env } };
}

function aspnetCommand(kind, options) {
  const site = published[kind];
  const dll = `${site.dir}/${site.dll}`;
  if (!existsSync(dll)) throw new Error(`${dll} not found: run \`${site.build}\` first`);
  const env = {
    ...process.env,
    ASPNETCORE_URLS: `http://127.0.0.1:${options.port ?? 0}`,
    ASPNETCORE_ENVIRONMENT: 'Production',
    DOTNET_CLI_TELEMETRY_OPTOUT: '1',
    DOTNET_NOLOGO: '1',
    Logging__LogLevel__Default: 'Warning',
    'Logging__LogLevel__Microsoft.Hosting.Lifetime': 'Information',
    ...options.env,
  };
  if (options.key !== undefined) env.PeerSignaling__Key = options.key;
  if (options.expireTimeout !== undefined) env.PeerSignaling__ExpireTimeout = timeSpan(options.expireTimeout);
  if (options.aliveTimeout !== undefined) env.PeerSignaling__AliveTimeout = timeSpan(options.aliveTimeout);
  if (options.concurrentLimit !== undefined) env.PeerSignaling__ConcurrentLimit = String(options.concurrentLimit);
  if (options.allowDiscovery) env.PeerSignaling__AllowDiscovery = 'true';
  // The content root is the published folder: its wwwroot/ holds the site's files and the package's peer-chat.js.
  return { command: 'dotnet', args: [dll], cwd: site.dir, env };
}

/** The port a started server announces on its first meaningful stdout line, or undefined. */
function announcedPort(kind, line) {
  if (kind === 'node') {
    try {
      return JSON.parse(line).port;
    } catch {
      return undefined;
    }
  }
  const match = /Now listening on: http:\/\/[^:]+:(\d+)/.exec(line);
  return match ? Number(match[1]) : undefined;
}

/**
 * Starts a server of `kind` ('node', 'aspnet', 'fresh' or 'aspnet-floor'); resolves once it listens with
 * `{ kind, port, child }`. stderr goes to this process's stderr.
 * @param {'node' | 'aspnet' | 'fresh' | 'aspnet-floor'} kind
 * @param {ServerOptions} [options]
 */
export function startServer(kind, options = {}) {
  if (kind !== 'node' && !(kind in published)) throw new Error(`unknown server kind ${kind}`);
  const { command, args, cwd, env } = kind === 'node' ? nodeCommand(options) : aspnetCommand(kind, options);
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${kind} signaling server did not start in 30 s`));
    }, 30_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${kind} signaling server exited with ${code ?? signal}`));
    });
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const port = announcedPort(kind, line);
      if (port === undefined) return;
      clearTimeout(timer);
      lines.removeAllListeners('line');
      // Keep draining stdout so a chatty server never blocks on a full pipe.
      lines.on('line', () => {});
      resolve({ kind, port, child });
    });
  });
}

/** Kills a server process (SIGKILL: no goodbye to its clients) and waits for it to exit. */
export async function killServer(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

const REDIS_SERVER = '/usr/bin/redis-server';

/** A free TCP port of 127.0.0.1 (for redis-server, which cannot pick one and announce it). */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Starts redis-server on `port` without persistence; resolves with the child once it accepts connections. */
export function startRedis(port) {
  if (!existsSync(REDIS_SERVER)) throw new Error(`${REDIS_SERVER} is missing: install Debian's redis-server package (.ci/run does)`);
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start on port ${port} in 10 s`));
    }, 10_000);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`redis-server on port ${port} exited with ${code ?? signal}`));
    });
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (!line.includes('Ready to accept connections')) return;
      clearTimeout(timer);
      resolve(child);
    });
  });
}

/** The site's health check (`/healthz`): 'Healthy', 'Degraded' (e.g. Redis unreachable) or 'Unhealthy'. */
export async function health(port) {
  return (await fetch(`http://127.0.0.1:${port}/healthz`)).text();
}

/** Resolves once every port's health check says Healthy (with a backplane: connected to Redis). */
export async function untilHealthy(ports, timeoutMs = 30_000) {
  const start = Date.now();
  for (;;) {
    const states = await Promise.all(ports.map((port) => health(port).catch((error) => String(error))));
    if (states.every((state) => state === 'Healthy')) return;
    if (Date.now() - start > timeoutMs) throw new Error(`not healthy after ${timeoutMs} ms: ${states.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A redis-server and `options.instances` (default 2) instances of demo/aspnet sharing it. Instances and
 * Redis can be stopped and started again on their ports, as a crash and a restart would.
 */
export class Cluster {
  /** @param {ServerOptions} options */
  constructor(options) {
    this.options = options;
    /** @type {number[]} the instances' ports, in order */
    this.ports = [];
    /** @type {(import('node:child_process').ChildProcess | null)[]} */
    this.instances = [];
    /** @type {import('node:child_process').ChildProcess | null} */
    this.redis = null;
    this.redisPort = 0;
  }

  /** @param {ServerOptions} options */
  static async start(options) {
    const cluster = new Cluster(options);
    try {
      cluster.redisPort = await freePort();
      await cluster.startRedis();
      for (let index = 0; index < (options.instances ?? 2); index++) {
        const { port, child } = await startServer('aspnet', cluster.instanceOptions(0));
        cluster.ports.push(port);
        cluster.instances.push(child);
      }
      // Healthy = the backplane is connected: no client registers with an instance that is not in the cluster yet.
      await untilHealthy(cluster.ports);
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  instanceOptions(port) {
    return { ...this.options, port, env: { ...this.options.env, PeerSignaling__Redis: `127.0.0.1:${this.redisPort}` } };
  }

  async startRedis() {
    this.redis = await startRedis(this.redisPort);
  }

  /** Kills Redis (SIGKILL: its data is lost, as on a restart without persistence). */
  async stopRedis() {
    if (this.redis) await killServer(this.redis);
    this.redis = null;
  }

  /** Kills instance `index` (SIGKILL: no goodbye to its clients or to Redis). */
  async stopInstance(index) {
    const child = this.instances[index];
    this.instances[index] = null;
    if (child) await killServer(child);
  }

  /** Starts instance `index` again on its port; resolves once it is in the cluster. */
  async startInstance(index) {
    const { child } = await startServer('aspnet', this.instanceOptions(this.ports[index]));
    this.instances[index] = child;
    await untilHealthy([this.ports[index]]);
  }

  async stop() {
    await Promise.all(this.instances.filter(Boolean).map(killServer));
    this.instances = [];
    await this.stopRedis();
  }
}

/**
 * web-test-runner plugin: `executeServerCommand('server-start', { kind, ...options })` resolves with
 * `{ port, ports }` (`ports`: every instance's, in order; for 'node' and 'aspnet' just `[port]`);
 * `executeServerCommand('server-stop', { port })` kills that server (for a cluster: its instances and
 * Redis). A cluster's faults, by its first port: `cluster-instance-stop` / `cluster-instance-start`
 * `{ port, index }`, `cluster-redis-stop` / `cluster-redis-start` `{ port }`; a start resolves once
 * every running instance reports Healthy again. Every server still running when the test run ends is killed.
 */
export function serversPlugin() {
  /** Running servers by (first) port: a child process or a Cluster. */
  const servers = new Map();
  const stop = (server) => (server instanceof Cluster ? server.stop() : killServer(server));
  const cluster = (port) => {
    const found = servers.get(port);
    if (!(found instanceof Cluster)) throw new Error(`no cluster on port ${port}`);
    return found;
  };
  const running = (found) => found.ports.filter((_, index) => found.instances[index]);
  return {
    name: 'peer-chat-conformance-servers',
    async executeCommand({ command, payload }) {
      switch (command) {
        case 'server-start': {
          const { kind, ...options } = payload;
          if (kind === 'cluster') {
            const started = await Cluster.start(options);
            servers.set(started.ports[0], started);
            return { port: started.ports[0], ports: started.ports };
          }
          const server = await startServer(kind, options);
          servers.set(server.port, server.child);
          return { port: server.port, ports: [server.port] };
        }
        case 'server-stop': {
          const server = servers.get(payload.port);
          servers.delete(payload.port);
          if (server) await stop(server);
          return true;
        }
        case 'cluster-instance-stop':
          await cluster(payload.port).stopInstance(payload.index);
          return true;
        case 'cluster-instance-start':
          await cluster(payload.port).startInstance(payload.index);
          return true;
        case 'cluster-redis-stop':
          await cluster(payload.port).stopRedis();
          return true;
        case 'cluster-redis-start': {
          const found = cluster(payload.port);
          await found.startRedis();
          await untilHealthy(running(found));
          return true;
        }
      }
      return undefined;
    },
    async serverStop() {
      await Promise.all([...servers.values()].map(stop));
    },
  };
}
