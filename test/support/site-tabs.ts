/**
 * Real tabs on the pages of the demo/aspnet site (test/aspnet.test.ts, test/aspnet-cluster.test.ts):
 * opened and driven through the tabs plugin (test/support/tabs-plugin.mjs); the page's <peer-chat>
 * registers, chats and swaps files as a person would have it, and the demo page script shows the results.
 */
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';

/** A real tab on `url`; scripts run in it with `run`, which must produce a value (not undefined). */
export async function openTab(url: string) {
  const { id } = (await executeServerCommand<{ id: number }, { path: string }>('tab-open', { path: url }))!;
  return {
    run<T>(script: string): Promise<T> {
      return executeServerCommand<T, { id: number; script: string }>('tab-evaluate', { id, script }) as Promise<T>;
    },
    close: () => executeServerCommand('tab-close', { id }),
  };
}
export type Tab = Awaited<ReturnType<typeof openTab>>;

/** Page-side helpers, installed in each tab: `until` polls a condition; `pattern` and `sha256` check bytes. */
const TAB_HELPERS = `
  window.until = async (condition, what, timeoutMs = 30000) => {
    const start = performance.now();
    for (;;) {
      const value = await condition();
      if (value) return value;
      if (performance.now() - start > timeoutMs) throw new Error('timed out waiting for ' + what);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  window.pattern = (size, seed) => {
    const bytes = new Uint8Array(size);
    let state = seed >>> 0 || 1;
    for (let i = 0; i < size; i++) {
      state ^= state << 13; state ^= state >>> 17; state ^= state << 5;
      bytes[i] = state & 0xff;
    }
    return bytes;
  };
  window.sha256 = async (data) => [...new Uint8Array(await crypto.subtle.digest('SHA-256', data))]
    .map((byte) => byte.toString(16).padStart(2, '0')).join('');
  window.chat = document.querySelector('peer-chat');
  // Clicks "accept" on every file offer, as the person would.
  window.acceptOffers = setInterval(() => {
    for (const button of chat.shadowRoot?.querySelectorAll('[part~="accept-button"]') ?? []) button.click();
  }, 100);
  true;
`;

/** Registers the page's <peer-chat>; resolves with its id. */
export async function ready(tab: Tab): Promise<string> {
  await tab.run(`(async () => {
    await customElements.whenDefined('peer-chat');
    ${TAB_HELPERS}
    return true;
  })()`);
  return tab.run<string>(`until(() => chat.signalingState === 'open' && chat.peerId, 'registration with /peerjs')`);
}

/** Sends `text` from `from`; resolves when the demo page script of `to` shows it in its notice. */
export async function chat(from: Tab, fromId: string, to: Tab, text: string): Promise<void> {
  await from.run(`chat.send(${JSON.stringify(text)}).then(() => true)`);
  const notice = await to.run<string>(`until(() => document.getElementById('notice').textContent.includes(${JSON.stringify(text)}) && document.getElementById('notice').textContent, 'the notice')`);
  expect(notice).to.equal(`New message from ${fromId}: ${text}`);
}

/**
 * Sends a pseudo-random file of `size` bytes from `from` to `to`; the receiver's person clicks
 * accept, and the demo page lists it under "Files received". Resolves with both sides' SHA-256
 * and the size the receiver got.
 */
export async function swapFile(from: Tab, to: Tab, name: string, size: number, seed: number) {
  const sent = await from.run<string>(`(async () => {
    const bytes = pattern(${size}, ${seed});
    await chat.sendFile(new File([bytes], ${JSON.stringify(name)}, { type: 'application/octet-stream' }));
    return sha256(bytes);
  })()`);
  const received = await to.run<{ hash: string; size: number; listed: string }>(`(async () => {
    const link = await until(() => [...document.querySelectorAll('#files a')].find((a) => a.download === ${JSON.stringify(name)}), 'the listed file');
    const bytes = await (await fetch(link.href)).arrayBuffer();
    return { hash: await sha256(bytes), size: bytes.byteLength, listed: link.closest('li').textContent };
  })()`);
  return { sent, ...received };
}
