#!/usr/bin/env node
// `npm run soak` (not in CI): two tabs of Chromium *without* the flags that stop background
// throttling, one of them hidden for SOAK_MINUTES (default 10). Every minute each tab sends
// the other a message; at the end the visible tab sends the hidden one a file. Reports what
// arrived and every disconnect; exits 1 if anything was lost, repeated, or falsely dropped.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../test/support/browsers.mjs';

const minutes = Number(process.env.SOAK_MINUTES ?? 10);
const port = Number(process.env.SOAK_PORT ?? 8181);
const base = `http://127.0.0.1:${port}`;
const root = fileURLToPath(new URL('..', import.meta.url));
const log = (message) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}`);

const server = spawn(process.execPath, ['demo/server.mjs'], { cwd: root, env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' }, stdio: 'ignore' });
await new Promise((resolve) => setTimeout(resolve, 1500));
// Puppeteer's defaults keep background tabs at full speed: leave those out, as a real browser.
const browser = await launchBrowser('chromium', {
  ignoreDefaultArgs: ['--disable-background-timer-throttling', '--disable-backgrounding-occluded-windows', '--disable-renderer-backgrounding'],
});
let failed = false;
try {
  const open = async (name) => {
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    return page.evaluate(async (name, port) => {
      await customElements.whenDefined('peer-chat');
      document.body.replaceChildren();
      const chat = document.createElement('peer-chat');
      for (const [attribute, value] of Object.entries({ host: '127.0.0.1', port, 'ice-servers': '[]', name, 'accept-files': 'always' })) chat.setAttribute(attribute, value);
      window.chat = chat;
      window.seen = { messages: [], disconnects: [], files: [] };
      chat.addEventListener('peer-chat-message', (event) => event.detail.direction === 'in' && seen.messages.push(event.detail.text));
      chat.addEventListener('peer-chat-disconnect', (event) => seen.disconnects.push(`${new Date().toISOString()} ${event.detail.reason}`));
      chat.addEventListener('peer-chat-file', async (event) => seen.files.push(event.detail.file.size));
      const ready = new Promise((resolve) => chat.addEventListener('peer-chat-ready', (event) => resolve(event.detail.peerId), { once: true }));
      document.body.append(chat);
      return ready;
    }, name, String(port)).then((id) => ({ page, id }));
  };
  const hidden = await open('hidden');
  const visible = await open('visible');
  await visible.page.bringToFront();
  await visible.page.evaluate((id) => chat.connect(id), hidden.id);
  const state = await hidden.page.evaluate(() => document.visibilityState);
  log(`connected; the hidden tab's visibilityState: ${state}`);
  if (state !== 'hidden') throw new Error('the second tab is not hidden: the soak would prove nothing');

  for (let minute = 1; minute <= minutes; minute++) {
    await new Promise((resolve) => setTimeout(resolve, 60_000));
    await visible.page.evaluate((text) => chat.send(text), `to hidden ${minute}`);
    await hidden.page.evaluate((text) => chat.send(text), `to visible ${minute}`);
    log(`minute ${minute}: sent both ways`);
  }
  await visible.page.evaluate(() => chat.sendFile(new File([new Uint8Array(4 * 1024 * 1024).fill(7)], 'soak.bin')));
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const expected = (to) => Array.from({ length: minutes }, (_, i) => `to ${to} ${i + 1}`);
  for (const [name, tab] of [['hidden', hidden], ['visible', visible]]) {
    const seen = await tab.page.evaluate(() => seen);
    const lost = expected(name).filter((text) => !seen.messages.includes(text));
    const repeated = seen.messages.length - new Set(seen.messages).size;
    log(`${name}: ${seen.messages.length} messages (lost ${lost.length}, repeated ${repeated}), disconnects: ${seen.disconnects.length ? seen.disconnects.join('; ') : 'none'}, files: ${seen.files.join(', ') || 'none'}`);
    if (lost.length || repeated || seen.disconnects.length) failed = true;
  }
  const files = await hidden.page.evaluate(() => seen.files);
  if (files.length !== 1 || files[0] !== 4 * 1024 * 1024) failed = true;
  log(failed ? 'FAILED' : 'nothing lost, nothing repeated, no false disconnect');
} catch (error) {
  failed = true;
  log(`FAILED: ${error.message}`);
} finally {
  await browser.close();
  server.kill();
}
process.exit(failed ? 1 : 0);
