// The TURN part of `npm run bench`: <peer-chat> between two hosts that cannot reach each other,
// only a TURN host running coturn, the network of test/turn.test.ts (test/support/turn-network.mjs,
// used here as is, outside web-test-runner). Each host runs its own Chromium inside its network
// namespace (test/support/host-agent.mjs); its page is the demo site on the TURN host
// (demo/server.mjs, which also does signaling and hands out TURN credentials at /peerjs/ice),
// into which bench/page.js is evaluated, so that both sides run the same code as the direct bench.
//
// Measured from host 1 to host 2: sendFile throughput (`transfer` of bench/run.mjs: the sender's
// call to the last byte at the receiver) and chat delay, idle and during a transfer. Both elements
// must report route 'relay' for their one peer, or the run fails.
import { readFileSync } from 'node:fs';
import { turnNetworkPlugin } from '../test/support/turn-network.mjs';

const MiB = 1024 * 1024;
const PAGE = readFileSync(new URL('./page.js', import.meta.url), 'utf8');

/**
 * Starts the TURN network and a Chromium on each host with bench/page.js in its page; resolves
 * with `{ call(host, name, ...args), stop() }` where `call` runs `window.bench[name](...args)`.
 */
export async function startTurnHosts() {
  const network = turnNetworkPlugin();
  const command = (name, payload) => network.executeCommand({ command: name, payload });
  try {
    await command('turn-site', { turn: 'right' });
    const pages = {};
    for (const host of [1, 2]) {
      const { page } = await command('turn-host-open', { host, browser: 'chromium', path: '/' });
      pages[host] = page;
      // The demo's own element leaves; the bench's functions arrive (page.js has no imports).
      await command('turn-host-evaluate', { host, page, script: `(() => { document.body.replaceChildren(); ${PAGE}\n; return true; })()` });
    }
    const call = async (host, name, ...args) =>
      (await command('turn-host-evaluate', { host, page: pages[host], script: `window.bench[${JSON.stringify(name)}](...${JSON.stringify(args)})` })).value;
    return { call, stop: () => network.serverStop() };
  } catch (error) {
    await network.serverStop();
    throw error;
  }
}

/** Attributes of a bench element on a TURN host: the site's signaling, ICE servers from /peerjs/ice. */
const TURN_ELEMENT = { host: null, port: null, 'ice-servers': null, 'ice-servers-url': '/peerjs/ice' };

/**
 * Connects host 1 to host 2 and measures `rounds` transfers of `size` bytes and as many with chat
 * probes at `probeAt`, plus `idleProbes` probes on the idle connection. Fills `into` as it goes.
 */
export async function measureTurn({ size, rounds, probeAt, idleProbes, log, into }) {
  const hosts = await startTurnHosts();
  try {
    const { call } = hosts;
    log('TURN: two hosts, coturn between them');
    const remoteId = await call(2, 'chatStart', 0, TURN_ELEMENT);
    await call(1, 'chatStart', 0, TURN_ELEMENT);
    into.connectMs = await call(1, 'chatConnect', remoteId);
    for (let attempt = 0; ; attempt++) {
      into.routes = { 1: await call(1, 'chatRoutes'), 2: await call(2, 'chatRoutes') };
      if (into.routes[2].length === 1 || attempt > 100) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const relayed = [1, 2].every((host) => into.routes[host].length === 1 && into.routes[host][0] === 'relay');
    if (!relayed) throw new Error(`TURN: the routes are not relay on both hosts: ${JSON.stringify(into.routes)}`);
    const warmUp = Math.min(size, 8 * MiB);
    for (const bytes of [warmUp, size]) await call(1, 'chatPrepareFile', bytes);
    log(`TURN: warming up, ${warmUp / MiB} MiB`);
    await call(2, 'expectBytes', warmUp);
    await call(1, 'chatSendFile', warmUp);
    await call(2, 'arrival');
    into.probes.idle.push(...(await call(1, 'chatProbeIdle', idleProbes)));
    for (let round = 1; round <= rounds; round++) {
      log(`TURN round ${round}/${rounds}: throughput and chat delay, ${size / MiB} MiB`);
      await call(2, 'expectBytes', size);
      const start = await call(1, 'chatSendFile', size);
      const end = await call(2, 'arrival');
      into.throughput.push({ mbps: size / 1e6 / ((end - start) / 1000) });
      into.probes.chat.push(...(await call(1, 'chatProbeDuringTransfer', size, probeAt)));
    }
  } finally {
    await hosts.stop();
  }
}
