/**
 * The PeerJS signaling protocol, as the `peer` npm package 1.0.x speaks it, checked with the same
 * assertions against both servers: the Node `peer` server and the ASP.NET one (aspnet/PeerSignaling,
 * hosted by demo/aspnet), and a cluster of two demo/aspnet instances sharing one Redis (the
 * PeerChat.AspNetCore.Redis backplane) where each new client goes to the next instance, so every exchange
 * between two clients crosses instances. Clients are the browser's own WebSocket and fetch, and the stock
 * `peerjs` client. Where the two servers legitimately differ (hostile input: ASP.NET answers ERROR and closes
 * the socket, Node ignores the frame), the assertions are the contract both keep: the bad client's
 * frame reaches nobody, it is either told ERROR and closed or left alone, and every other client
 * goes on as before.
 */
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type { DataConnection, Peer, PeerError, PeerOptions } from 'peerjs';
import { loadPeerJs } from '../support/helpers.js';

type Kind = 'node' | 'aspnet' | 'cluster';

interface ServerOptions {
  kind: Kind;
  expireTimeout?: number;
  aliveTimeout?: number;
  concurrentLimit?: number;
  allowDiscovery?: boolean;
}

/** A started server: `port` names it; `ports` are its instances (one, except for a cluster). */
interface Started {
  port: number;
  ports: number[];
}

async function startServer(options: ServerOptions): Promise<Started> {
  return (await executeServerCommand<Started, ServerOptions>('server-start', options))!;
}

/** The port for the next client: each new client goes to the next instance, as round robin would. */
type NextPort = () => number;

function roundRobin(ports: number[]): NextPort {
  let turn = 0;
  return () => ports[turn++ % ports.length];
}

async function stopServer(port: number): Promise<void> {
  await executeServerCommand('server-stop', { port });
}

/** A server frame, as received. */
interface Frame {
  type: string;
  src?: string;
  dst?: string;
  payload?: unknown;
  [extra: string]: unknown;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
let counter = 0;
/** A fresh id, unique in this run. */
const fresh = (label: string) => `${label}-${Date.now().toString(36)}-${++counter}`;

/** A raw PeerJS-protocol WebSocket client that records every frame and the close. */
class RawClient {
  readonly messages: Frame[] = [];
  closed: CloseEvent | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly socket: WebSocket,
    readonly id: string,
    readonly port: number,
  ) {
    socket.addEventListener('message', (event) => {
      this.messages.push(JSON.parse(String(event.data)) as Frame);
      this.wake();
    });
    socket.addEventListener('close', (event) => {
      this.closed = event;
      this.wake();
    });
  }

