// web-test-runner plugin: `grant-notifications` grants the test page's origin the permission
// to show notifications, as a person answering the browser's prompt would. Chromium: through
// CDP (puppeteer's overridePermissions, i.e. Browser.grantPermissions). Firefox: its profile
// already grants it (permissions.default.desktop-notification in test/support/browsers.mjs).
export function permissionsPlugin() {
  return {
    name: 'peer-chat-permissions',
    async executeCommand({ command, session }) {
      if (command !== 'grant-notifications') return undefined;
      if (session.browser.name === 'Firefox') return true;
      const page = await session.browser.getPage(session.id);
      await page.browserContext().overridePermissions(new URL(page.url()).origin, ['notifications']);
      return true;
    },
  };
}
