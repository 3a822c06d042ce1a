#!/usr/bin/env node
// Runs a command inside a private network namespace (Linux), so WebRTC test traffic never
// touches the machine's real interfaces. Chromium gathers no ICE candidates on loopback
// alone, so the namespace holds a veth pair with an address on each end and a default
// route via the far end. Elsewhere (or without root / user namespaces) the command runs plainly.
//
//   node scripts/netns.mjs -- <command> [args…]
import { spawnSync } from 'node:child_process';

const separator = process.argv.indexOf('--');
const command = process.argv.slice(separator >= 0 ? separator + 1 : 2);
if (command.length === 0) {
  console.error('usage: node scripts/netns.mjs -- <command> [args…]');
  process.exit(2);
}

/** The shell that configures the fresh namespace, then becomes the command. */
const SETUP = [
  'set -e',
  'ip link set lo up',
  'ip link add pc-near type veth peer name pc-far',
  // No IPv6 link-local addresses: they would appear a second later, and Chromium aborts
  // requests in flight (ERR_NETWORK_CHANGED) when the machine's addresses change.
  'ip link set pc-near addrgenmode none',
  'ip link set pc-far addrgenmode none',
  'ip addr add 10.87.0.1/24 dev pc-near',
  'ip addr add 10.87.0.2/24 dev pc-far',
  'ip link set pc-near up',
  'ip link set pc-far up',
  'ip route add default via 10.87.0.2',
  // Settle before anything starts: wait until both ends have carrier.
  'for i in $(seq 50); do ip -o link show up | grep -c LOWER_UP | grep -qx 3 && break; sleep 0.05; done',
  'exec "$@"',
].join('\n');

function run(argv, env) {
  const result = spawnSync(argv[0], argv.slice(1), { stdio: 'inherit', env });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function canUse(argv) {
  return spawnSync(argv[0], argv.slice(1), { stdio: 'ignore' }).status === 0;
}

const alreadyInside = process.env.PEER_CHAT_NETNS === '1';
let prefix = null;
if (!alreadyInside && process.platform === 'linux' && canUse(['ip', '-V'])) {
  const isRoot = process.getuid?.() === 0;
  // Root makes a plain namespace; others map themselves to root in a user namespace.
  const candidate = isRoot ? ['unshare', '-n'] : ['unshare', '-r', '-n'];
  if (canUse([...candidate, 'sh', '-c', SETUP, 'probe', 'true'])) prefix = candidate;
}

if (alreadyInside) {
  process.exit(run(command, process.env));
} else if (prefix) {
  console.log(`[netns] running in a private network namespace (veth 10.87.0.1 <-> 10.87.0.2)`);
  process.exit(run([...prefix, 'sh', '-c', SETUP, 'netns', ...command], { ...process.env, PEER_CHAT_NETNS: '1' }));
} else {
  console.warn('[netns] no private network namespace available here: running without one');
  process.exit(run(command, process.env));
}
