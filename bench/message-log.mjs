// The message-log figures of issue 13 (bench/run.mjs, and bench/focus.mjs messages): what
// receiving and showing messages and typing cost the receiving tab's main thread, and its JS
// heap, at the log length reached so far.
import { call } from './lab.mjs';
import { mainThreadCpuMs } from './processes.mjs';

const MiB = 1024 * 1024;
/** Under the receiver's flood limit (300 frames a second, see docs/protocol.md). */
const FILL_PER_SECOND = 200;

/**
 * What a tab's renderer main thread spent so far, in ms: `cpu`, the time it ran (script, style,
 * layout, paint); `task`, the time its tasks took (Chromium's TaskDuration), which also counts
 * the time it waited within them: for a core on this shared 2-core machine, or for another
 * thread (a data channel's `send`). Per message, the second was about twice the first (5.7
 * against 2.7 ms, one run of 48), and a plain page's 3.0 against 2.2.
 */
const mainThreadMs = async (tab) => ({ cpu: mainThreadCpuMs(tab.pid), task: (await tab.page.metrics()).TaskDuration * 1000 });

/** What the thread spent between two readings of mainThreadMs. */
const spent = (from, to) => ({ cpu: to.cpu - from.cpu, task: to.task - from.task });

/**
 * After the messages are shown, what they still cost the tab in later tasks is counted too: the
 * frames that follow, the IntersectionObserver that finds them seen, the read receipts (those
 * after the first wait TIMING.readIntervalMs, 250 ms, in src/engine/peer-session.ts).
 */
const TAIL_MS = 300;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * How long the receiving tab is left alone after a change of its whole log (new elements, or the
 * log filled), before anything is measured. V8 cleans up after such a change for a while: in a
 * trace after the fill to 5,000 (a one-off script), major GCs at 8.4, 9.0, 11.3 and 11.9 s, none
 * from then to 60 s; single messages measured in those first 14 s cost 1.4 ms more each in
 * major GCs and 0.5 in incremental marking (20 of them: 0.2 major GCs a message), a minute
 * later 0.06 ms in minor GCs alone. The figures are of a log that holds so many messages, not
 * of the seconds after they arrived; what a flood costs is the burst's figure.
 */
const SETTLE_MS = 20_000;

/**
 * Main-thread ms (`cpu` and `task`, see mainThreadMs) `work` cost the tab, up to TAIL_MS after
 * it, less what as long a wait (polling alike, then as quiet) cost it idle, right after.
 */
async function mainThreadCost(tab, work) {
  const start = await mainThreadMs(tab);
  const began = Date.now();
  await work();
  const polled = Date.now() - began;
  await sleep(TAIL_MS);
  const busy = spent(start, await mainThreadMs(tab));
  const idleStart = await mainThreadMs(tab);
  await call(tab, 'idle', polled);
  await sleep(TAIL_MS);
  const idle = spent(idleStart, await mainThreadMs(tab));
  return { cpu: busy.cpu - idle.cpu, task: busy.task - idle.task };
}

/**
 * Fresh elements in both tabs, the sender connected to the receiver, which keeps up to 10,000
 * messages; once the receiving tab has settled (SETTLE_MS), returns the ways to measure it.
 * `detach()` when done.
 */
export async function startMessageLog(sender, receiver, signalingPort, receiverAttributes = {}) {
  const remoteId = await call(receiver, 'chatStart', signalingPort, { 'max-history': 10000, ...receiverAttributes });
  await call(sender, 'chatStart', signalingPort);
  await call(sender, 'chatConnect', remoteId);
  await sleep(SETTLE_MS);
  const devtools = await receiver.page.createCDPSession();
  let total = 0;
  /** Sends `count` messages (`perSecond` at most; 0: all at once) and waits until the receiver shows them. */
  const messages = async (count, perSecond) => {
    total += count;
    await call(sender, 'chatSendMessages', count, perSecond);
    while ((await call(receiver, 'chatShown', total)) < total);
  };
  return {
    get total() {
      return total;
    },
    /** The receiver's JS heap after a full collection, in MiB. */
    async heap() {
      await devtools.send('HeapProfiler.collectGarbage');
      return (await receiver.page.metrics()).JSHeapUsedSize / MiB;
    },
    /** Main-thread ms (`cpu` and `task`) of each of `count` messages, one at a time. */
    async singles(count) {
      const costs = [];
      for (let index = 0; index < count; index++) costs.push(await mainThreadCost(receiver, () => messages(1, 0)));
      return costs;
    },
    /** Main-thread ms (`cpu` and `task`) of `count` messages sent at once. */
    burst: (count) => mainThreadCost(receiver, () => messages(count, 0)),
    /** Fills the log up to `size` messages, at a pace the receiver accepts, and lets the tab settle. */
    async fill(size) {
      await messages(size - total, FILL_PER_SECOND);
      await sleep(SETTLE_MS);
    },
    /** The latency of each of `count` key presses in the receiver's message input, in ms. */
    async keys(count) {
      await receiver.page.bringToFront();
      await call(receiver, 'focusInput');
      const latencies = [];
      for (let index = 0; index < count; index++) {
        await call(receiver, 'armKey');
        await receiver.page.keyboard.press('a');
        latencies.push(await call(receiver, 'keyLatency'));
      }
      return latencies;
    },
    detach: () => devtools.detach(),
  };
}

/**
 * The floor of `singles`, measured the same way: main-thread ms (`cpu` and `task`) of each of
 * `count` messages that a plain page shows (bench/page.js `plainLogStart`: one line appended to
 * a log of `size` lines, scrolled to, acknowledged), sent on the tabs' bare channel pair.
 */
export async function plainSingles(sender, receiver, count, size) {
  await call(receiver, 'plainLogStart', size);
  const costs = [];
  for (let shown = 1; shown <= count; shown++) {
    costs.push(
      await mainThreadCost(receiver, async () => {
        await call(sender, 'plainLogSend');
        while ((await call(receiver, 'plainLogShown', shown)) < shown);
      }),
    );
  }
  await call(receiver, 'plainLogStop');
  return costs;
}
