#!/usr/bin/env node
// A real PeerJS signaling server (the `peer` package) for tests and benchmarks.
// Prints one JSON line, {"port": N}, once it listens.
//
//   node scripts/signaling-server.mjs [--port N] [--host 127.0.0.1] [--path /peerjs]
import { parseArgs } from 'node:util';
import { PeerServer } from 'peer';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    path: { type: 'string', default: '/peerjs' },
    'allow-discovery': { type: 'boolean', default: false },
  },
});

const server = PeerServer({ port: Number(values.port), host: values.host, path: values.path, allow_discovery: values['allow-discovery'] }, (listening) => {
  console.log(JSON.stringify({ port: listening.address().port }));
});
// peer 1.0 emits 'error' for a malformed client message; unheard, that would end the process.
server.on('error', (error) => console.error(`signaling: ${error.message}`));
