#!/usr/bin/env node
// A browser on a host of test/support/turn-network.mjs, run inside that host's network
// namespace (DevTools and BiDi listen on its own loopback, out of the test runner's reach).
// Commands come as JSON lines on stdin, answers go as JSON lines on stdout:
//   { id, op: 'open', url } → { id, value: pageNumber }
//   { id, op: 'evaluate', page, script } → { id, value }   (or { id, error })
//
//   node test/support/host-agent.mjs chromium|firefox ORIGIN
import { createInterface } from 'node:readline';
import { chromiumLaunchOptions, launchBrowser } from './browsers.mjs';

const [kind, origin] = process.argv.slice(2);
// Pages there come from a plain-http address: let them count as secure (OPFS), as on a real site.
const browser = await launchBrowser(
  kind,
  kind === 'chromium'
    ? { args: [...chromiumLaunchOptions.args, `--unsafely-treat-insecure-origin-as-secure=${origin}`] }
    : { extraPrefsFirefox: { 'dom.securecontext.allowlist': new URL(origin).hostname } },
);
const pages = new Map();
let nextPage = 1;

async function handle({ op, url, page, script }) {
  switch (op) {
    case 'open': {
      const tab = await browser.newPage();
      await tab.goto(url);
      pages.set(nextPage, tab);
      return nextPage++;
    }
    case 'evaluate':
      return pages.get(page).evaluate(script);
    default:
      throw new Error(`unknown op ${op}`);
  }
}

process.stdout.write(`${JSON.stringify({ ready: await browser.version() })}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const command = JSON.parse(line);
  handle(command).then(
    (value) => process.stdout.write(`${JSON.stringify({ id: command.id, value })}\n`),
    (error) => process.stdout.write(`${JSON.stringify({ id: command.id, error: String(error?.message ?? error) })}\n`),
  );
});
// stdin closed: the test run is over.
lines.on('close', () => browser.close().finally(() => process.exit(0)));
