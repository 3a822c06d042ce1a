/**
 * End to end on the ASP.NET Razor page (demo/aspnet, which installs the PeerChat.AspNetCore package): two
 * real tabs on the page served by the real ASP.NET Core app, whose tag helper renders <peer-chat> and the
 * package's script. They register with the site's own /peerjs endpoint, chat, swap files byte for
 * byte, and keep chatting and sending after the ASP.NET process is killed. And the Members page with ids
 * from users: a signed-in tab registers as its user, a second tab of the same user is told the id is taken.
 */
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { chat, openTab, ready, swapFile, type Tab } from './support/site-tabs.js';

async function startAspNet(env: Record<string, string> = {}): Promise<number> {
  // Discovery on, so the test can ask the site which ids registered with it.
  const result = await executeServerCommand<{ port: number }, object>('server-start', { kind: 'aspnet', allowDiscovery: true, env });
  return result!.port;
}

async function stopAspNet(port: number): Promise<void> {
  await executeServerCommand('server-stop', { port });
}

describe('<peer-chat> on the ASP.NET Razor page (demo/aspnet)', function () {
  this.timeout(180_000);

  it('two tabs register with the site\u2019s /peerjs, chat, swap files, and keep going after the app is killed', async () => {
    const port = await startAspNet();
    const origin = `http://127.0.0.1:${port}`;
    let running = true;
    const tabs: Tab[] = [];
    try {
      const one = await openTab(`${origin}/`);
      tabs.push(one);
      const two = await openTab(`${origin}/`);
      tabs.push(two);
      const [idOne, idTwo] = await Promise.all([ready(one), ready(two)]);

      // The page as a visitor gets it: the tag helper's script tag for the package's peer-chat.js, versioned
      // by its content hash, and the element with the mapped signaling path.
      const served = await one.run<{ page: string; script: string; type: string | null; hash: string }>(`(async () => {
        const src = document.querySelector('script[src*="peer-chat.js"]').getAttribute('src');
        const script = await fetch(src);
        const bytes = await script.clone().arrayBuffer();
        return { page: await (await fetch('/')).text(), script: await script.text(), type: script.headers.get('content-type'), hash: await sha256(bytes) };
      })()`);
      const tag = /<script type="module" src="\/_content\/PeerChat\.AspNetCore\/peer-chat\.js\?v=([0-9a-f]{16})"><\/script>/.exec(served.page);
      expect(tag, 'the tag helper renders the script once').to.not.equal(null);
      expect(served.page.split('peer-chat.js').length - 1).to.equal(1);
      expect(served.hash.startsWith(tag![1]), 'v= is the content hash').to.equal(true);
      expect(served.page).to.contain('<peer-chat path="/peerjs"></peer-chat>');
      expect(served.type).to.match(/javascript/);
      // The bundle as rollup wrote it (the test server would serve its own transformed copy, so compare by shape).
      expect(served.script).to.contain('customElements.define');
      expect(served.script.trimEnd().endsWith('//# sourceMappingURL=peer-chat.js.map')).to.equal(true);
      expect(idOne).to.not.equal(idTwo);
      // Only the path the tag helper filled in: the element found the page's own origin.
      expect(await one.run<object>(`({ host: chat.host || location.hostname, attributes: chat.getAttributeNames(), origin: location.origin })`)).to.deep.include({
        attributes: ['path'],
        origin,
      });
      const registered = (await (await fetch(`${origin}/peerjs/peerjs/peers`)).json()) as string[];
      expect(registered).to.include.members([idOne, idTwo]);

      await two.run(`chat.connect(${JSON.stringify(idOne)}).then(() => true)`);
      await one.run(`until(() => chat.connectedPeers.includes(${JSON.stringify(idTwo)}), 'tab two to connect')`);

      await chat(two, idTwo, one, 'hello from tab two');
      await chat(one, idOne, two, 'hello back from tab one');

      const first = await swapFile(one, two, 'pattern.bin', 3 * 1024 * 1024 + 123, 7);
      expect(first.size).to.equal(3 * 1024 * 1024 + 123);
      expect(first.hash).to.equal(first.sent);
      expect(first.listed).to.equal(`pattern.bin (${3 * 1024 * 1024 + 123} bytes, from ${idOne})`);

      // The ASP.NET app goes away (SIGKILL: no goodbye to its sockets).
      await stopAspNet(port);
      running = false;
      expect(await fetch(`${origin}/peerjs/`).then(() => 'answered', () => 'unreachable')).to.equal('unreachable');
      for (const tab of [one, two]) {
        expect(await tab.run<string>(`until(() => chat.signalingState !== 'open' && chat.signalingState, 'the lost server')`)).to.be.oneOf(['reconnecting', 'connecting', 'closed']);
      }

      // The browsers talk directly: chat and files go on.
      await chat(one, idOne, two, 'the server is gone, are you still there?');
      await chat(two, idTwo, one, 'still here');
      const second = await swapFile(two, one, 'after-the-server.bin', 512 * 1024 + 1, 11);
      expect(second.size).to.equal(512 * 1024 + 1);
      expect(second.hash).to.equal(second.sent);
      expect(await one.run<string[]>(`chat.connectedPeers`)).to.deep.equal([idTwo]);
      expect(await two.run<string[]>(`chat.connectedPeers`)).to.deep.equal([idOne]);
    } finally {
      for (const tab of tabs) await tab.close();
      if (running) await stopAspNet(port);
    }
  });

  it('with PeerChatDemo__IdsFromUsers=true, a signed-in tab on /Members registers as its user; a second tab of that user gets id-taken', async () => {
    const port = await startAspNet({ PeerChatDemo__IdsFromUsers: 'true' });
    const origin = `http://127.0.0.1:${port}`;
    const user = `member-${Date.now().toString(36)}`;
    const tabs: Tab[] = [];
    try {
      // Anonymous: the members page sends the visitor to the sign-in form, and the signaling endpoint refuses.
      const signIn = await openTab(`${origin}/Members`);
      tabs.push(signIn);
      expect(await signIn.run<string>('location.pathname')).to.equal('/SignIn');
      expect(await signIn.run<number>(`fetch('/peerjs/peerjs/id').then((response) => response.status)`)).to.equal(401);
      // Signs in as the form does (with its antiforgery token); the cookie is the browser's from then on.
      const landed = await signIn.run<string>(`(async () => {
        const form = new FormData(document.querySelector('form'));
        form.set('name', ${JSON.stringify(user)});
        return (await fetch(location.href, { method: 'POST', body: form })).url;
      })()`);
      expect(new URL(landed).pathname).to.equal('/Members');

      const first = await openTab(`${origin}/Members`);
      tabs.push(first);
      expect(await ready(first), 'the signed-in tab registers its user\u2019s id').to.equal(user);
      expect(await first.run<string>(`chat.getAttribute('name')`), 'asp-name-from-user').to.equal(user);

      // The same user in a second tab: its own token, the same id: ID-TAKEN, which the element reports as
      // peer-chat-error id-taken (and keeps retrying with backoff, so the event is caught on a retry too).
      const second = await openTab(`${origin}/Members`);
      tabs.push(second);
      const error = await second.run<{ type: string; message: string }>(`(async () => {
        await customElements.whenDefined('peer-chat');
        const chat = document.querySelector('peer-chat');
        return new Promise((resolve, reject) => {
          setTimeout(() => reject(new Error('no id-taken error within 20 s')), 20000);
          chat.addEventListener('peer-chat-error', (event) => {
            if (event.detail.type === 'id-taken') resolve({ type: event.detail.type, message: event.detail.message });
          });
        });
      })()`);
      expect(error.type).to.equal('id-taken');
      expect(error.message).to.contain(user);
      expect(await second.run<string>('document.querySelector("peer-chat").signalingState')).to.not.equal('open');
      // The first tab keeps the id.
      expect(await first.run<string[]>(`[chat.signalingState, chat.peerId]`)).to.deep.equal(['open', user]);

      // Signed out again, so that no later test's page finds this user's cookie.
      const signedOut = await first.run<string>(`(async () => {
        await fetch('/Members?handler=SignOut', { method: 'POST', body: new FormData(document.querySelector('form')) });
        return (await fetch('/Members')).url;
      })()`);
      expect(new URL(signedOut).pathname).to.equal('/SignIn');
    } finally {
      for (const tab of tabs) await tab.close();
      await stopAspNet(port);
    }
  });
});
