#!/usr/bin/env node
// The demo: one local server that serves demo/ and dist/, with a PeerJS signaling server
// (the `peer` package) at /peerjs. Open http://127.0.0.1:8080/ in two tabs.
// With TURN_URLS (comma-separated turn: URLs) and TURN_SECRET (coturn's static-auth-secret),
// GET /peerjs/ice hands out short-lived TURN credentials (TURN_TTL seconds, default 3600;
// see docs/turn.md).
//
//   PORT=8080 HOST=127.0.0.1 node demo/server.mjs
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PeerServer } from 'peer';
import { refusingLongIds } from '../scripts/max-id-length.mjs';
import { iceServersDocument, turnFromEnvironment } from './turn-credentials.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';
const turn = turnFromEnvironment();

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.map': 'application/json', '.css': 'text/css', '.svg': 'image/svg+xml' };
/** URL prefixes served from disk, and where from. */
const MOUNTS = [
  ['/dist/', join(root, 'dist')],
  ['/', join(root, 'demo')],
];

function serveStatic(req, res) {
  const url = new URL(req.url, 'http://localhost');
  const pathname = decodeURIComponent(url.pathname);
  if (turn && pathname === '/peerjs/ice') {
    // Same-origin only (no CORS header): other sites must not spend this relay's bandwidth.
    const body = JSON.stringify(iceServersDocument(turn, ''));
    return void res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
  }
  const [prefix, dir] = MOUNTS.find(([mount]) => pathname.startsWith(mount));
  const relative = normalize(pathname.slice(prefix.length) || 'index.html');
  const file = join(dir, relative);
  // Inside `dir` means below `dir/`: a bare prefix test would also let `../demo-x/` through.
  if (!file.startsWith(dir + sep)) return void res.writeHead(403).end('Forbidden');
  let stats;
  try {
    stats = statSync(file);
  } catch {
    return void res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
  }
  if (stats.isDirectory()) return void res.writeHead(302, { location: `${url.pathname.replace(/\/?$/, '/')}index.html` }).end();
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': stats.size, 'cache-control': 'no-cache' });
  createReadStream(file).pipe(res);
}

// PeerServer builds the HTTP server and mounts PeerJS at `path`; everything else is static.
// Ids over 64 characters get ERROR, as from PeerChat.AspNetCore (MaxIdLength).
const peerApp = PeerServer({ port, host, path: '/peerjs', allow_discovery: false, createWebSocketServer: refusingLongIds }, () => {
  console.log(`peer-chat demo on http://${host}:${port}/  (signaling at /peerjs${turn ? `, TURN credentials at /peerjs/ice for ${turn.urls.join(', ')}` : ''})`);
  console.log('Open it in two tabs, copy one tab\'s id into the other and press Connect.');
});
peerApp.use(serveStatic);
// peer 1.0 emits 'error' for a malformed client message; unheard, that would end the process.
peerApp.on('error', (error) => console.error(`signaling: ${error.message}`));
peerApp.on('connection', (client) => console.log(`registered ${client.getId()}`));
peerApp.on('disconnect', (client) => console.log(`left ${client.getId()}`));
