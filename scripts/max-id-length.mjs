// The `peer` server takes ids of any length; PeerChat.AspNetCore refuses those over MaxIdLength (64) with
// ERROR "ID is too long" and a close. The Node servers here do the same, through the `createWebSocketServer`
// option of `peer` 1.0: the socket is answered before `peer` ever sees it, so it registers nothing.
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

/** PeerSignalingOptions.MaxIdLength's default. */
export const MAX_ID_LENGTH = 64;

// The `ws` that `peer` itself uses.
const { WebSocketServer } = createRequire(import.meta.resolve('peer'))('ws');

/** For `PeerServer({ …, createWebSocketServer: refusingLongIds })`. */
export function refusingLongIds(options) {
  const server = new WebSocketServer(options);
  const guarded = new EventEmitter();
  server.on('connection', (socket, request) => {
    // The last of repeated parameters, as `peer` (Object.fromEntries) and PeerChat.AspNetCore read them.
    const id = new URL(request.url, 'http://localhost').searchParams.getAll('id').at(-1);
    if (id !== undefined && id.length > MAX_ID_LENGTH) {
      socket.send(JSON.stringify({ type: 'ERROR', payload: { msg: 'ID is too long' } }));
      socket.close();
      return;
    }
    guarded.emit('connection', socket, request);
  });
  server.on('error', (error) => guarded.emit('error', error));
  return guarded;
}