  /** Opens a socket with exactly these query parameters (undefined ones are left out). */
  static connect(port: number, params: { key?: string; id?: string; token?: string }): RawClient {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) if (value !== undefined) query.set(name, value);
    return new RawClient(new WebSocket(`ws://127.0.0.1:${port}/peerjs/peerjs?${query}`), params.id ?? '', port);
  }

  /** Registers `id` and waits for OPEN. */
  static async register(port: number, id = fresh('raw'), token = `token-${id}`): Promise<RawClient> {
    const client = RawClient.connect(port, { key: 'peerjs', id, token });
    await client.until((c) => c.messages.length > 0 || c.closed !== undefined, `OPEN for ${id}`);
    expect(client.messages, `registration of ${id}`).to.deep.equal([{ type: 'OPEN' }]);
    return client;
  }

  get open(): boolean {
    return this.closed === undefined && this.socket.readyState === WebSocket.OPEN;
  }

  /** Frames after the first `skip`; OPEN is the first frame of a registered client. */
  after(skip: number): Frame[] {
    return this.messages.slice(skip);
  }

  send(frame: object | string | ArrayBuffer): void {
    this.socket.send(typeof frame === 'string' || frame instanceof ArrayBuffer ? frame : JSON.stringify(frame));
  }

  /** Resolves when `condition` holds; rejects after `timeoutMs`. */
  until(condition: (client: this) => boolean, what: string, timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition(this)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(this.messages)}, closed: ${this.closed?.code}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Waits for the `count`-th frame (counting OPEN). */
  frame(count: number, what: string, timeoutMs = 5000): Promise<Frame> {
    return this.until((c) => c.messages.length >= count, what, timeoutMs).then(() => this.messages[count - 1]);
  }

  closedWithin(timeoutMs: number): Promise<boolean> {
    return this.until((c) => c.closed !== undefined, 'close', timeoutMs).then(
      () => true,
      () => false,
    );
  }

  close(): void {
    if (this.socket.readyState <= WebSocket.OPEN) this.socket.close();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/**
 * The contract both servers keep for a frame they will not act on: ASP.NET answers with one ERROR
 * and closes the socket; Node ignores the frame and keeps the socket. Nothing else may happen.
 */
async function expectRefusedOrIgnored(bad: RawClient, framesBefore: number, what: string): Promise<'error-and-close' | 'ignored'> {
  let closed = await bad.closedWithin(1500);
  // An answer came but the close is late (a busy machine): give the close more time.
  if (!closed && bad.messages.length > framesBefore) closed = await bad.closedWithin(5000);
  const answers = bad.after(framesBefore);
  if (closed) {
    expect(answers, `${what}: a closed bad client was told why`).to.have.length(1);
    expect(answers[0].type, what).to.equal('ERROR');
    expect((answers[0].payload as { msg?: unknown }).msg, what).to.be.a('string').and.not.empty;
    return 'error-and-close';
  }
  expect(answers, `${what}: an ignored frame gets no answer`).to.deep.equal([]);
  expect(bad.open, `${what}: an ignored client keeps its socket`).to.equal(true);
  return 'ignored';
}

/**
 * Registers `id` once the server has let go of it (a closed socket is noticed a moment later):
 * retries while the answer is ID-TAKEN or ERROR, up to `timeoutMs`. Returns the last attempt.
 */
async function registerOnceFree(port: number, params: { id: string; token: string }, own: RawClient[], timeoutMs = 10_000): Promise<RawClient> {
  const start = performance.now();
  for (;;) {
    const attempt = RawClient.connect(port, { key: 'peerjs', ...params });
    own.push(attempt);
    await attempt.until((c) => c.messages.length > 0 || c.closed !== undefined, `an answer for ${params.id}`);
    if (attempt.messages[0]?.type === 'OPEN' || performance.now() - start > timeoutMs) return attempt;
    await sleep(100);
  }
}

/** Other clients are unaffected: a fresh pair registers and relays both ways at once. */
async function expectServerHealthy(next: NextPort, bystanders: RawClient[] = []): Promise<void> {
  const a = await RawClient.register(next());
  const b = await RawClient.register(next());
  a.send({ type: 'OFFER', dst: b.id, payload: { probe: 1 } });
  expect(await b.frame(2, 'a relay after the bad input', 3000)).to.deep.equal({ type: 'OFFER', src: a.id, dst: b.id, payload: { probe: 1 } });
  for (const bystander of bystanders) {
    expect(bystander.open, `bystander ${bystander.id} still connected`).to.equal(true);
    const before = bystander.messages.length;
    a.send({ type: 'CANDIDATE', dst: bystander.id, payload: { probe: 2 } });
    expect(await bystander.frame(before + 1, `relay to bystander ${bystander.id}`, 3000)).to.deep.equal({
      type: 'CANDIDATE',
      src: a.id,
      dst: bystander.id,
      payload: { probe: 2 },
    });
  }
  a.close();
  b.close();
}

/** The stock peerjs client, as a plain app would create it (host candidates only). */
async function stockPeer(port: number, id?: string, options: PeerOptions = {}): Promise<Peer> {
  const PeerClass = await loadPeerJs();
  const settings: PeerOptions = { host: '127.0.0.1', port, path: '/peerjs', config: { iceServers: [] }, debug: 0, ...options };
  return id === undefined ? new PeerClass(settings) : new PeerClass(id, settings);
}

function peerOpened(peer: Peer, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('peerjs: no open')), timeoutMs);
    peer.once('open', (id) => {
      clearTimeout(timer);
      resolve(id);
    });
    peer.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function peerError(peer: Peer, timeoutMs = 15_000): Promise<PeerError<string>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('peerjs: no error event')), timeoutMs);
    peer.once('error', (error) => {
      clearTimeout(timer);
      resolve(error);
    });
  });
}

