/**
 * The README's ASP.NET steps on a brand-new `dotnet new webapp` (scripts/fresh-webapp.mjs: pack, add
 * package, AddPeerSignaling and MapPeerSignaling, the tag helper, <peer-chat></peer-chat> on the home
 * page, publish), run from its published folder: two real tabs on the home page register with the
 * site's /peerjs, chat and swap a file.
 */
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';

async function openTab(url: string) {
  const { id } = (await executeServerCommand<{ id: number }, { path: string }>('tab-open', { path: url }))!;
  return {
    run<T>(script: string): Promise<T> {
      return executeServerCommand<T, { id: number; script: string }>('tab-evaluate', { id, script }) as Promise<T>;
    },
    close: () => executeServerCommand('tab-close', { id }),
  };
}

/** Records what the element reports, and accepts every file offer as the person would. */
const TAB_SETUP = `(async () => {
  await customElements.whenDefined('peer-chat');
  window.until = async (condition, what, timeoutMs = 30000) => {
    const start = performance.now();
    for (;;) {
      const value = await condition();
      if (value) return value;
      if (performance.now() - start > timeoutMs) throw new Error('timed out waiting for ' + what);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  window.sha256 = async (data) => [...new Uint8Array(await crypto.subtle.digest('SHA-256', data))]
    .map((byte) => byte.toString(16).padStart(2, '0')).join('');
  window.chat = document.querySelector('peer-chat');
  window.received = [];
  window.files = [];
  chat.addEventListener('peer-chat-message', (event) => event.detail.direction === 'in' && received.push(event.detail.text));
  chat.addEventListener('peer-chat-file', (event) => files.push(event.detail.file));
  setInterval(() => {
    for (const button of chat.shadowRoot?.querySelectorAll('[part~="accept-button"]') ?? []) button.click();
  }, 100);
  return until(() => chat.signalingState === 'open' && chat.peerId, 'registration with /peerjs');
})()`;

describe('the README steps on a fresh `dotnet new webapp`', function () {
  this.timeout(120_000);

  it('serves a home page where two tabs chat and swap a file', async () => {
    const { port } = (await executeServerCommand<{ port: number }, object>('server-start', { kind: 'fresh' }))!;
    const tabs: Awaited<ReturnType<typeof openTab>>[] = [];
    try {
      const origin = `http://127.0.0.1:${port}`;
      const one = await openTab(`${origin}/`);
      tabs.push(one);
      // The site's own page (a cross-origin fetch from the test page would need CORS).
      const page = await one.run<string>(`fetch('/').then((response) => response.text())`);
      expect(page).to.match(/<script type="module" src="\/_content\/PeerChat\.AspNetCore\/peer-chat\.js\?v=[0-9a-f]{16}"><\/script><peer-chat path="\/peerjs"><\/peer-chat>/);
      const two = await openTab(`${origin}/`);
      tabs.push(two);
      const [idOne, idTwo] = await Promise.all([one.run<string>(TAB_SETUP), two.run<string>(TAB_SETUP)]);
      expect(idOne).to.not.equal(idTwo);

      await two.run(`chat.connect(${JSON.stringify(idOne)}).then(() => true)`);
      await one.run(`until(() => chat.connectedPeers.includes(${JSON.stringify(idTwo)}), 'tab two to connect')`);
      await two.run(`chat.send('hello from a fresh site').then(() => true)`);
      expect(await one.run<string>(`until(() => received[0], 'the message')`)).to.equal('hello from a fresh site');
      await one.run(`chat.send('hello back').then(() => true)`);
      expect(await two.run<string>(`until(() => received[0], 'the reply')`)).to.equal('hello back');

      const sent = await one.run<string>(`(async () => {
        const bytes = new Uint8Array(1024 * 1024 + 7).map((_, i) => (i * 31 + 7) & 0xff);
        await chat.sendFile(new File([bytes], 'fresh.bin'));
        return sha256(bytes);
      })()`);
      const got = await two.run<{ name: string; hash: string }>(`(async () => {
        const file = await until(() => files[0], 'the file');
        return { name: file.name, hash: await sha256(await file.arrayBuffer()) };
      })()`);
      expect(got).to.deep.equal({ name: 'fresh.bin', hash: sent });
    } finally {
      for (const tab of tabs) await tab.close();
      await executeServerCommand('server-stop', { port });
    }
  });
});
