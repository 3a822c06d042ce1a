import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { appBundlePlugin } from './test/support/app-bundle-plugin.mjs';
import { chromiumLaunchOptions } from './test/support/browsers.mjs';
import { firefoxLauncher } from './test/support/firefox-launcher.mjs';
import { permissionsPlugin } from './test/support/permissions-plugin.mjs';
import { remoteHostPlugin } from './test/support/remote-host.mjs';
import { tabsPlugin } from './test/support/tabs-plugin.mjs';
import { turnNetworkPlugin } from './test/support/turn-network.mjs';
import { serversPlugin } from './test/conformance/servers.mjs';

/** Debian's Chromium and firefox-esr (launch options and prefs in test/support/browsers.mjs). */
const chromium = chromeLauncher({ launchOptions: chromiumLaunchOptions });
const firefox = firefoxLauncher();
/** Both by default; PEER_CHAT_BROWSERS=firefox (or chromium) runs one of them. */
const wanted = (process.env.PEER_CHAT_BROWSERS ?? 'chromium,firefox').split(',').map((name) => name.trim().toLowerCase());
const browsers = Object.entries({ chromium, firefox }).filter(([name]) => wanted.includes(name)).map(([, launcher]) => launcher);

export default {
  files: ['test/**/*.test.ts'],
  nodeResolve: true,
  rootDir: '.',
  browsers,
  // Tests kill and restart their own signaling servers; one file at a time keeps timings honest.
  concurrency: 1,
  // And one browser at a time: two browsers each pushing tens of MiB through WebRTC on two
  // cores starve each other's timers.
  concurrentBrowsers: 1,
  testsFinishTimeout: 15 * 60 * 1000,
  browserStartTimeout: 60_000,
  testFramework: { config: { timeout: 60_000 } },
  // @open-wc/testing loads Lit's development build; its notice is noise here.
  filterBrowserLogs: ({ args }) => !String(args[0]).startsWith('Lit is in dev mode'),
  plugins: [
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' }),
    tabsPlugin(),
    // grant-notifications: the notification permission, for test/ux.test.ts.
    permissionsPlugin(),
    // /app-bundle/<file>: <file> bundled as an app would (test/package.test.ts).
    appBundlePlugin(),
    remoteHostPlugin(),
    // Two hosts with no route between them and a coturn host between (test/turn.test.ts).
    turnNetworkPlugin(),
    // server-start / server-stop: the Node and the ASP.NET signaling servers, for every test.
    serversPlugin(),
  ],
};
