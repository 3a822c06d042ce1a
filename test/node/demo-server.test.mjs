// demo/server.mjs serves demo/ and dist/ and nothing beside them: not even a sibling folder
// whose name starts like a served one (demo-…/), reached with an encoded `../`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
let server;
let port;
let sibling;

async function freePort() {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port: free } = probe.address();
  probe.close();
  return free;
}

/** GETs `path` exactly as written (no client-side normalization); resolves to the status code. */
function statusOf(path) {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (response) => {
      response.resume();
      resolve(response.statusCode);
    })
      .on('error', reject)
      .end();
  });
}

before(async () => {
  sibling = mkdtempSync(join(root, 'demo-'));
  writeFileSync(join(sibling, 'secret.txt'), 'not for the web');
  port = await freePort();
  server = spawn(process.execPath, [join(root, 'demo/server.mjs')], { env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  for await (const chunk of server.stdout) {
    output += chunk;
    if (output.includes('peer-chat demo on')) break;
  }
});

after(() => {
  server?.kill();
  rmSync(sibling, { recursive: true, force: true });
});

test('serves a file of demo/', async () => {
  assert.equal(await statusOf('/index.html'), 200);
});

test('refuses a sibling folder whose name starts with "demo"', async () => {
  const status = await statusOf(`/..%2F${basename(sibling)}%2Fsecret.txt`);
  assert.ok(status === 403 || status === 404, `got ${status}`);
});
