// The in-page half of `npm run bench`: bench/run.mjs drives two tabs of bench/page.html through
// `window.bench`, one tab sending and the other receiving.
//
// Times that span both tabs are on a clock they share: performance.timeOrigin +
// performance.now(), the system's wall clock with sub-millisecond resolution.

const MiB = 1024 * 1024;

/** Flow control of the bare data channel: the best plain send loop (see issue 4). */
const BARE = { highWaterMark: MiB, lowWaterMark: 256 * 1024, messageSize: 64 * 1024 };

/** Milliseconds on the clock shared by both tabs. */
const now = () => performance.timeOrigin + performance.now();

/** The next `type` event on a DOM event target for which `accept` holds. */
function next(target, type, accept = () => true) {
  return new Promise((resolve) => {
    const listener = (event) => {
      if (!accept(event)) return;
      target.removeEventListener(type, listener);
      resolve(event);
    };
    target.addEventListener(type, listener);
  });
}

/** The next `open` of a PeerJS Peer or DataConnection; rejects on its `error`. */
function opened(emitter) {
  return new Promise((resolve, reject) => {
    emitter.once('open', resolve);
    emitter.once('error', reject);
  });
}

// ---- what is sent ----------------------------------------------------------------------------

/** One MiB of random bytes, repeated to make every payload (nothing on the way compresses). */
const block = new Uint8Array(MiB);
for (let offset = 0; offset < MiB; offset += 65536) crypto.getRandomValues(block.subarray(offset, offset + 65536));

const files = new Map();
/**
 * A `size`-byte file (whole MiBs) on disk, in the origin's private file system, like a file the
 * person picked: the tab never holds it in memory, whatever its size.
 */
function fileOf(size) {
  if (!files.has(size)) files.set(size, writeFile(`bench-${size}.bin`, size));
  return files.get(size);
}

async function writeFile(name, size) {
  const handle = await (await navigator.storage.getDirectory()).getFileHandle(name, { create: true });
  const writable = await handle.createWritable();
  for (let offset = 0; offset < size; offset += MiB) await writable.write(block);
  await writable.close();
  return handle.getFile();
}

// ---- the receiving side: when were all the expected bytes in? --------------------------------

let arrival = null;

/** Starts waiting for `size` bytes; `arrival()` then resolves with when they were all in. */
function expectBytes(size) {
  let resolve;
  const done = new Promise((settle) => (resolve = settle));
  arrival = { size, received: 0, resolve, done };
}

function bytesArrived(count) {
  if (!arrival) return;
  arrival.received += count;
  if (arrival.received >= arrival.size) arrival.resolve(now());
}

// ---- chat delay: probes and their echoes -----------------------------------------------------

let probes = 0;

/** The receiving tab's answer to "probe N": "echo N <when it arrived>". */
const echo = (text) => `echo ${text.slice('probe '.length)} ${now()}`;

/**
 * Sends "probe N" with `send` and waits for its echo (`echoes(prefix)` resolves with its text).
 * `oneWay`: from the send to the arrival in the other tab, on the shared clock;
 * `roundTrip`: until the echo is back, on this tab's clock alone.
 */
async function probe(send, echoes) {
  const id = ++probes;
  const echoed = echoes(`echo ${id} `);
  const sent = now();
  send(`probe ${id}`);
  const text = await echoed;
  return { oneWay: Number(text.split(' ')[2]) - sent, roundTrip: now() - sent };
}

/** While `transfer` runs, sends a probe each time `progress()` (0 to 1) passes the next of `fractions`. */
async function probeDuring(transfer, progress, fractions, sendProbe) {
  const pending = [];
  let running = true;
  const finished = transfer.finally(() => (running = false));
  while (running && pending.length < fractions.length) {
    if (progress() >= fractions[pending.length]) pending.push(sendProbe());
    await sleep(5);
  }
  await finished;
  return Promise.all(pending);
}

// ---- 1. a bare data channel ------------------------------------------------------------------

