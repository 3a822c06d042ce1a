/** Engines on the fake network with a fake clock: what the engine unit tests build on. */
import { ChatEngine, DEFAULT_PREFERENCES, type ChatPreferences, type ChatSettings } from '../../src/engine/engine.js';
import type { FetchJson } from '../../src/engine/ice-servers.js';
import * as persistence from '../../src/engine/persistence.js';
import type { ChatStore } from '../../src/engine/persistence.js';
import { TIMING } from '../../src/engine/peer-session.js';
import { encodeControl, type HelloFrame } from '../../src/engine/protocol.js';
import type { ChatEventDetails, ChatEventName } from '../../src/engine/types.js';
import { MemorySink, type FileSink } from '../../src/transfers/file-sink.js';
import * as fileTransfer from '../../src/transfers/file-transfer.js';
import * as iceServers from '../../src/engine/ice-servers.js';
import { FakeClock, settle } from './fake-clock.js';
import { FakeNetwork, handPeer, type FakeLink } from './fake-network.js';

export interface TestPeer {
  engine: ChatEngine;
  /** The registered id (the requested one, or the one the fake server assigned). */
  id: string;
  events: Array<{ name: ChatEventName; detail: unknown }>;
  of<K extends ChatEventName>(name: K): Array<ChatEventDetails[K]>;
  /** What its engine was started with. */
  settings: ChatSettings;
}

export type PeerOptions = Partial<ChatPreferences> & {
  openSink?: (size: number) => Promise<FileSink>;
  prevent?: ChatEventName[];
  /** Called with each event as the engine emits it (before it is recorded), as a page's listener. */
  onEvent?: (name: ChatEventName, detail: unknown) => void;
  iceServersUrl?: string;
  fetchJson?: FetchJson;
  store?: ChatStore;
  mesh?: boolean;
  /** How the file-transfer machinery loads (default: at once, from the module the test imported). */
  loadFileTransfer?: () => Promise<typeof fileTransfer>;
  /** How the `ice-servers-url` part loads (default: at once, from the module the test imported). */
  loadIceServers?: () => Promise<typeof iceServers>;
};

/** With a store, what writes to it loads at once, from the module the test imported. */
const loadPersistence = async () => persistence;

export interface TestWorld {
  clock: FakeClock;
  network: FakeNetwork;
  /** An engine registered as `id` (empty: the fake server assigns one); with `store`, a `persist`ing one. */
  peer(id: string, preferences?: PeerOptions): Promise<TestPeer>;
}

export function world(): TestWorld {
  const clock = new FakeClock();
  const network = new FakeNetwork();
  // Ids unique in the world, so a reloaded engine never repeats an id of its earlier life.
  let next = 1;
  return {
    clock,
    network,
    async peer(id, { openSink, prevent = [], onEvent, iceServersUrl = '', fetchJson, store, mesh = false, loadFileTransfer = async () => fileTransfer, loadIceServers = async () => iceServers, ...preferences } = {}) {
      const events: TestPeer['events'] = [];
      const engine = new ChatEngine({
        createSignaling: network.create,
        emit: (name, detail) => {
          onEvent?.(name, detail);
          events.push({ name, detail });
          return !prevent.includes(name);
        },
        changed: () => {},
        clock,
        randomId: () => `${id || 'anon'}-${next++}`,
        openSink: openSink ?? (async () => new MemorySink()),
        fetchJson,
        loadFileTransfer,
        loadIceServers,
        loadPersistence,
      });
      const connection = { host: 'signaling.test', port: 443, path: '/', key: 'peerjs', secure: true, peerId: id, iceServers: [], iceServersUrl, iceTransportPolicy: 'all' as const };
      const settings = { ...connection, ...DEFAULT_PREFERENCES, ...preferences };
      engine.setMesh(mesh);
      engine.start(settings, store);
      await settle();
      return {
        engine,
        settings,
        id: engine.peerId,
        events,
        of: <K extends ChatEventName>(name: K) => events.filter((event) => event.name === name).map((event) => event.detail as ChatEventDetails[K]),
      };
    },
  };
}

/** Lets what was sent so far arrive, and the acks held for a `read` to go with them (TIMING.ackHoldMs) go alone. */
export async function acknowledged(w: TestWorld): Promise<void> {
  await settle();
  await w.clock.advance(TIMING.ackHoldMs);
}

/** Connects `a` to `b` and lets the hello exchange finish. */
export async function connectPair(a: TestPeer, b: TestPeer): Promise<void> {
  await a.engine.connect(b.id);
  await settle();
}

/** A fresh world with `alice` and `bob`, default preferences, connected: the setup most engine tests start from. */
export async function connectedPair(): Promise<{ w: TestWorld; alice: TestPeer; bob: TestPeer }> {
  const w = world();
  const alice = await w.peer('alice');
  const bob = await w.peer('bob');
  await connectPair(alice, bob);
  return { w, alice, bob };
}

/**
 * `from` dials `id`, an endpoint the test speaks for by hand, which answers with `hello`: its
 * links (the far end of each dial to it, the first one now connected) and what it heard there.
 */
export async function dialHandPeer(w: TestWorld, from: TestPeer, id: string, hello: HelloFrame): Promise<{ links: FakeLink[]; heard: unknown[] }> {
  const links = handPeer(w.network, id);
  const connected = from.engine.connect(id);
  await settle();
  const heard: unknown[] = [];
  links[0].listener = { onOpen() {}, onControl: (data) => heard.push(data), onBulk() {}, onClose() {} };
  links[0].sendControl(encodeControl(hello));
  await connected;
  return { links, heard };
}
