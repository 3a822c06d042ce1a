// A web-test-runner BrowserLauncher for Debian's firefox-esr, driven by puppeteer-core over
// WebDriver BiDi. (@web/test-runner-puppeteer would pull in the full `puppeteer` package.)
// Its type is 'puppeteer' and getPage() returns the puppeteer Page, so the stock commands
// (sendKeys, …) and our signaling plugin's tabs work as with Chromium.
import { launchBrowser } from './browsers.mjs';

export function firefoxLauncher(launchOptions = {}) {
  /** @type {Promise<import('puppeteer-core').Browser> | undefined} */
  let browser;
  /** Pages by test session id. */
  const pages = new Map();
  /** Pages of finished sessions, for reuse. */
  const idle = [];

  return {
    name: 'Firefox',
    type: 'puppeteer',

    async startSession(sessionId, url) {
      browser ??= launchBrowser('firefox', launchOptions);
      const page = idle.pop() ?? (await (await browser).newPage());
      pages.set(sessionId, page);
      await page.goto(url);
    },

    isActive(sessionId) {
      return pages.has(sessionId);
    },

    getBrowserUrl(sessionId) {
      return this.getPage(sessionId).url();
    },

    /** The puppeteer Page of a session (used by sendKeys and by the signaling plugin). */
    getPage(sessionId) {
      const page = pages.get(sessionId);
      if (!page) throw new Error(`Could not find a page for session ${sessionId}`);
      return page;
    },

    async stopSession(sessionId) {
      const page = this.getPage(sessionId);
      pages.delete(sessionId);
      // Stops everything the test left running (timers, connections) before the page is reused.
      await page.goto('about:blank');
      idle.push(page);
      return {};
    },

    async startDebugSession() {
      throw new Error('Debugging is not supported by the Firefox launcher; use Chromium.');
    },

    async stop() {
      const running = await browser?.catch(() => undefined);
      browser = undefined;
      if (running?.connected) await running.close();
    },
  };
}