/** Bulk channels and a channel for probes; `sent` counts the bytes handed to the bulk channels. */
const bare = { connection: null, channels: [], probes: null, sent: 0 };

/** Sets the local description and returns it once every (host) candidate is in it: no trickle. */
async function describe(connection) {
  await connection.setLocalDescription();
  if (connection.iceGatheringState !== 'complete') {
    await next(connection, 'icegatheringstatechange', () => connection.iceGatheringState === 'complete');
  }
  return connection.localDescription.toJSON();
}

/** Sender: a peer connection with `count` bulk channels (reliable, ordered) and a probe channel; returns the offer. */
async function bareOffer(count) {
  bare.connection = new RTCPeerConnection({ iceServers: [] });
  bare.channels = Array.from({ length: count }, (_, index) => bare.connection.createDataChannel(`bulk-${index}`));
  bare.probes = bare.connection.createDataChannel('probes');
  return describe(bare.connection);
}

/** Receiver: answers the offer, counts the bytes of every bulk channel and echoes probes. */
async function bareAnswer(offer) {
  bare.connection = new RTCPeerConnection({ iceServers: [] });
  bare.connection.ondatachannel = ({ channel }) => {
    channel.binaryType = 'arraybuffer';
    channel.onmessage =
      channel.label === 'probes' ? ({ data }) => (plainLog ? plainLog.show(data, channel) : channel.send(echo(data))) : ({ data }) => bytesArrived(data.byteLength);
  };
  await bare.connection.setRemoteDescription(offer);
  return describe(bare.connection);
}

/** Sender: applies the answer; resolves when every channel is open. */
async function bareConnect(answer) {
  await bare.connection.setRemoteDescription(answer);
  await Promise.all([...bare.channels, bare.probes].map((channel) => channel.readyState === 'open' || next(channel, 'open')));
}

/** Sends `size` bytes as `messageSize`-byte messages, split evenly over the first `channelCount` channels. */
async function bareSend(size, messageSize, channelCount) {
  const message = block.subarray(0, messageSize);
  const share = size / channelCount;
  bare.sent = 0;
  const start = now();
  await Promise.all(bare.channels.slice(0, channelCount).map((channel) => pump(channel, share, message)));
  return start;
}

/** The plain loop: send while the channel's buffer is at most the high-water mark, else wait for it to drain. */
async function pump(channel, size, message) {
  channel.bufferedAmountLowThreshold = BARE.lowWaterMark;
  for (let sent = 0; sent < size; sent += message.byteLength) {
    if (channel.bufferedAmount > BARE.highWaterMark) await next(channel, 'bufferedamountlow');
    channel.send(message);
    bare.sent += message.byteLength;
  }
}

const bareProbe = () =>
  probe(
    (text) => bare.probes.send(text),
    (prefix) => next(bare.probes, 'message', ({ data }) => data.startsWith(prefix)).then(({ data }) => data),
  );

/** The baseline of chat delay: probes on their own channel while the plain loop sends `size` bytes. */
function bareProbeDuringTransfer(size, fractions) {
  return probeDuring(bareSend(size, BARE.messageSize, 1), () => bare.sent / size, fractions, bareProbe);
}

// ---- the least a page does to show a chat message (the floor of the message figures) ----------

/** Receiver: while set, messages on the probe channel are chat messages for this plain log. */
let plainLog = null;
let plainSent = 0;

/**
 * Receiver: from now on, each message on the bare probe channel is shown as the element would,
 * with nothing else: parsed, one line appended to a log of `size` lines (a scrolling flex column,
 * like the element's), scrolled to it, and acknowledged.
 */
