import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

/** Resolves `webrtc-adapter` (imported by PeerJS) to our small stand-in: see src/vendor/webrtc-adapter.ts. */
function replaceWebrtcAdapter() {
  const standIn = fileURLToPath(new URL('./src/vendor/webrtc-adapter.ts', import.meta.url));
  return {
    name: 'replace-webrtc-adapter',
    resolveId: (source) => (source === 'webrtc-adapter' ? standIn : null),
  };
}

/** Prints the size of each file of the bundle, raw and gzipped, once written. */
function reportSize() {
  return {
    name: 'report-size',
    writeBundle(options, bundle) {
      const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        const code = readFileSync(join(options.dir, chunk.fileName));
        console.log(`${options.dir}/${chunk.fileName}: ${kib(code.length)}, ${kib(gzipSync(code, { level: 9 }).length)} gzip${chunk.isEntry ? '' : ' (loaded on demand)'}`);
      }
    },
  };
}

export default {
  input: 'src/index.ts',
  // dist/peer-chat.js, and beside it the parts loaded on demand (the QR code), named by content
  // so that a cached old part never meets a new entry.
  output: { dir: 'dist', entryFileNames: 'peer-chat.js', chunkFileNames: 'peer-chat-[name]-[hash].js', format: 'es', sourcemap: true },
  onwarn(warning, warn) {
    // Transpiled dependencies test `this` at module level; in ES modules it is undefined, as they expect.
    if (warning.code === 'THIS_IS_UNDEFINED' && warning.id?.includes('node_modules')) return;
    warn(warning);
  },
  plugins: [
    replaceWebrtcAdapter(),
    resolve({ browser: true }),
    typescript({ tsconfig: './tsconfig.json', include: ['src/**/*.ts'], compilerOptions: { noEmitOnError: true } }),
    terser({ ecma: 2022, module: true, format: { comments: false } }),
    reportSize(),
  ],
};
