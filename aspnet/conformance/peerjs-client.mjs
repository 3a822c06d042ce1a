// The unmodified `peerjs` client (Node, with WebRTC stubbed: only signaling is exercised) against a server:
// GET {path}/peerjs/id, WebSocket OPEN, then "unavailable-id" for a second Peer with the same id.
// Usage: node aspnet/conformance/peerjs-client.mjs PORT   (server at http://127.0.0.1:PORT/peerjs)
import { createRequire } from "node:module";
const require = createRequire(new URL("../../package.json", import.meta.url));
globalThis.WebSocket = require("ws");
globalThis.window = globalThis; globalThis.location = { protocol: "http:", hostname: "127.0.0.1" }; globalThis.navigator ??= { userAgent: "node" };
globalThis.RTCPeerConnection = class { constructor(){ this.createDataChannel=()=>({binaryType:"arraybuffer", close(){}}); } close(){} }; globalThis.RTCSessionDescription = class {}; globalThis.RTCIceCandidate = class {}; 
const { Peer } = require("peerjs");
const port = Number(process.argv[2]);
const opts = { host: "127.0.0.1", port, path: "/peerjs", debug: 0 };
const p1 = new Peer(opts);
p1.on("error", (e) => console.log("p1 error", e.type, e.message));
const id = await new Promise((r) => p1.on("open", r));
console.log("p1 open with server id", /^[0-9a-f-]{36}$/.test(id));
const p2 = new Peer(id, opts);
p2.on("open", () => console.log("p2 open?!"));
const err = await new Promise((r) => p2.on("error", r));
console.log("p2 error", err.type, err.message);
p1.destroy(); p2.destroy();
setTimeout(() => process.exit(0), 200);
