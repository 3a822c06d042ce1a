// What every bench script starts from: a signaling server, the static server of the bench pages,
// one headless Chromium, and the ways to drive bench/page.html in its tabs
// (bench/run.mjs, bench/focus.mjs, bench/variants.mjs).
import { launchBrowser } from '../test/support/browsers.mjs';
import { cpuTimes, rendererOf } from './processes.mjs';
import { startSignaling, startStaticServer } from './servers.mjs';

/** Transfer progress (fractions of the file) at which a chat probe is sent, in every bench that measures chat delay. */
export const PROBE_AT = [0.3, 0.4, 0.5, 0.6, 0.7];

/** Calls `window.bench[name](...args)` in the tab; resolves with its result. */
export const call = (tab, name, ...args) => tab.page.evaluate((name, args) => window.bench[name](...args), name, args);

/**
 * Times one transfer, from the sender's call (`send` resolves with its time) to the last byte
 * at the receiver, and the CPU time the browser whose main process is `browserPid` spent
 * meanwhile, per MB (10^6 bytes): the two tabs' renderers, and the rest (other tabs' renderers
 * left out, when `others` lists them).
 */
export async function timeTransfer(browserPid, sender, receiver, size, send, others = []) {
  await call(receiver, 'expectBytes', size);
  const before = cpuTimes(browserPid);
  const start = await send();
  const end = await call(receiver, 'arrival');
  const after = cpuTimes(browserPid);
  const cpu = { sender: 0, receiver: 0, rest: 0 };
  for (const [pid, ms] of after) {
    if (others.some((tab) => tab.pid === pid)) continue;
    const part = pid === sender.pid ? 'sender' : pid === receiver.pid ? 'receiver' : 'rest';
    cpu[part] += (ms - (before.get(pid) ?? 0)) / (size / 1e6);
  }
  return { mbps: size / 1e6 / ((end - start) / 1000), cpu };
}

/** CPU time of all of the Chromium whose main process is `browserPid` while `work` runs, in ms per MB (10^6 bytes) of `bytes`. */
export async function cpuPerMb(browserPid, bytes, work) {
  const before = cpuTimes(browserPid);
  await work();
  const after = cpuTimes(browserPid);
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total / (bytes / 1e6);
}

/**
 * Fresh peers in both tabs, the sender dialing: `peerjs` (plain PeerJS; resolves with the ms until
 * `open`) or `chat` (<peer-chat> elements; resolves with the ms `connect()` took). The dial starts
 * once both tabs are idle, so that it is timed alone: not with the frames of a new element's first
 * renders, nor with the tear-down of the pair it replaces.
 */
export async function pairTabs(sender, receiver, port, kind) {
  const [start, connect] = kind === 'chat' ? ['chatStart', 'chatConnect'] : ['peerjsStart', 'peerjsConnect'];
  const remoteId = await call(receiver, start, port);
  await call(sender, start, port);
  await Promise.all([sender, receiver].map((tab) => call(tab, 'settle')));
  return call(sender, connect, remoteId);
}

/** Starts the servers and the browser of a run; `log` gets page errors. `close()` stops them all. */
export async function startLab(root, log) {
  const signaling = await startSignaling(root);
  const web = await startStaticServer(root);
  const browser = await launchBrowser('chromium');
  const browserPid = browser.process().pid;

  return {
    signaling,
    browser,
    browserPid,

    /**
     * Opens bench/page.html in its own window, so that every tab stays visible (a hidden tab's
     * timers are throttled). 127.0.0.1 and localhost are different sites, so different renderers.
     * `beforeLoad`: [function, argument] run in the page before its scripts (to switch features off).
     */
    async openTab(host, beforeLoad) {
      const page = await browser.newPage({ type: 'window' });
      page.on('pageerror', (error) => log(`page error on ${host}: ${error.message}`));
      if (beforeLoad) await page.evaluateOnNewDocument(...beforeLoad);
      await page.goto(`http://${host}:${web.port}/bench/page.html`);
      await page.waitForFunction(() => window.bench);
      return { page, pid: await rendererOf(page, browserPid) };
    },

    /** See {@link cpuPerMb}. */
    cpuPerMb: (bytes, work) => cpuPerMb(browserPid, bytes, work),

    /** See {@link timeTransfer}. */
    transfer: (sender, receiver, size, send) => timeTransfer(browserPid, sender, receiver, size, send),

    /** See {@link pairTabs}. */
    pairPeerJs: (sender, receiver) => pairTabs(sender, receiver, signaling.port, 'peerjs'),
    pairChats: (sender, receiver) => pairTabs(sender, receiver, signaling.port, 'chat'),

    async close() {
      await browser.close();
      web.server.close();
      signaling.child.kill();
    },
  };
}
