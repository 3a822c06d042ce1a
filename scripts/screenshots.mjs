#!/usr/bin/env node
// Writes the README's screenshots (docs/screenshots/*.png): two <peer-chat> elements on one
// page of the demo server, talking over real WebRTC; the shots show the first one at desktop
// and at 360 px width, in light and dark (the second sits to the right, out of the shot).
// Run by hand after a UI change:
//
//   npm run build && node scripts/netns.mjs -- node scripts/screenshots.mjs
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { launchBrowser } from '../test/support/browsers.mjs';

const PORT = 8719;
const server = spawn(process.execPath, ['demo/server.mjs'], { env: { ...process.env, PORT: String(PORT), HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((resolve) => server.stdout.on('data', (chunk) => String(chunk).includes('peer-chat demo on') && resolve()));

/** Replaces the demo page's content: Alice in the shot, Bob (no name) to the right of it. */
const PAGE = `<style>
  body { margin: 0; padding: 12px; max-inline-size: none; font-family: system-ui, sans-serif; }
  @media (prefers-color-scheme: dark) { body { background: #121212; } }
  peer-chat { max-inline-size: 760px; --peer-chat-height: calc(100vh - 24px); }
  #bob { position: absolute; inset-block-start: 12px; inset-inline-start: 1000px; inline-size: 600px; }
</style>
<peer-chat id="alice" name="Alice" accept-files="always" host="127.0.0.1" port="${PORT}" ice-servers="[]"></peer-chat>
<peer-chat id="bob" host="127.0.0.1" port="${PORT}" ice-servers="[]"></peer-chat>`;

const browser = await launchBrowser('chromium');
try {
  const page = await browser.newPage();
  page.on('pageerror', (error) => console.error(error));
  await page.setViewport({ width: 1700, height: 640 }); // both in view while they talk: Bob reads Alice's messages
  await page.goto(`http://127.0.0.1:${PORT}/`); // the demo page loads the bundle
  await page.evaluate((html) => {
    document.head.querySelectorAll('style').forEach((style) => style.remove());
    document.body.innerHTML = html;
  }, PAGE);
  const inPage = (script, argument) =>
    page.evaluate(
      (body, value) => new Function('alice', 'bob', 'argument', `return (async () => { ${body} })()`)(document.querySelector('#alice'), document.querySelector('#bob'), value).then(() => true),
      script,
      argument ?? null,
    );
  const until = (condition) => page.waitForFunction(`((alice, bob) => ${condition})(document.querySelector('#alice'), document.querySelector('#bob'))`, { polling: 100 });

  await until(`alice.signalingState === 'open' && bob.signalingState === 'open'`);
  await inPage(`await alice.connect(bob.peerId)`);
  await until(`bob.connectedPeers.length === 1`);
  await inPage(`await bob.send(argument)`, 'Hi! The notes are at https://example.org/notes (page 2).');
  await inPage(`await alice.send(argument)`, 'Thanks, reading them now. Can you send the diagram?');
  // A picture drawn on a canvas, sent as a PNG file.
  await inPage(`
    const canvas = Object.assign(document.createElement('canvas'), { width: 480, height: 270 });
    const context = canvas.getContext('2d');
    const gradient = context.createLinearGradient(0, 0, 480, 270);
    gradient.addColorStop(0, '#0b57d0');
    gradient.addColorStop(1, '#81c995');
    context.fillStyle = gradient;
    context.fillRect(0, 0, 480, 270);
    context.fillStyle = '#ffffff';
    context.font = 'bold 40px sans-serif';
    context.fillText('diagram.png', 120, 150);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
    await bob.sendFile(new File([blob], 'diagram.png', { type: 'image/png' }));`);
  await until(`alice.shadowRoot.querySelector('[part~="preview"] img')?.complete`);
  await inPage(`await alice.send(argument)`, 'Got it, looks right. Write to me at mailto:alice@example.org if anything changes.');
  await until(`alice.messages.at(-1).status === 'read'`);

  mkdirSync('docs/screenshots', { recursive: true });
  const sizes = [
    ['desktop', { width: 800, height: 800 }],
    ['mobile', { width: 360, height: 740 }],
  ];
  for (const scheme of ['light', 'dark']) {
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
    for (const [size, viewport] of sizes) {
      await page.setViewport(viewport);
      // Bob types again (frames at most every 2 s; the indicator lasts 5 s after the last).
      await new Promise((resolve) => setTimeout(resolve, 2100));
      await inPage(`bob.shadowRoot.querySelector('[part~="input"]').dispatchEvent(new InputEvent('input'))`);
      await until(`alice.shadowRoot.querySelector('[part~="typing"]').textContent.trim() !== ''`);
      const path = `docs/screenshots/${size}-${scheme}.png`;
      await page.screenshot({ path });
      console.log(`wrote ${path}`);
    }
  }
} finally {
  await browser.close();
  server.kill();
}
