// web-test-runner plugin: lets browser tests open, drive and close real browser tabs through
// `executeServerCommand` (signaling servers: test/conformance/servers.mjs).
// A tab opened with `browser: 'other'` is in a separate instance of the other browser
// (Firefox for a test running in Chromium, Chromium for one in Firefox).
import { launchBrowser } from './browsers.mjs';

export function tabsPlugin() {
  /** Extra tabs opened by tests, by a number. */
  const tabs = new Map();
  let nextTab = 1;
  /** Other-browser instances by kind ('chromium', 'firefox'): { browser: Promise, tabs: count }. */
  const others = new Map();

  async function openOther(kind) {
    let other = others.get(kind);
    if (!other) {
      other = { browser: launchBrowser(kind), tabs: 0 };
      others.set(kind, other);
      other.browser.catch(() => others.delete(kind));
    }
    other.tabs++;
    try {
      return await (await other.browser).newPage();
    } catch (error) {
      other.tabs--;
      throw error;
    }
  }

  /** Closes an other-browser instance once its last tab is closed. */
  async function releaseOther(kind) {
    const other = others.get(kind);
    if (!other || --other.tabs > 0) return;
    others.delete(kind);
    await (await other.browser).close();
  }

  return {
    name: 'peer-chat-tabs',
    async executeCommand({ command, payload, session }) {
      switch (command) {
        case 'tab-open': {
          // A real second tab of the same browser (or of the other one), on a page of this test server.
          const page = await session.browser.getPage(session.id);
          const kind = payload.browser === 'other' ? (session.browser.name === 'Firefox' ? 'chromium' : 'firefox') : undefined;
          const tab = kind ? await openOther(kind) : await page.browser().newPage();
          const id = nextTab++;
          tabs.set(id, { tab, kind });
          const base = new URL(page.url());
          await tab.goto(new URL(payload.path, base.origin).href);
          return { id, browser: kind ? (await tab.browser().version()) : undefined };
        }
        case 'tab-evaluate': {
          // A script whose value is undefined or null reads as "command not handled": wrap such values.
          return tabs.get(payload.id).tab.evaluate(payload.script);
        }
        case 'tab-close': {
          const entry = tabs.get(payload.id);
          tabs.delete(payload.id);
          await entry?.tab.close({ runBeforeUnload: false });
          if (entry?.kind) await releaseOther(entry.kind);
          return true;
        }
      }
      return undefined;
    },
    async serverStop() {
      await Promise.all([...tabs.values()].map(({ tab }) => tab.close().catch(() => {})));
      await Promise.all([...others.values()].map((other) => other.browser.then((browser) => browser.close()).catch(() => {})));
    },
  };
}