function plainLogStart(size) {
  const log = document.createElement('div');
  log.style.cssText = 'block-size: 24rem; overflow-y: auto; display: flex; flex-direction: column; gap: 0.5rem; padding: 0.5rem; font: 14px system-ui';
  const append = (text) => {
    const entry = document.createElement('div');
    entry.textContent = text;
    entry.style.cssText = 'max-inline-size: 85%; padding: 0.4rem 0.6rem; border-radius: 0.5rem; background: #eee; align-self: flex-start';
    log.append(entry);
  };
  for (let index = 0; index < size; index++) append(line(index));
  document.body.append(log);
  log.scrollTop = log.scrollHeight;
  plainLog = {
    log,
    shown: 0,
    show(data, channel) {
      const { seq, text } = JSON.parse(data);
      append(text);
      log.scrollTop = log.scrollHeight;
      this.shown++;
      channel.send(JSON.stringify({ t: 'ack', seq }));
    },
  };
}

/** Receiver: the probe channel echoes probes again. */
function plainLogStop() {
  plainLog?.log.remove();
  plainLog = null;
}

/** Sender: one chat message on the bare probe channel, for the receiver's plain log. */
function plainLogSend() {
  plainSent++;
  bare.probes.send(JSON.stringify({ t: 'msg', seq: plainSent, text: line(plainSent) }));
}

/** Receiver: resolves as chatShown does, once the plain log showed `total` messages. */
const plainLogShown = (total, waitMs) => shown(() => plainLog.shown, total, waitMs);

// ---- 2. plain PeerJS -------------------------------------------------------------------------

let peer = null;
let peerConnection = null;
const buffers = new Map();

/** A fresh, registered PeerJS Peer whose incoming connections count the bytes of their `data`. */
async function peerjsStart(port) {
  peer?.destroy();
  peer = new window.peerjs.Peer({ host: '127.0.0.1', port, path: '/peerjs', secure: false, config: { iceServers: [] }, debug: 0 });
  peer.on('connection', (connection) => connection.on('data', (data) => bytesArrived(data.byteLength)));
  await opened(peer);
  return peer.id;
}

/** Plain `peer.connect(id)` with its defaults (binary serialization); resolves with the ms until `open`. */
async function peerjsConnect(remoteId) {
  const start = performance.now();
  peerConnection = peer.connect(remoteId);
  await opened(peerConnection);
  return performance.now() - start;
}

/** One `conn.send(arrayBuffer)` of `size` bytes; returns when it was called. */
function peerjsSend(size) {
  if (!buffers.has(size)) {
    const bytes = new Uint8Array(size);
    for (let offset = 0; offset < size; offset += MiB) bytes.set(block, offset);
    buffers.set(size, bytes.buffer);
  }
  const start = now();
  peerConnection.send(buffers.get(size));
  return start;
}

// ---- 3. <peer-chat> --------------------------------------------------------------------------

let chat = null;
/** Chat messages this tab's element received. */
let incoming = 0;

/**
 * Replaces this tab's element with a fresh, registered one that accepts files and echoes probes
 * (and has the given extra attributes; one given as null is left out); returns its id.
 */
async function chatStart(port, extra = {}) {
  chat?.remove();
  chat = document.createElement('peer-chat');
  incoming = 0;
  const attributes = { host: '127.0.0.1', port, 'ice-servers': '[]', 'accept-files': 'always', ...extra };
  for (const [name, value] of Object.entries(attributes)) if (value !== null) chat.setAttribute(name, String(value));
  chat.addEventListener('peer-chat-file', ({ detail }) => bytesArrived(detail.file.size));
  chat.addEventListener('peer-chat-message', ({ detail }) => {
    if (detail.direction !== 'in') return;
    incoming++;
    if (detail.text.startsWith('probe ')) chat.send(echo(detail.text));
  });
  const ready = next(chat, 'peer-chat-ready');
  document.body.append(chat);
  await ready;
  return chat.peerId;
}

/**
 * Resolves once this tab is idle: its element rendered, the frames that showed it painted, and
 * the work Chromium defers after a page changes done too. A new element's form is scanned by
 * autofill 100 ms after it appears (0.85 ms in a trace): a dial started sooner was timed with
 * it, which no page whose element is older than a blink pays.
 */
