import { readFileSync } from 'node:fs';
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

/** Prints the bundle's size, raw and gzipped, once it is written. */
function reportSize() {
  return {
    name: 'report-size',
    writeBundle(options) {
      const code = readFileSync(options.file);
      const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
      console.log(`${options.file}: ${kib(code.length)}, ${kib(gzipSync(code, { level: 9 }).length)} gzip`);
    },
  };
}

export default {
  input: 'src/index.ts',
  output: { file: 'dist/peer-chat.js', format: 'es', sourcemap: true },
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
