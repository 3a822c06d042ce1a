// Raw protocol probe of a PeerJS signaling server (the Node `peer` package or PeerSignaling).
// Usage: node aspnet/conformance/raw-client.mjs http://127.0.0.1:9011/peerjs [--fast]
// Prints one line per case: "ok|FAIL name: observed". Exit code 1 when a case fails.
// Cases marked "differs" print what the server did where the two servers are known to differ.
import { createRequire } from "node:module";
const require = createRequire(new URL("../../package.json", import.meta.url));
const WebSocket = require("ws");

const base = (process.argv[2] ?? "http://127.0.0.1:9011/peerjs").replace(/\/$/, "");
const wsBase = base.replace(/^http/, "ws") + "/peerjs";
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
let failures = 0;
const run = Math.random().toString(36).slice(2, 8);

function check(name, ok, observed) {
  if (!ok) failures++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}: ${typeof observed === "string" ? observed : JSON.stringify(observed)}`);
}
function note(name, observed) {
  console.log(`info ${name}: ${typeof observed === "string" ? observed : JSON.stringify(observed)}`);
}

/** Opens a socket and records every message and the close. */
function connect(query, headers) {
  const ws = new WebSocket(`${wsBase}?${query}`, { headers });
  const rec = { ws, messages: [], closed: null, waiters: [] };
  ws.on("message", (data) => { rec.messages.push(JSON.parse(data.toString())); rec.waiters.forEach((w) => w()); });
  ws.on("close", (code) => { rec.closed = code; rec.waiters.forEach((w) => w()); });
  ws.on("error", (e) => { rec.error = e.message; rec.closed ??= -1; rec.waiters.forEach((w) => w()); });
  rec.opened = new Promise((res) => ws.on("open", res));
  rec.until = (pred, ms = 2000) => new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    const w = () => { if (pred(rec)) { clearTimeout(t); resolve(true); } };
    rec.waiters.push(w); w();
  });
  rec.send = (obj) => ws.send(typeof obj === "string" ? obj : JSON.stringify(obj));
  return rec;
}
const q = (id, token = "tok-" + id, key = "peerjs") => `key=${key}&id=${id}&token=${token}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// --- HTTP ---
{
  const r = await fetch(`${base}/`);
  const body = await r.text();
  check("GET / info", r.status === 200 && r.headers.get("content-type") === "application/json; charset=utf-8"
    && same(JSON.parse(body), { name: "PeerJS Server", description: "A server side element to broker connections between PeerJS clients.", website: "https://peerjs.com/" }),
    { status: r.status, type: r.headers.get("content-type"), body });
}
{
  const r = await fetch(`${base}/peerjs/id?ts=1`);
  const body = await r.text();
  check("GET /peerjs/id", r.status === 200 && r.headers.get("content-type") === "text/html; charset=utf-8" && uuid.test(body),
    { status: r.status, type: r.headers.get("content-type"), body });
  const other = await (await fetch(`${base}/otherkey/id`)).text();
  check("GET /otherkey/id (key not checked)", uuid.test(other), other);
}
{
  const r = await fetch(`${base}/peerjs/peers`);
  const body = await r.text();
  check("GET /peerjs/peers without discovery", r.status === 401 && body === "Unauthorized", { status: r.status, body });
}
{
  const r = await fetch(`${base}/peerjs/id`, { headers: { Origin: "http://example.test" } });
  check("CORS simple request", r.headers.get("access-control-allow-origin") === "http://example.test"
    && /Origin/.test(r.headers.get("vary") ?? ""), { acao: r.headers.get("access-control-allow-origin"), vary: r.headers.get("vary") });
  const p = await fetch(`${base}/peerjs/id`, { method: "OPTIONS", headers: { Origin: "http://example.test", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-test" } });
  check("CORS preflight", p.status === 204 && p.headers.get("access-control-allow-origin") === "http://example.test"
    && p.headers.get("access-control-allow-methods") === "GET,HEAD,PUT,PATCH,POST,DELETE"
    && p.headers.get("access-control-allow-headers") === "x-test",
    { status: p.status, acao: p.headers.get("access-control-allow-origin"), methods: p.headers.get("access-control-allow-methods"), headers: p.headers.get("access-control-allow-headers"), vary: p.headers.get("vary") });
}

// --- WebSocket registration ---
{
  const c = connect(`key=peerjs&id=x${run}`);
  await c.until((r) => r.closed !== null);
  check("missing token -> ERROR + close", same(c.messages, [{ type: "ERROR", payload: { msg: "No id, token, or key supplied to websocket server" } }]) && c.closed !== null, { messages: c.messages, closed: c.closed });
}
{
  const c = connect(q(`k${run}`, "t", "wrong"));
  await c.until((r) => r.closed !== null);
  check("wrong key -> ERROR + close", same(c.messages, [{ type: "ERROR", payload: { msg: "Invalid key provided" } }]) && c.closed !== null, { messages: c.messages, closed: c.closed });
}
const A = `a${run}`, B = `b${run}`;
const a = connect(q(A)), b = connect(q(B));
await a.until((r) => r.messages.length > 0);
await b.until((r) => r.messages.length > 0);
check("A gets OPEN", same(a.messages, [{ type: "OPEN" }]), a.messages);
check("B gets OPEN", same(b.messages, [{ type: "OPEN" }]), b.messages);
{
  const d = connect(q(A, "other-token"));
  await d.until((r) => r.closed !== null);
  check("same id, other token -> ID-TAKEN + close", same(d.messages, [{ type: "ID-TAKEN", payload: { msg: "ID is taken" } }]) && d.closed !== null, { messages: d.messages, closed: d.closed });
}

// --- relay ---
{
  a.send({ type: "OFFER", src: "mallory", dst: B, payload: { sdp: "x", connectionId: "dc_1", n: [1, 2] }, extra: "dropped" });
  await b.until((r) => r.messages.length > 1);
  check("OFFER relayed with src forced, extra fields dropped", same(b.messages[1], { type: "OFFER", src: A, dst: B, payload: { sdp: "x", connectionId: "dc_1", n: [1, 2] } }), b.messages[1]);
  b.send({ type: "ANSWER", dst: A, payload: { sdp: "y" } });
  await a.until((r) => r.messages.length > 1);
  check("ANSWER relayed", same(a.messages[1], { type: "ANSWER", src: B, dst: A, payload: { sdp: "y" } }), a.messages[1]);
  a.send({ type: "CANDIDATE", dst: B, payload: { candidate: "c" } });
  await b.until((r) => r.messages.length > 2);
  check("CANDIDATE relayed", same(b.messages[2], { type: "CANDIDATE", src: A, dst: B, payload: { candidate: "c" } }), b.messages[2]);
  a.send({ type: "LEAVE", dst: B });
  await b.until((r) => r.messages.length > 3);
  check("LEAVE relayed (no payload field)", same(b.messages[3], { type: "LEAVE", src: A, dst: B }), b.messages[3]);
  a.send({ type: "HEARTBEAT" });
  await sleep(300);
  check("HEARTBEAT: no answer, socket stays open", a.messages.length === 2 && a.closed === null, { messages: a.messages.length, closed: a.closed });
}

// --- queue for a peer that connects later ---
{
  const C = `c${run}`;
  a.send({ type: "OFFER", dst: C, payload: { p: 1 } });
  a.send({ type: "CANDIDATE", dst: C, payload: { p: 2 } });
  await sleep(300);
  const c = connect(q(C));
  await c.until((r) => r.messages.length >= 3);
  check("queued messages delivered after OPEN", same(c.messages, [{ type: "OPEN" }, { type: "OFFER", src: A, dst: C, payload: { p: 1 } }, { type: "CANDIDATE", src: A, dst: C, payload: { p: 2 } }]), c.messages);
  c.ws.close();
}

// --- reconnect with the same token ---
{
  const a2 = connect(q(A));
  await a2.opened;
  await sleep(400);
  note("same id + same token (reconnect)", { newSocketMessages: a2.messages, oldSocketClosed: a.closed });
  b.send({ type: "OFFER", dst: A, payload: { r: 1 } });
  await a2.until((r) => r.messages.some((m) => m.type === "OFFER"), 1000);
  check("after reconnect, messages reach the new socket", a2.messages.some((m) => m.type === "OFFER" && m.src === B), a2.messages);
  a2.ws.close();
}

// --- EXPIRE for a peer that never connects ---
{
  const e = connect(q(`e${run}`));
  await e.until((r) => r.messages.length > 0);
  const D = `d${run}`;
  const t0 = Date.now();
  e.send({ type: "OFFER", dst: D, payload: {} });
  e.send({ type: "CANDIDATE", dst: D, payload: {} });
  const got = await e.until((r) => r.messages.some((m) => m.type === "EXPIRE"), 9000);
  const ms = Date.now() - t0;
  await sleep(1200);
  const expires = e.messages.filter((m) => m.type === "EXPIRE");
  check("EXPIRE once per pair after expire timeout", got && expires.length === 1 && same(expires[0], { type: "EXPIRE", src: D, dst: `e${run}` }) && ms >= 4900 && ms < 6600, { expires, ms });
  e.ws.close();
}

// --- disconnect frees the id ---
{
  b.ws.close();
  await b.until((r) => r.closed !== null);
  await sleep(200);
  const b2 = connect(q(B, "fresh-token"));
  await b2.until((r) => r.messages.length > 0);
  check("closed client's id is free again", same(b2.messages, [{ type: "OPEN" }]), b2.messages);
  b2.ws.close();
}

// --- hostile input (servers differ: Node ignores, PeerSignaling answers ERROR and closes) ---
for (const [name, frame] of [["malformed JSON", "{not json"], ["unknown type", JSON.stringify({ type: "BOGUS", dst: "x" })], ["JSON array", "[1,2]"]]) {
  const h = connect(q(`h${run}${name.length}`));
  await h.until((r) => r.messages.length > 0);
  h.send(frame);
  await h.until((r) => r.closed !== null, 700);
  note(`hostile: ${name}`, { messages: h.messages.slice(1), closed: h.closed });
  h.ws.close();
}
{
  const big = connect(q(`big${run}`));
  await big.until((r) => r.messages.length > 0);
  big.send({ type: "OFFER", dst: A, payload: "x".repeat(200 * 1024) });
  await big.until((r) => r.closed !== null, 1000);
  note("hostile: 200 KiB frame", { messages: big.messages.slice(1), closed: big.closed });
  big.ws.close();
}
{
  const flood = connect(q(`f${run}`));
  await flood.until((r) => r.messages.length > 0);
  for (let i = 0; i < 1000; i++) flood.send({ type: "HEARTBEAT" });
  await flood.until((r) => r.closed !== null, 1000);
  note("hostile: 1000 heartbeats at once", { messages: flood.messages.slice(1), closed: flood.closed });
  flood.ws.close();
}
{
  const s = connect(q(`s${run}`));
  await s.until((r) => r.messages.length > 0);
  s.send({ type: "CANDIDATE", dst: `s${run}`, payload: { self: true } });
  await s.until((r) => r.messages.length > 1, 500);
  check("a client cannot be made to see a spoofed src", s.messages.slice(1).every((m) => m.src === `s${run}`), s.messages.slice(1));
  s.ws.close();
}
// The first socket of A was either replaced (kept open by Node) or closed; make sure the server is still fine.
{
  const z = connect(q(`z${run}`));
  await z.until((r) => r.messages.length > 0);
  check("server still serves after hostile clients", same(z.messages, [{ type: "OPEN" }]), z.messages);
  z.ws.close();
}
a.ws.close();
console.log(`${failures === 0 ? "all cases passed" : failures + " case(s) failed"} against ${base}`);
await sleep(100);
process.exit(failures ? 1 : 0);
