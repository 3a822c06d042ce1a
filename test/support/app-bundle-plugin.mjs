// web-test-runner plugin: serves /app-bundle/<file> as an app's bundler would build <file>, with
// its bare imports resolved and inlined and CommonJS converted. The npm entry (dist/esm) cannot
// load in a browser as it is: peerjs imports webrtc-adapter, which imports `sdp`, CommonJS.
// test/package.test.ts loads the npm entry this way.
import { build } from 'esbuild';

const PREFIX = '/app-bundle/';

export function appBundlePlugin() {
  return {
    name: 'peer-chat-app-bundle',
    async serve(context) {
      if (!context.path.startsWith(PREFIX)) return undefined;
      const result = await build({
        entryPoints: [context.path.slice(PREFIX.length)],
        bundle: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        write: false,
        logLevel: 'silent',
      });
      return { body: result.outputFiles[0].text, type: 'js' };
    },
  };
}
