// Starts the two PeerJS signaling servers the conformance suite, the ASP.NET end-to-end test and
// bench/signaling.mjs run against, as real processes on 127.0.0.1:
//   - 'node':   the `peer` npm package (scripts/signaling-server.mjs), mounted at /peerjs;
//   - 'aspnet': the demo/aspnet site (PeerChat.AspNetCore's endpoint at /peerjs, plus the Razor pages),
//               started as `dotnet PeerChatDemo.dll` from its published copy (`npm run build:aspnet`).
// The same options reach both: the `peer` CLI flags on one side, PeerSignaling__* environment
// variables (bound by demo/aspnet/Program.cs) on the other.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const nodeScript = `${root}scripts/signaling-server.mjs`;
/** The published ASP.NET sites: demo/aspnet, and the fresh `dotnet new webapp` of scripts/fresh-webapp.mjs. */
const published = {
  aspnet: { dir: `${root}artifacts/demo`, dll: 'PeerChatDemo.dll', build: 'npm run build:aspnet' },
  fresh: { dir: `${root}artifacts/fresh-webapp/publish`, dll: 'FreshSite.dll', build: 'npm run build:fresh-webapp' },
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
 * Starts a server of `kind` ('node', 'aspnet' or 'fresh'); resolves once it listens with
 * `{ kind, port, child }`. stderr goes to this process's stderr.
 * @param {'node' | 'aspnet' | 'fresh'} kind
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

/**
 * web-test-runner plugin: `executeServerCommand('server-start', { kind, ...options })` resolves with
 * `{ port }`; `executeServerCommand('server-stop', { port })` kills that server. Every server still
 * running when the test run ends is killed.
 */
export function serversPlugin() {
  /** Running servers by port. */
  const servers = new Map();
  return {
    name: 'peer-chat-conformance-servers',
    async executeCommand({ command, payload }) {
      switch (command) {
        case 'server-start': {
          const { kind, ...options } = payload;
          const server = await startServer(kind, options);
          servers.set(server.port, server.child);
          return { port: server.port };
        }
        case 'server-stop': {
          const child = servers.get(payload.port);
          servers.delete(payload.port);
          if (child) await killServer(child);
          return true;
        }
      }
      return undefined;
    },
    async serverStop() {
      await Promise.all([...servers.values()].map(killServer));
    },
  };
}
