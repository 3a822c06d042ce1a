import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import commonjs from '@rollup/plugin-commonjs';
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

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
    resolve({ browser: true }),
    // peerjs depends on webrtc-adapter, which imports the CommonJS package `sdp`.
    commonjs(),
    typescript({ tsconfig: './tsconfig.json', include: ['src/**/*.ts'], compilerOptions: { noEmitOnError: true } }),
    terser({ ecma: 2022, module: true, format: { comments: false } }),
    reportSize(),
  ],
};
