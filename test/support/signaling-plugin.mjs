// web-test-runner plugin: lets browser tests start, kill and restart real signaling server
// processes, and open and close real browser tabs, through `executeServerCommand`.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const serverScript = fileURLToPath(new URL('../../scripts/signaling-server.mjs', import.meta.url));

/** Starts a signaling server process; resolves with it once it listens. */
function launch(port) {
  const child = spawn(process.execPath, [serverScript, '--port', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('signaling server did not start in 10 s')), 10_000);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`signaling server exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolve({ child, port: JSON.parse(line).port });
    });
  });
}

async function kill(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

export function signalingPlugin() {
  /** Running servers by port. */
  const servers = new Map();
  /** Extra tabs opened by tests, by a number. */
  const tabs = new Map();
  let nextTab = 1;

  return {
    name: 'peer-chat-signaling',
    async executeCommand({ command, payload, session }) {
      switch (command) {
        case 'signaling-start': {
          const server = await launch(payload?.port ?? 0);
          servers.set(server.port, server.child);
          return { port: server.port };
        }
        case 'signaling-stop': {
          const child = servers.get(payload.port);
          servers.delete(payload.port);
          if (child) await kill(child);
          return true;
        }
        case 'tab-open': {
          // A real second tab of the same browser, on a page of this test server.
          const page = await session.browser.getPage(session.id);
          const tab = await page.browser().newPage();
          const base = new URL(page.url());
          await tab.goto(new URL(payload.path, base.origin).href);
          const id = nextTab++;
          tabs.set(id, tab);
          return { id };
        }
        case 'tab-evaluate': {
          const tab = tabs.get(payload.id);
          return tab.evaluate(payload.script);
        }
        case 'tab-close': {
          const tab = tabs.get(payload.id);
          tabs.delete(payload.id);
          await tab?.close({ runBeforeUnload: false });
          return true;
        }
      }
      return undefined;
    },
    async serverStop() {
      await Promise.all([...servers.values()].map(kill));
      await Promise.all([...tabs.values()].map((tab) => tab.close().catch(() => {})));
    },
  };
}
