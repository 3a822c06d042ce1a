#!/usr/bin/env node
// A real PeerJS signaling server (the `peer` package) for tests and benchmarks.
// Prints one JSON line, {"port": N}, once it listens.
//
//   node scripts/signaling-server.mjs [--port N] [--host 127.0.0.1] [--path /peerjs] [--allow-discovery]
//     [--key peerjs] [--expire-timeout MS] [--alive-timeout MS] [--concurrent-limit N]
// (the last four are the `peer` package's options; omitted, its defaults apply)
import { parseArgs } from 'node:util';
import { PeerServer } from 'peer';
import { refusingLongIds } from './max-id-length.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    // Inside the test namespace, also reachable from the second host of test/support/remote-host.mjs.
    host: { type: 'string', default: process.env.PEER_CHAT_NETNS === '1' ? '0.0.0.0' : '127.0.0.1' },
    path: { type: 'string', default: '/peerjs' },
    'allow-discovery': { type: 'boolean', default: false },
    key: { type: 'string' },
    'expire-timeout': { type: 'string' },
    'alive-timeout': { type: 'string' },
    'concurrent-limit': { type: 'string' },
  },
});

const options = {
  port: Number(values.port),
  host: values.host,
  path: values.path,
  allow_discovery: values['allow-discovery'],
  // Ids over 64 characters get ERROR, as from PeerChat.AspNetCore.
  createWebSocketServer: refusingLongIds,
};
if (values.key !== undefined) options.key = values.key;
if (values['expire-timeout'] !== undefined) options.expire_timeout = Number(values['expire-timeout']);
if (values['alive-timeout'] !== undefined) options.alive_timeout = Number(values['alive-timeout']);
if (values['concurrent-limit'] !== undefined) options.concurrent_limit = Number(values['concurrent-limit']);

const server = PeerServer(options, (listening) => {
  console.log(JSON.stringify({ port: listening.address().port }));
});
// peer 1.0 emits 'error' for a malformed client message; unheard, that would end the process.
server.on('error', (error) => console.error(`signaling: ${error.message}`));
