// TURN REST API credentials from demo/turn-credentials.mjs, against vectors computed with
// `echo -n USERNAME | openssl dgst -sha1 -hmac SECRET -binary | base64`; and the demo
// server's GET /peerjs/ice, on only when TURN_URLS and TURN_SECRET are set.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { iceServersDocument, turnCredentials, turnFromEnvironment } from '../../demo/turn-credentials.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('credentials match known HMAC-SHA1 vectors', () => {
  const nowMs = 1_700_000_000_000 - 3600_000;
  assert.deepEqual(turnCredentials({ secret: 'north', user: 'alice', nowMs }), { username: '1700000000:alice', credential: 'Cd/49soE35ICqcJF/bCTn8Z4OyE=' });
  assert.deepEqual(turnCredentials({ secret: 'coturn static secret', user: 'bob', ttlSeconds: 7200, nowMs }), {
    username: '1700003600:bob',
    credential: 'MN89yx7WoLsTKgnRT5g3nuIboi8=',
  });
});

test('without a user name, a random token per call', () => {
  const nowMs = 1_700_000_000_000;
  const first = turnCredentials({ secret: 's', nowMs });
  const second = turnCredentials({ secret: 's', nowMs });
  assert.match(first.username, /^1700003600:[A-Za-z0-9_-]{16}$/);
  assert.notEqual(first.username, second.username);
  assert.equal(first.credential, createHmac('sha1', 's').update(first.username).digest('base64'));
});

test('the environment: both or neither, turn: URLs, a ttl from 1 s to 1 day', () => {
  assert.equal(turnFromEnvironment({}), null);
  assert.deepEqual(turnFromEnvironment({ TURN_URLS: 'turn:a:3478, turns:b:5349', TURN_SECRET: 'x' }), { urls: ['turn:a:3478', 'turns:b:5349'], secret: 'x', ttlSeconds: 3600 });
  assert.equal(turnFromEnvironment({ TURN_URLS: 'turn:a', TURN_SECRET: 'x', TURN_TTL: '86400' }).ttlSeconds, 86400);
  assert.throws(() => turnFromEnvironment({ TURN_SECRET: 'x' }), /TURN_URLS and TURN_SECRET go together/);
  assert.throws(() => turnFromEnvironment({ TURN_URLS: 'stun:a', TURN_SECRET: 'x' }), /"stun:a" is not a turn: or turns: URL/);
  assert.throws(() => turnFromEnvironment({ TURN_URLS: 'turn:a', TURN_SECRET: 'x', TURN_TTL: '86401' }), /TURN_TTL/);
  assert.throws(() => turnFromEnvironment({ TURN_URLS: 'turn:a', TURN_SECRET: 'x', TURN_TTL: '0' }), /TURN_TTL/);
});

test('the document', () => {
  const document = iceServersDocument({ urls: ['turn:a:3478'], secret: 'north', ttlSeconds: 3600 }, 'alice', 1_700_000_000_000 - 3600_000);
  assert.deepEqual(document, { iceServers: [{ urls: ['turn:a:3478'], username: '1700000000:alice', credential: 'Cd/49soE35ICqcJF/bCTn8Z4OyE=' }], ttl: 3600 });
});

async function startDemo(env) {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  probe.close();
  const server = spawn(process.execPath, [join(root, 'demo/server.mjs')], { env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  for await (const chunk of server.stdout) {
    output += chunk;
    if (output.includes('peer-chat demo on')) break;
  }
  return { server, port, output };
}

test('the demo server serves /peerjs/ice only with TURN configured', async () => {
  const on = await startDemo({ TURN_URLS: 'turn:10.0.0.1:3478', TURN_SECRET: 'north', TURN_TTL: '600' });
  const off = await startDemo({ TURN_URLS: '', TURN_SECRET: '' });
  try {
    const response = await fetch(`http://127.0.0.1:${on.port}/peerjs/ice`);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const body = await response.json();
    assert.equal(body.ttl, 600);
    const [server] = body.iceServers;
    assert.deepEqual(server.urls, ['turn:10.0.0.1:3478']);
    const expiry = Number(server.username.split(':')[0]);
    assert.ok(Math.abs(expiry - (Date.now() / 1000 + 600)) < 5, `expiry ${expiry}`);
    assert.equal(server.credential, createHmac('sha1', 'north').update(server.username).digest('base64'));
    assert.equal((await fetch(`http://127.0.0.1:${off.port}/peerjs/ice`)).status, 404);
  } finally {
    on.server.kill();
    off.server.kill();
  }
});
