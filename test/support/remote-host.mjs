// web-test-runner plugin: a second host on the test network, and a cable to pull.
//
// scripts/netns.mjs gives the tests a private network namespace holding a veth pair. When the
// test server starts, this plugin moves the far end of the pair into a second namespace (the
// far host); on demand it starts a Chromium there, and it can take the link between the two
// hosts down and up: a real network cut between two
// browsers, while each keeps its own loopback. Signaling runs on the near host, so the far
// host loses it too during a cut, as a real client would.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumLaunchOptions, launchBrowser } from './browsers.mjs';

const NEAR = { device: 'pc-near', address: '10.87.0.1' };
const FAR = { device: 'pc-far', address: '10.87.0.2' };

const ip = (...args) => execFileSync('ip', args, { stdio: 'pipe' });
const inFar = (pid, ...args) => execFileSync('nsenter', ['-t', String(pid), '-n', 'ip', ...args], { stdio: 'pipe' });

export function remoteHostPlugin() {
  let testServerPort = 0;
  /** The process holding the far host's network namespace open. */
  let holder = null;
  /** { browser, origin, pages: Map } once the far browser runs. */
  let far = null;
  let nextPage = 1;

  /**
   * Moves the far end of the veth pair into a namespace of its own. Done once, before any
   * browser starts, so that no browser sees the network change under it.
   */
  async function splitNetwork() {
    if (process.env.PEER_CHAT_NETNS !== '1' || holder) return;
    holder = spawn('unshare', ['-n', 'sleep', 'infinity'], { stdio: 'ignore' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    ip('link', 'set', FAR.device, 'netns', String(holder.pid));
    inFar(holder.pid, 'link', 'set', 'lo', 'up');
    inFar(holder.pid, 'addr', 'add', `${FAR.address}/24`, 'dev', FAR.device);
    inFar(holder.pid, 'link', 'set', FAR.device, 'up');
    inFar(holder.pid, 'route', 'add', 'default', 'via', NEAR.address);
    ip('route', 'replace', 'default', 'via', FAR.address, 'dev', NEAR.device);
  }

  /** The far host's Chromium, entered into its namespace; DevTools over a pipe, as a port there is out of reach. */
  async function start() {
    if (far) return far;
    if (!holder) throw new Error('a second host needs the private network namespace of scripts/netns.mjs');
    const dir = mkdtempSync(join(tmpdir(), 'peer-chat-far-'));
    const wrapper = join(dir, 'chromium');
    writeFileSync(wrapper, `#!/bin/sh\nexec nsenter -t ${holder.pid} -n ${process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'} "$@"\n`);
    chmodSync(wrapper, 0o755);
    const origin = `http://${NEAR.address}:${testServerPort}`;
    const browser = await launchBrowser('chromium', {
      executablePath: wrapper,
      pipe: true,
      // Pages there come from a plain-http address: let them count as secure (OPFS, crypto.subtle), as on a real site.
      args: [...chromiumLaunchOptions.args, `--unsafely-treat-insecure-origin-as-secure=${origin}`],
    });
    far = { browser, origin, pages: new Map() };
    return far;
  }

  async function stop() {
    const browser = far?.browser;
    far = null;
    await browser?.close().catch(() => {});
  }

  /** Brings the far end home before its namespace dies, or the pair would die with it. */
  function joinNetwork() {
    if (!holder) return;
    try {
      inFar(holder.pid, 'link', 'set', FAR.device, 'netns', String(process.pid));
    } finally {
      holder.kill('SIGKILL');
      holder = null;
    }
  }

  return {
    name: 'peer-chat-remote-host',
    async serverStart({ config }) {
      testServerPort = config.port;
      await splitNetwork();
    },
    async executeCommand({ command, payload }) {
      switch (command) {
        case 'remote-open': {
          // A page on the far host, loaded from this test server across the link;
          // `{near}` in the path stands for this host's address as seen from there.
          const { browser, origin, pages } = await start();
          const page = await browser.newPage();
          await page.goto(`${origin}${payload.path.replaceAll('{near}', NEAR.address)}`);
          const id = nextPage++;
          pages.set(id, page);
          return { id, nearAddress: NEAR.address };
        }
        case 'remote-evaluate':
          return { value: await far.pages.get(payload.id).evaluate(payload.script) };
        case 'remote-close': {
          const page = far?.pages.get(payload.id);
          far?.pages.delete(payload.id);
          await page?.close({ runBeforeUnload: false });
          return true;
        }
        case 'link-down':
          ip('link', 'set', NEAR.device, 'down');
          return true;
        case 'link-up':
          ip('link', 'set', NEAR.device, 'up');
          ip('route', 'replace', 'default', 'via', FAR.address, 'dev', NEAR.device);
          return true;
        case 'remote-stop':
          await stop();
          return true;
      }
      return undefined;
    },
    async serverStop() {
      await stop();
      joinNetwork();
    },
  };
}
