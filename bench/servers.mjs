// The two servers a bench run needs, both on 127.0.0.1 inside the bench's network namespace:
// a real PeerJS signaling server (a child process, as in the tests) and a static file server.
import { spawn } from 'node:child_process';
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { createInterface } from 'node:readline';

/** Starts scripts/signaling-server.mjs; resolves once it listens. Kill `child` when done. */
export function startSignaling(root) {
  const script = join(root, 'scripts', 'signaling-server.mjs');
  const child = spawn(process.execPath, [script, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the signaling server exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve({ child, port: JSON.parse(line).port }));
  });
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.map': 'application/json' };
/** Only what the bench pages load is served. */
const ALLOWED = ['/bench/', '/dist/', '/node_modules/peerjs/dist/'];

/** Serves the bench pages, the built element and the stock PeerJS browser build from `root`. */
export function startStaticServer(root) {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, 'http://localhost').pathname));
    if (!ALLOWED.some((prefix) => path.startsWith(prefix))) return void response.writeHead(404).end();
    const file = join(root, path);
    if (!statSync(file, { throwIfNoEntry: false })?.isFile()) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    createReadStream(file).pipe(response);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port }));
  });
}
