// How the tests launch their browsers: Debian's Chromium and firefox-esr, through puppeteer-core
// (CDP for Chromium, WebDriver BiDi for Firefox), both with WebRTC host candidates visible
// inside the private network namespace of scripts/netns.mjs.
import puppeteer from 'puppeteer-core';

/** puppeteer launch options for Chromium (also used by web-test-runner's Chrome launcher). */
export const chromiumLaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    // Real host addresses in ICE candidates, not mDNS names nothing here can resolve.
    '--disable-features=WebRtcHideLocalIpsWithMdns',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
    // Memory checks in the hostile-peer tests: exact heap figures, and a way to collect garbage first.
    '--enable-precise-memory-info',
    '--js-flags=--expose-gc',
  ],
};

/** Firefox preferences for WebRTC tests inside the private network namespace. */
export const firefoxPrefs = {
  // Real host addresses in ICE candidates, not mDNS names nothing here can resolve.
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  // No permission prompts.
  'media.navigator.permission.disabled': true,
  // Notifications allowed, as if a person had said yes (Chromium gets it per test, over CDP).
  'permissions.default.desktop-notification': 1,
  // A test page behind another tab (tab-open) keeps full-speed timers, as puppeteer's
  // --disable-background-timer-throttling gives Chromium: liveness checks run on time.
  'dom.min_background_timeout_value': 4,
  'dom.min_background_timeout_value_without_budget_throttling': 4,
  'dom.timeout.enable_budget_timer_throttling': false,
  'dom.suspend_inactive.enabled': false,
  // No phoning home, no updates, no first-run pages.
  'app.update.enabled': false,
  'browser.shell.checkDefaultBrowser': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
};

/** puppeteer launch options for Firefox. */
export const firefoxLaunchOptions = {
  browser: 'firefox',
  executablePath: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
  headless: true,
  extraPrefsFirefox: firefoxPrefs,
};

/** Launches a headless browser, 'chromium' or 'firefox'; `options` override the defaults. */
export function launchBrowser(kind, options = {}) {
  const defaults = { chromium: chromiumLaunchOptions, firefox: firefoxLaunchOptions }[kind];
  if (!defaults) throw new Error(`unknown browser ${kind}`);
  return puppeteer.launch({
    defaultViewport: { width: 800, height: 600 },
    ...defaults,
    ...options,
    ...(kind === 'firefox' ? { extraPrefsFirefox: { ...firefoxPrefs, ...options.extraPrefsFirefox } } : {}),
  });
}
