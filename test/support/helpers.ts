/** Shared helpers for the browser tests: real signaling servers, real elements, real events. */
import { fixture, html } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
// The shipped bundle (npm test builds it first): the tests exercise exactly what pages load.
import '../../dist/peer-chat.js';
import type { PeerChat } from '../../src/peer-chat.js';
import type { PeerChatEventDetails, PeerChatEventName } from '../../src/events.js';
import type { Peer as PeerClass } from 'peerjs';

/**
 * The stock PeerJS client, as a plain app loads it: its browser build, by script tag.
 * (Its ES build needs a bundler: a dependency is CommonJS.)
 */
export async function loadPeerJs(): Promise<typeof PeerClass> {
  const global = window as unknown as { peerjs?: { Peer: typeof PeerClass } };
  if (!global.peerjs) {
    const script = document.createElement('script');
    script.src = '/node_modules/peerjs/dist/peerjs.min.js';
    await new Promise((resolve, reject) => {
      script.onload = resolve;
      script.onerror = () => reject(new Error('could not load peerjs.min.js'));
      document.head.append(script);
    });
  }
  return global.peerjs!.Peer;
}

/** A stock PeerJS client registered on the test signaling server, host candidates only. */
export async function plainPeer(port: number): Promise<PeerClass> {
  const Peer = await loadPeerJs();
  const peer = new Peer({ host: '127.0.0.1', port, path: '/peerjs', config: { iceServers: [] }, debug: 0 });
  await new Promise((resolve, reject) => {
    peer.once('open', resolve);
    peer.once('error', reject);
  });
  return peer;
}

export async function startSignaling(port = 0): Promise<number> {
  // The Node `peer` server at the script's default address, which the far test host can reach too.
  const result = await executeServerCommand<{ port: number }, { kind: 'node'; port: number; host: null }>('server-start', { kind: 'node', port, host: null });
  return result!.port;
}

export async function stopSignaling(port: number): Promise<void> {
  await executeServerCommand('server-stop', { port });
}

/** Resolves with the detail of the next `name` event on `target` that matches `accept`. */
export function nextEvent<K extends PeerChatEventName>(
  target: EventTarget,
  name: K,
  accept: (detail: PeerChatEventDetails[K]) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<PeerChatEventDetails[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      target.removeEventListener(name, listener);
      reject(new Error(`no ${name} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (event: Event) => {
      const detail = (event as CustomEvent<PeerChatEventDetails[K]>).detail;
      if (!accept(detail)) return;
      clearTimeout(timer);
      target.removeEventListener(name, listener);
      resolve(detail);
    };
    target.addEventListener(name, listener);
  });
}

/** Collects every `name` event fired on `target` from now on. */
export function collect<K extends PeerChatEventName>(target: EventTarget, name: K): Array<PeerChatEventDetails[K]> {
  const seen: Array<PeerChatEventDetails[K]> = [];
  target.addEventListener(name, (event) => seen.push((event as CustomEvent<PeerChatEventDetails[K]>).detail));
  return seen;
}

export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const start = performance.now();
  while (!(await condition())) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface ChatOptions {
  name?: string;
  peerId?: string;
  acceptFiles?: string;
  maxFileSize?: string;
  /** Where to put the element (default: a fresh fixture). */
  parent?: HTMLElement;
}

/** A registered `<peer-chat>` on the given signaling server, host candidates only. */
export async function createChat(port: number, options: ChatOptions = {}): Promise<PeerChat> {
  const container = options.parent ?? (await fixture<HTMLDivElement>(html`<div></div>`));
  const chat = document.createElement('peer-chat');
  chat.setAttribute('host', '127.0.0.1');
  chat.setAttribute('port', String(port));
  chat.setAttribute('ice-servers', '[]');
  if (options.name) chat.setAttribute('name', options.name);
  if (options.peerId) chat.setAttribute('peer-id', options.peerId);
  if (options.acceptFiles) chat.setAttribute('accept-files', options.acceptFiles);
  if (options.maxFileSize) chat.setAttribute('max-file-size', options.maxFileSize);
  const ready = nextEvent(chat, 'peer-chat-ready');
  container.append(chat);
  await ready;
  return chat;
}

/** Connects `a` to `b` and waits until both see each other. */
export async function pair(a: PeerChat, b: PeerChat): Promise<void> {
  const seenByB = nextEvent(b, 'peer-chat-connect', (detail) => detail.peerId === a.peerId);
  await a.connect(b.peerId);
  await seenByB;
}

/**
 * `from` sends `total` messages ("message 1", …) to `to` in bursts of 20 (under the receiver's
 * flood limit, and each taller than the log); resolves once `to` has them all and has rendered.
 */
export async function sendInBursts(from: PeerChat, to: PeerChat, total: number): Promise<void> {
  for (let i = 1; i <= total; i++) {
    void from.send(`message ${i}`);
    if (i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await until(() => to.messages.length === total, `all ${total} messages`);
  await to.updateComplete;
}

export function part(chat: PeerChat, name: string): HTMLElement {
  const element = chat.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
  if (!element) throw new Error(`no part "${name}"`);
  return element;
}

export function parts(chat: PeerChat, name: string): HTMLElement[] {
  return [...chat.shadowRoot!.querySelectorAll<HTMLElement>(`[part~="${name}"]`)];
}

/** Deterministic pseudo-random bytes, so a corrupted byte anywhere shows. */
export function patternBytes(size: number, seed = 1): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

export async function sameBytes(file: Blob, expected: Uint8Array): Promise<boolean> {
  const actual = new Uint8Array(await file.arrayBuffer());
  if (actual.byteLength !== expected.byteLength) return false;
  for (let i = 0; i < actual.byteLength; i++) if (actual[i] !== expected[i]) return false;
  return true;
}