function connectionOpened(connection: DataConnection, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`data connection to ${connection.peer} did not open`)), timeoutMs);
    connection.once('open', () => {
      clearTimeout(timer);
      resolve();
    });
    connection.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function nextData(connection: DataConnection, timeoutMs = 10_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no data')), timeoutMs);
    connection.once('data', (data) => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}

/** The expire timeout both servers get in this suite (the default, 5 s, would only make it slower). */
const EXPIRE_MS = 2000;

for (const kind of ['node', 'aspnet', 'cluster'] as const) {
  describe(`signaling conformance: ${kind} server`, function () {
    this.timeout(60_000);
    let server: Started;
    let next: NextPort;
    let base: string;
    const clients: RawClient[] = [];
    const peers: Peer[] = [];
    /** Registers a raw client that is closed after the test. */
    const register = async (id?: string, token?: string) => {
      const client = await RawClient.register(next(), id, token);
      clients.push(client);
      return client;
    };
    const connect = (params: { key?: string; id?: string; token?: string }) => {
      const client = RawClient.connect(next(), params);
      clients.push(client);
      return client;
    };
    const peer = async (id?: string, options?: PeerOptions) => {
      const created = await stockPeer(next(), id, options);
      peers.push(created);
      return created;
    };

    before(async () => {
      server = await startServer({ kind, expireTimeout: EXPIRE_MS });
      base = `http://127.0.0.1:${server.port}/peerjs`;
    });
    beforeEach(() => {
      // Every test starts on the first instance: its first two clients are on different instances.
      next = roundRobin(server.ports);
    });
    afterEach(() => {
      for (const client of clients.splice(0)) client.close();
      for (const created of peers.splice(0)) created.destroy();
    });
    after(async () => {
      await stopServer(server.port);
    });

    describe('HTTP', () => {
      it('GET {path}/ describes the server as JSON', async () => {
        const response = await fetch(`${base}/`);
        expect(response.status).to.equal(200);
        expect(response.headers.get('content-type')).to.equal('application/json; charset=utf-8');
        expect(await response.json()).to.deep.equal({
          name: 'PeerJS Server',
          description: 'A server side element to broker connections between PeerJS clients.',
          website: 'https://peerjs.com/',
        });
      });

      it('GET {path}/{key}/id hands out a fresh UUID each time, as text/html', async () => {
        const first = await fetch(`${base}/peerjs/id?ts=${Date.now()}`);
        expect(first.status).to.equal(200);
        expect(first.headers.get('content-type')).to.equal('text/html; charset=utf-8');
        const one = await first.text();
        const two = await (await fetch(`${base}/peerjs/id?ts=${Date.now()}.2`)).text();
        expect(one).to.match(uuid);
        expect(two).to.match(uuid);
        expect(one).to.not.equal(two);
      });

      it('GET {path}/{key}/peers is 401 Unauthorized without discovery', async () => {
        await register();
        const response = await fetch(`${base}/peerjs/peers`);
        expect(response.status).to.equal(401);
        expect(await response.text()).to.equal('Unauthorized');
      });

      it('allows cross-origin requests from any origin, preflight included (CORS, checked by the browser)', async () => {
        expect(location.origin).to.not.equal(new URL(base).origin);
        // A CORS request: the browser only hands the body over if Access-Control-Allow-Origin matches this page.
        const simple = await fetch(`${base}/peerjs/id`, { mode: 'cors' });
        expect(await simple.text()).to.match(uuid);
        // A custom header makes the browser send a preflight first; it only proceeds if the server approves it.
        const preflighted = await fetch(`${base}/peerjs/id`, { mode: 'cors', headers: { 'X-Peer-Chat-Test': '1' } });
        expect(preflighted.status).to.equal(200);
        expect(await preflighted.text()).to.match(uuid);
        const info = await fetch(`${base}/`, { mode: 'cors', headers: { 'X-Peer-Chat-Test': '1' } });
        expect((await info.json()).name).to.equal('PeerJS Server');
      });
    });

    describe('registration', () => {
      it('answers OPEN, and nothing else, to a fresh id', async () => {
        const client = await register();
        await sleep(300);
        expect(client.messages).to.deep.equal([{ type: 'OPEN' }]);
        expect(client.open).to.equal(true);
      });

      for (const [name, params] of [
        ['no id', { key: 'peerjs', token: 't' }],
        ['no token', { key: 'peerjs', id: 'no-token' }],
        ['no key', { id: 'no-key', token: 't' }],
        ['an empty id', { key: 'peerjs', id: '', token: 't' }],
      ] as const) {
        it(`answers ERROR and closes for ${name}`, async () => {
          const client = connect(params);
          expect(await client.closedWithin(5000)).to.equal(true);
          expect(client.messages).to.deep.equal([{ type: 'ERROR', payload: { msg: 'No id, token, or key supplied to websocket server' } }]);
        });
      }

      it('answers ERROR and closes for a wrong key', async () => {
        const client = connect({ key: 'not-the-key', id: fresh('wrong-key'), token: 't' });
        expect(await client.closedWithin(5000)).to.equal(true);
        expect(client.messages).to.deep.equal([{ type: 'ERROR', payload: { msg: 'Invalid key provided' } }]);
      });

      it('answers ERROR and closes for an id over 64 characters, and takes one of exactly 64', async () => {
        const tooLong = connect({ key: 'peerjs', id: 'x'.repeat(65), token: 't' });
        expect(await tooLong.closedWithin(5000)).to.equal(true);
        expect(tooLong.messages).to.deep.equal([{ type: 'ERROR', payload: { msg: 'ID is too long' } }]);
        const longest = await register(fresh('max').padEnd(64, 'x'));
        expect(longest.id).to.have.length(64);
      });

      it('answers ID-TAKEN and closes for a registered id with another token; the holder is unaffected', async () => {
        const holder = await register();
        const intruder = connect({ key: 'peerjs', id: holder.id, token: 'another-token' });
        expect(await intruder.closedWithin(5000)).to.equal(true);
        expect(intruder.messages).to.deep.equal([{ type: 'ID-TAKEN', payload: { msg: 'ID is taken' } }]);
        expect(holder.open).to.equal(true);
        await expectServerHealthy(next, [holder]);
      });

      it('frees an id when its socket closes', async () => {
        const first = await register();
        first.close();
        await first.until((c) => c.closed !== undefined, 'close');
        // The server sees the close a moment later; then the id is anyone's.
        const again = await registerOnceFree(next(), { id: first.id, token: 'a-new-token' }, clients);
        expect(again.messages).to.deep.equal([{ type: 'OPEN' }]);
      });

      it('lets the same id and token reconnect: no OPEN, and messages go to the new socket only', async () => {
        const sender = await register();
        const original = await register();
        // On the original's instance. In a cluster, another instance answers OPEN instead: it has no record
        // of the client, and peerjs waits for OPEN after its instance died (docs/scale-out.md).
        const replacement = RawClient.connect(original.port, { key: 'peerjs', id: original.id, token: `token-${original.id}` });
        clients.push(replacement);
        await new Promise((resolve) => replacement.socket.addEventListener('open', resolve, { once: true }));
        await sleep(300);
        expect(replacement.messages, 'nothing on the new socket: no OPEN, no ID-TAKEN').to.deep.equal([]);
        expect(replacement.open).to.equal(true);

        const before = original.messages.length;
        sender.send({ type: 'OFFER', dst: original.id, payload: { to: 'the new socket' } });
        expect(await replacement.frame(1, 'the relay on the new socket')).to.deep.equal({
          type: 'OFFER',
          src: sender.id,
          dst: original.id,
          payload: { to: 'the new socket' },
        });
        await sleep(200);
        // (Node keeps the replaced socket open but deaf; ASP.NET closes it. Neither delivers to it.)
        expect(original.after(before)).to.deep.equal([]);

        // The new socket speaks for the id.
        replacement.send({ type: 'ANSWER', dst: sender.id, payload: { from: 'the new socket' } });
        expect(await sender.frame(2, 'the answer')).to.deep.equal({
          type: 'ANSWER',
          src: original.id,
          dst: sender.id,
          payload: { from: 'the new socket' },
        });
      });

      it('refuses clients over the concurrent limit with ERROR, and lists ids when discovery is on', async () => {
        const limited = await startServer({ kind, concurrentLimit: 2, allowDiscovery: true });
        // The limit is per instance: the clients go to the first; the list is asked of the last (in a
        // cluster, another instance, which lists the ids of every instance).
        const [limitedPort, listingPort] = [limited.ports[0], limited.ports.at(-1)!];
        const own: RawClient[] = [];
        try {
          own.push(await RawClient.register(limitedPort, fresh('first')));
          own.push(await RawClient.register(limitedPort, fresh('second')));
          const peersResponse = await fetch(`http://127.0.0.1:${listingPort}/peerjs/peerjs/peers`);
          expect(peersResponse.status).to.equal(200);
          expect(((await peersResponse.json()) as string[]).sort()).to.deep.equal(own.map((c) => c.id).sort());

          const third = RawClient.connect(limitedPort, { key: 'peerjs', id: fresh('third'), token: 't' });
          own.push(third);
          expect(await third.closedWithin(5000)).to.equal(true);
          expect(third.messages).to.deep.equal([{ type: 'ERROR', payload: { msg: 'Server has reached its concurrent user limit' } }]);
          expect(own[0].open && own[1].open).to.equal(true);

          // A place frees up when a client leaves.
          own[0].close();
          const fourth = await registerOnceFree(limitedPort, { id: fresh('fourth'), token: 't' }, own);
          expect(fourth.messages).to.deep.equal([{ type: 'OPEN' }]);
          const listed = (await (await fetch(`http://127.0.0.1:${listingPort}/peerjs/peerjs/peers`)).json()) as string[];
          expect(listed.sort()).to.deep.equal([own[1].id, fourth.id].sort());
        } finally {
          for (const client of own) client.close();
          await stopServer(limited.port);
        }
      });
    });

    describe('HEARTBEAT and the alive timeout', () => {
      it('keeps clients that send HEARTBEAT, drops silent ones and frees their ids', async () => {
        const aliveMs = 1500;
        const short = await startServer({ kind, aliveTimeout: aliveMs });
        const nextShort = roundRobin(short.ports);
        const beating = await RawClient.register(nextShort(), fresh('beating'));
        const silent = await RawClient.register(nextShort(), fresh('silent'));
        const heartbeat = setInterval(() => beating.send({ type: 'HEARTBEAT' }), 400);
        try {
          const start = performance.now();
          expect(await silent.closedWithin(aliveMs + 4000), 'the silent client is dropped').to.equal(true);
          expect(performance.now() - start).to.be.greaterThan(aliveMs - 300);
          // HEARTBEAT is never answered, and keeps its sender registered well past the timeout.
          await sleep(Math.max(0, 2 * aliveMs - (performance.now() - start)));
          expect(beating.open).to.equal(true);
          expect(beating.messages).to.deep.equal([{ type: 'OPEN' }]);
          // The dropped id is free again; the live one is still taken.
          const reuse = await RawClient.register(nextShort(), silent.id, 'another-token');
          reuse.close();
          const intruder = RawClient.connect(nextShort(), { key: 'peerjs', id: beating.id, token: 'another-token' });
          expect(await intruder.closedWithin(5000)).to.equal(true);
          expect(intruder.messages).to.deep.equal([{ type: 'ID-TAKEN', payload: { msg: 'ID is taken' } }]);
        } finally {
          clearInterval(heartbeat);
          beating.close();
          await stopServer(short.port);
        }
      });
    });

    describe('relay', () => {
      it('relays OFFER, ANSWER, CANDIDATE and LEAVE with src set by the server and only type, src, dst, payload', async () => {
        const a = await register();
        const b = await register();
        a.send({ type: 'OFFER', src: 'mallory', dst: b.id, payload: { sdp: 'v=0', connectionId: 'dc_1', n: [1, 2] }, extra: 'dropped' });
        expect(await b.frame(2, 'OFFER')).to.deep.equal({ type: 'OFFER', src: a.id, dst: b.id, payload: { sdp: 'v=0', connectionId: 'dc_1', n: [1, 2] } });
        b.send({ type: 'ANSWER', src: a.id, dst: a.id, payload: { sdp: 'answer' } });
        expect(await a.frame(2, 'ANSWER')).to.deep.equal({ type: 'ANSWER', src: b.id, dst: a.id, payload: { sdp: 'answer' } });
        a.send({ type: 'CANDIDATE', dst: b.id, payload: { candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host', sdpMid: '0' } });
        expect(await b.frame(3, 'CANDIDATE')).to.deep.equal({
          type: 'CANDIDATE',
          src: a.id,
          dst: b.id,
          payload: { candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host', sdpMid: '0' },
        });
        a.send({ type: 'LEAVE', dst: b.id });
        expect(await b.frame(4, 'LEAVE')).to.deep.equal({ type: 'LEAVE', src: a.id, dst: b.id });
        // EXPIRE sent by a client is relayed like the others, src set by the server as well.
        b.send({ type: 'EXPIRE', src: 'server', dst: a.id });
        expect(await a.frame(3, 'EXPIRE')).to.deep.equal({ type: 'EXPIRE', src: b.id, dst: a.id });
        await sleep(200);
        expect(a.messages).to.have.length(3);
        expect(b.messages).to.have.length(4);
      });

      it('never lets a client pose as another: src is always the registered id', async () => {
        const victim = await register();
        const liar = await register();
        const watcher = await register();
        liar.send({ type: 'OFFER', src: victim.id, dst: watcher.id, payload: { forged: true } });
        liar.send({ type: 'CANDIDATE', dst: watcher.id, payload: { forged: true }, src: victim.id, type2: 'x' });
        liar.send({ type: 'CANDIDATE', dst: liar.id, src: victim.id, payload: { self: true } });
        await watcher.until((c) => c.messages.length >= 3, 'two relays');
        await liar.until((c) => c.messages.length >= 2, 'the relay to itself');
        for (const frame of [...watcher.after(1), ...liar.after(1)]) expect(frame.src).to.equal(liar.id);
        expect(victim.messages).to.deep.equal([{ type: 'OPEN' }]);
      });

      it('answers HEARTBEAT with nothing and relays it to no one', async () => {
        const a = await register();
        const b = await register();
        a.send({ type: 'HEARTBEAT' });
        a.send({ type: 'HEARTBEAT', dst: b.id, payload: { relayed: 'never' } });
        await sleep(500);
        expect(a.messages).to.deep.equal([{ type: 'OPEN' }]);
        expect(b.messages).to.deep.equal([{ type: 'OPEN' }]);
        expect(a.open && b.open).to.equal(true);
      });

      it('LEAVE without dst unregisters the sender: its id is free for anyone', async () => {
        const leaving = await register();
        leaving.send({ type: 'LEAVE' });
        const taker = await registerOnceFree(next(), { id: leaving.id, token: 'someone-else' }, clients);
        expect(taker.messages).to.deep.equal([{ type: 'OPEN' }]);
      });
    });

    describe('messages for a peer that is not connected', () => {
      it('are queued and delivered in order, right after OPEN, when the peer connects', async () => {
        const a = await register();
        const later = fresh('later');
        a.send({ type: 'OFFER', dst: later, payload: { n: 1 } });
        a.send({ type: 'CANDIDATE', dst: later, payload: { n: 2 } });
        a.send({ type: 'CANDIDATE', dst: later, payload: { n: 3 } });
        // LEAVE and EXPIRE are not worth keeping for an absent peer: neither server queues them.
        a.send({ type: 'LEAVE', dst: later });
        await sleep(300);
        const c = connect({ key: 'peerjs', id: later, token: 't' });
        await c.until((client) => client.messages.length >= 4, 'OPEN and the queued messages');
        await sleep(300);
        expect(c.messages).to.deep.equal([
          { type: 'OPEN' },
          { type: 'OFFER', src: a.id, dst: later, payload: { n: 1 } },
          { type: 'CANDIDATE', src: a.id, dst: later, payload: { n: 2 } },
          { type: 'CANDIDATE', src: a.id, dst: later, payload: { n: 3 } },
        ]);
        expect(a.messages).to.deep.equal([{ type: 'OPEN' }]);
      });

      it(`are answered with one EXPIRE per sender after the expire timeout (${EXPIRE_MS} ms), then forgotten`, async () => {
        const a = await register();
        const b = await register();
        const never = fresh('never');
        const sentAt = performance.now();
        a.send({ type: 'OFFER', dst: never, payload: {} });
        a.send({ type: 'CANDIDATE', dst: never, payload: {} });
        b.send({ type: 'OFFER', dst: never, payload: {} });
        await a.until((c) => c.messages.length >= 2, 'EXPIRE', EXPIRE_MS + 6000);
        const elapsed = performance.now() - sentAt;
        expect(a.messages[1]).to.deep.equal({ type: 'EXPIRE', src: never, dst: a.id });
        // Both servers check once a second: EXPIRE comes between the timeout and a check later.
        expect(elapsed).to.be.greaterThan(EXPIRE_MS - 100);
        expect(elapsed).to.be.lessThan(EXPIRE_MS + 1000 + 4000);
        expect(await b.frame(2, 'EXPIRE for b')).to.deep.equal({ type: 'EXPIRE', src: never, dst: b.id });
        await sleep(1500);
        expect(a.messages, 'one EXPIRE for the pair, not one per message').to.have.length(2);
        // The expired messages are gone: the peer connecting now gets OPEN only.
        const late = await register(never, 't');
        await sleep(300);
        expect(late.messages).to.deep.equal([{ type: 'OPEN' }]);
      });
    });

    describe('hostile input', () => {
      const cases: Array<[string, (victim: string) => string | ArrayBuffer]> = [
        ['malformed JSON', (victim) => `{"type":"OFFER","dst":"${victim}",`],
        ['a JSON array', (victim) => JSON.stringify([{ type: 'OFFER', dst: victim }])],
        ['a JSON string', () => JSON.stringify('OFFER')],
        ['an unknown type', (victim) => JSON.stringify({ type: 'BOGUS', dst: victim, payload: {} })],
        ['a type that only servers send', (victim) => JSON.stringify({ type: 'OPEN', dst: victim })],
        ['a message without type', (victim) => JSON.stringify({ dst: victim, payload: {} })],
        ['binary garbage', () => new Uint8Array([0xff, 0xfe, 0x00, 0x7b, 0x80]).buffer],
      ];
      for (const [name, make] of cases) {
        it(`${name}: reaches no one; the sender is refused or ignored; others are unaffected`, async () => {
          const victim = await register();
          const bad = await register();
          bad.send(make(victim.id));
          await expectRefusedOrIgnored(bad, 1, name);
          expect(victim.messages, 'nothing reached the victim').to.deep.equal([{ type: 'OPEN' }]);
          await expectServerHealthy(next, [victim]);
        });
      }

      it('an oversized frame (200 KiB) is either refused, or relayed intact with the true src; others are unaffected', async () => {
        const victim = await register();
        const bad = await register();
        const payload = 'x'.repeat(200 * 1024);
        bad.send({ type: 'OFFER', src: victim.id, dst: victim.id, payload });
        await Promise.race([bad.closedWithin(5000), victim.frame(2, 'the big relay').catch(() => undefined)]);
        await sleep(300);
        if (bad.closed) {
          // ASP.NET: MaxMessageBytes (64 KiB) → ERROR, close.
          expect(bad.after(1).map((frame) => frame.type)).to.deep.equal(['ERROR']);
          expect(victim.messages).to.deep.equal([{ type: 'OPEN' }]);
        } else {
          // Node: no size limit below ws's 100 MiB.
          await victim.frame(2, 'the big relay');
          expect(victim.messages[1]).to.deep.equal({ type: 'OFFER', src: bad.id, dst: victim.id, payload });
        }
        await expectServerHealthy(next, [victim]);
      });

      it('a flood of 1000 frames leaves everyone else served promptly, and nothing is spoofed', async () => {
        const victim = await register();
        const bystander = await register();
        const flooder = await register();
        for (let i = 0; i < 1000; i++) flooder.send({ type: 'CANDIDATE', src: bystander.id, dst: victim.id, payload: { i } });
        const start = performance.now();
        await expectServerHealthy(next, [bystander]);
        expect(performance.now() - start, 'others served within seconds').to.be.lessThan(5000);
        await sleep(500);
        // ASP.NET's rate limit stops the flooder part way (ERROR, close); Node relays all 1000.
        const relayed = victim.after(1);
        expect(relayed.length).to.be.at.most(1000);
        relayed.forEach((frame, index) => expect(frame).to.deep.equal({ type: 'CANDIDATE', src: flooder.id, dst: victim.id, payload: { i: index } }));
        if (flooder.closed) expect(flooder.after(1).map((frame) => frame.type)).to.deep.equal(['ERROR']);
        else expect(relayed).to.have.length(1000);
        expect(bystander.messages.filter((frame) => frame.payload && (frame.payload as { i?: number }).i !== undefined)).to.deep.equal([]);
        expect(victim.open).to.equal(true);
      });
    });

    describe('the stock peerjs client', () => {
      it('gets an id from the server and opens; a second client with that id gets unavailable-id', async () => {
        const first = await peer();
        const id = await peerOpened(first);
        expect(id).to.match(uuid);
        expect(first.id).to.equal(id);
        const second = await peer(id);
        const error = await peerError(second);
        expect(error.type).to.equal('unavailable-id');
        expect(first.disconnected).to.equal(false);
      });

      it('reports the server\u2019s ERROR for a wrong key', async () => {
        const wrong = await peer(fresh('wrong-key'), { key: 'not-the-key' });
        const error = await peerError(wrong);
        expect(error.type).to.equal('server-error');
        expect(error.message).to.contain('Invalid key provided');
      });

      it('two clients open a real data connection through the server and exchange data both ways', async () => {
        const alice = await peer(fresh('alice'));
        const bob = await peer(fresh('bob'));
        await Promise.all([peerOpened(alice), peerOpened(bob)]);
        const incoming = new Promise<DataConnection>((resolve) => bob.once('connection', resolve));
        const outgoing = alice.connect(bob.id, { reliable: true, metadata: { from: 'alice' } });
        await connectionOpened(outgoing);
        const atBob = await incoming;
        expect(atBob.peer).to.equal(alice.id);
        expect(atBob.metadata).to.deep.equal({ from: 'alice' });
        if (!atBob.open) await connectionOpened(atBob);

        const toBob = nextData(atBob);
        outgoing.send({ text: 'hello bob', bytes: new Uint8Array([1, 2, 3]) });
        const received = (await toBob) as { text: string; bytes: ArrayBuffer };
        expect(received.text).to.equal('hello bob');
        expect([...new Uint8Array(received.bytes)]).to.deep.equal([1, 2, 3]);
        const toAlice = nextData(outgoing);
        atBob.send('hello alice');
        expect(await toAlice).to.equal('hello alice');

        const closed = new Promise((resolve) => atBob.once('close', () => resolve(true)));
        outgoing.close();
        expect(await closed).to.equal(true);
      });

      it(`gets peer-unavailable for an id nobody holds, after the expire timeout`, async () => {
        const lonely = await peer(fresh('lonely'));
        await peerOpened(lonely);
        const nobody = fresh('nobody');
        const started = performance.now();
        const error = peerError(lonely, EXPIRE_MS + 15_000);
        lonely.connect(nobody);
        const { type, message } = await error;
        expect(type).to.equal('peer-unavailable');
        expect(message).to.contain(nobody);
        expect(performance.now() - started).to.be.greaterThan(EXPIRE_MS - 100);
      });

      it('disconnects and reconnects with the same id, and is reachable again', async () => {
        const roamer = await peer(fresh('roamer'));
        const id = await peerOpened(roamer);
        roamer.disconnect();
        expect(roamer.disconnected).to.equal(true);
        await sleep(300);
        const reopened = peerOpened(roamer);
        roamer.reconnect();
        expect(await reopened).to.equal(id);

        const caller = await peer(fresh('caller'));
        await peerOpened(caller);
        const incoming = new Promise<DataConnection>((resolve) => roamer.once('connection', resolve));
        const outgoing = caller.connect(id);
        await connectionOpened(outgoing);
        const atRoamer = await incoming;
        if (!atRoamer.open) await connectionOpened(atRoamer);
        const data = nextData(atRoamer);
        outgoing.send('found you');
        expect(await data).to.equal('found you');
      });
    });
  });
}