async function settle() {
  await chat?.updateComplete;
  await afterFrame();
  await afterFrame();
  await sleep(300);
}

/** `chat.connect(id)`; resolves with the milliseconds it took. */
async function chatConnect(remoteId) {
  const start = performance.now();
  await chat.connect(remoteId);
  return performance.now() - start;
}

/** Writes the file ahead of a transfer, so that writing it is neither timed nor counted as memory. */
async function chatPrepareFile(size) {
  await fileOf(size);
}

/** `chat.sendFile(file, to)` of `size` bytes (to every peer without `to`); once it resolves, returns when it was called. */
async function chatSendFile(size, to) {
  const file = await fileOf(size);
  const start = now();
  await chat.sendFile(file, to);
  return start;
}

const chatProbe = () =>
  probe(
    (text) => chat.send(text),
    (prefix) =>
      next(chat, 'peer-chat-message', ({ detail }) => detail.direction === 'in' && detail.text.startsWith(prefix)).then(({ detail }) => detail.text),
  );

/** `count` probes one after another on an idle connection. */
async function chatProbeIdle(count) {
  const results = [];
  for (let index = 0; index < count; index++) results.push(await chatProbe());
  return results;
}

/** One probe to every connected peer; resolves with its one-way delay to each of the `peerCount` peers. */
async function chatProbeAll(peerCount) {
  const id = ++probes;
  const prefix = `echo ${id} `;
  const arrivals = new Promise((resolve) => {
    const times = [];
    const listener = ({ detail }) => {
      if (detail.direction !== 'in' || !detail.text.startsWith(prefix)) return;
      times.push(Number(detail.text.split(' ')[2]));
      if (times.length < peerCount) return;
      chat.removeEventListener('peer-chat-message', listener);
      resolve(times);
    };
    chat.addEventListener('peer-chat-message', listener);
  });
  const sent = now();
  chat.send(`probe ${id}`);
  return (await arrivals).map((arrived) => arrived - sent);
}

/** A chat message of typical length. */
const line = (index) => `message ${index}: a line of chat of about the usual length, with a few words.`;

/**
 * Sends `count` messages, `perSecond` at most (under the receiver's flood limit of 300
 * frames a second); `perSecond` 0 sends them all at once.
 */
async function chatSendMessages(count, perSecond) {
  const step = perSecond ? Math.max(1, perSecond / 10) : count;
  for (let index = 0; index < count; index++) {
    chat.send(line(index));
    if ((index + 1) % step === 0 && index + 1 < count) await sleep(100);
  }
}

/** Waits the way chatShown does, for `ms`: what it costs is subtracted as the idle baseline. */
async function poll(until) {
  while (!until()) await sleep(5);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The task after the next frame. */
const afterFrame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));

/**
 * Resolves once `count()` reached `total` and, after `rendered()`, a frame showed them, or after
 * `waitMs` (a long log renders slowly): with the count.
 */
async function shown(count, total, waitMs = 10_000, rendered = async () => {}) {
  const end = performance.now() + waitMs;
  await poll(() => count() >= total || performance.now() >= end);
  if (count() < total) return count();
  await rendered();
  await afterFrame();
  return count();
}

/** Resolves once this tab received `total` messages in all and has rendered them (see `shown`): with the number received. */
const chatShown = (total, waitMs) => shown(() => incoming, total, waitMs, () => chat.updateComplete);

/** Does nothing for `ms`, polling as chatShown does: the idle baseline of a main-thread cost. */
async function idle(ms) {
  const end = performance.now() + ms;
  await poll(() => performance.now() >= end);
  await afterFrame();
}

/** Puts the focus in the element's message input. */
function focusInput() {
  chat.shadowRoot.querySelector('[part~="input"]').focus();
}

let keyLatency = null;

/**
 * Starts waiting for the next key press; `keyLatency()` then resolves with how long it took
 * on the main thread: from the key event's time stamp until its handlers, any update of the
 * element and the style and layout that follow are done (not the wait for the next frame).
 */
function armKey() {
  keyLatency = new Promise((resolve) => {
    setTimeout(() => resolve(NaN), 10_000); // The key never came: no figure rather than a hang.
    chat.shadowRoot.querySelector('[part~="input"]').addEventListener(
      'keydown',
      (event) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = async () => {
          await chat.updateComplete;
          void chat.shadowRoot.querySelector('[part~="messages"]').scrollHeight; // style and layout, now
          resolve(performance.now() - event.timeStamp);
        };
        channel.port2.postMessage(null);
      },
      { once: true },
    );
  });
}

/** Sends a `size`-byte file, probing as the receiver reports progress. */
async function chatProbeDuringTransfer(size, fractions) {
  const file = await fileOf(size);
  let fraction = 0;
  const onProgress = ({ detail }) => {
    if (detail.direction === 'out') fraction = detail.bytes / detail.size;
  };
  chat.addEventListener('peer-chat-file-progress', onProgress);
  const transfer = chat.sendFile(file).finally(() => chat.removeEventListener('peer-chat-file-progress', onProgress));
  return probeDuring(transfer, () => fraction, fractions, chatProbe);
}

/** The route (`direct` or `relay`) of each of the element's peers. */
const chatRoutes = () => chat.peers.map((peer) => peer.route);

// ---- 4. what a verified, stored transfer costs at the least -----------------------------------

/**
 * The platform's own cost of what sendFile does beyond the bare channel, each alone, done as
 * plainly as the platform allows (bench/focus.mjs floor): `read`, the sender reads the file (a
 * stream, as the element does); `hash`, one side's block hash of every byte, in the element's
 * 512 KiB blocks (its own XXH64, from the npm entry in dist/esm); `write`, the receiver writes the bytes to a file of its origin's
 * private file system, in those blocks, through a worker's sync access handle (as the element's
 * storage worker does). Each resolves once done.
 */
const HASH_BLOCK = 512 * 1024;
const floor = {
  async read(size) {
    const reader = (await fileOf(size)).stream().getReader();
    while (!(await reader.read()).done);
  },
  async hash(size) {
    const { xxh64 } = await import('../dist/esm/transfers/xxh64.js');
    const bytes = block.subarray(0, HASH_BLOCK);
    for (let offset = 0; offset < size; offset += HASH_BLOCK) xxh64(bytes);
  },
  async write(size) {
    const program = `onmessage = async ({ data: { handle, size } }) => {
      const access = await handle.createSyncAccessHandle();
      const bytes = new Uint8Array(${HASH_BLOCK});
      for (let at = 0; at < size; at += bytes.byteLength) access.write(bytes, { at });
      access.close();
      postMessage('done');
    }`;
    const url = URL.createObjectURL(new Blob([program], { type: 'text/javascript' }));
    const worker = new Worker(url);
    const handle = await (await navigator.storage.getDirectory()).getFileHandle('bench-floor-write.bin', { create: true });
    worker.postMessage({ handle, size });
    await next(worker, 'message');
    worker.terminate();
    URL.revokeObjectURL(url);
  },
};

// ---- which process is this tab? --------------------------------------------------------------

/** Keeps this tab's renderer busy for `ms`, so that its process stands out by CPU time. */
function burn(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

window.bench = {
  expectBytes,
  arrival: () => arrival.done,
  bareOffer,
  bareAnswer,
  bareConnect,
  bareSend,
  bareProbeDuringTransfer,
  peerjsStart,
  peerjsConnect,
  peerjsSend,
  chatStart,
  settle,
  chatConnect,
  chatPrepareFile,
  chatSendFile,
  chatProbeIdle,
  chatProbeDuringTransfer,
  chatProbeAll,
  chatRoutes,
  floor: (operation, size) => floor[operation](size),
  chatSendMessages,
  chatShown,
  plainLogStart,
  plainLogSend,
  plainLogShown,
  plainLogStop,
  idle,
  focusInput,
  armKey,
  keyLatency: () => keyLatency,
  burn,
};
