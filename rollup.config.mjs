import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import resolve from '@rollup/plugin-node-resolve';
import { rollup } from 'rollup';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { transform } from 'esbuild';

/**
 * Resolves packages that PeerJS imports to our small stand-ins, each of which says why it is
 * enough: `webrtc-adapter` (src/vendor/webrtc-adapter.ts) and `peerjs-js-binarypack`
 * (src/vendor/binarypack.ts).
 */
function standIns() {
  const standIn = (file) => fileURLToPath(new URL(`./src/vendor/${file}`, import.meta.url));
  const files = { 'webrtc-adapter': standIn('webrtc-adapter.ts'), 'peerjs-js-binarypack': standIn('binarypack.ts') };
  return {
    name: 'stand-ins',
    resolveId: (source) => files[source] ?? null,
  };
}

/**
 * Marks PeerJS's logging calls pure, so that terser drops them with their messages: the
 * transport runs PeerJS with `debug: 0`, where its logger prints nothing anyway.
 */
function quietPeerJs() {
  return {
    name: 'quiet-peerjs',
    transform(code, id) {
      if (!id.endsWith('/peerjs/dist/bundler.mjs')) return null;
      const logger = /var ([\w$]+) = new [\w$]+Logger\(\);/.exec(code)?.[1];
      if (!logger) this.error('PeerJS no longer makes its logger as expected: see quietPeerJs');
      const calls = new RegExp(`(return )?\\(0, ${logger.replaceAll('$', '\\$')}\\)\\.(?:log|warn|error)\\(`, 'g');
      // A returned call's value (undefined) is voided, so that the call can go too. No new
      // source map: only the lines of the calls shift, and those calls are dropped.
      return { code: code.replace(calls, (call, returned) => (returned ? `return void /*@__PURE__*/${call.slice(returned.length)}` : `/*@__PURE__*/${call}`)), map: null };
    },
  };
}

/**
 * Drops members of PeerJS that nothing calls and that minifying cannot drop, being methods:
 * the deprecated `listAllPeers` (of `Peer` and of its HTTP API, with their messages), the
 * `toString()` of its browser support and `isUnifiedPlanSupported()`, which only that `toString()`
 * called, the media calls' `call()` (of `Peer`) and `answer()` (of a call that came in), and
 * the unused helpers `blobToArrayBuffer` and `binaryStringToArrayBuffer` of its `util`. The
 * transport owns its `Peer` and calls none of them. A media call that comes in (a plain PeerJS
 * app's `call()`) is dropped as PeerJS drops an offer of a type it does not know, rather than
 * made into a `MediaConnection` that nothing would answer: the class then goes from the bundle.
 * The build fails if PeerJS no longer has one of them, or still names one whose name is its own
 * (a call a new version added).
 */
function trimPeerJs() {
  // Each member's definition, and its `name` where PeerJS uses that word for it alone (not
  // `toString`, `call` or `answer`): once the definitions are blanked, a name left is a new call.
  // `body`: only the block's body goes, and this takes its place. `line`: only the match goes
  // (the `MediaConnection` class's static prefix, whose assignment would keep the class).
  const members = [
    { definition: /\bif \(payload\.type === \(0, [\w$]+\)\.Media\) \{$/gm, body: 'return;' },
    { definition: /^\s*static #_ = this\.ID_PREFIX = "mc_";$/gm, line: true },
    { definition: /(?:async )?\blistAllPeers\(.*\) \{$/gm, name: 'listAllPeers' },
    { definition: /\btoString\(\) \{(?=\s*return `Supports:)/g },
    { definition: /\bcall\(peer, stream, options = \{\}\) \{$/gm },
    { definition: /\banswer\(stream, options = \{\}\) \{$/gm },
    { definition: /\bisUnifiedPlanSupported\(\) \{$/gm, name: 'isUnifiedPlanSupported' },
    { definition: /\bblobToArrayBuffer\(blob, cb\) \{$/gm, name: 'blobToArrayBuffer' },
    { definition: /\bbinaryStringToArrayBuffer\(binary\) \{$/gm, name: 'binaryStringToArrayBuffer' },
  ];
  return {
    name: 'trim-peerjs',
    transform(code, id) {
      if (!id.endsWith('/peerjs/dist/bundler.mjs')) return null;
      let trimmed = code;
      for (const { definition, body = '', line = false } of members) {
        const starts = [...trimmed.matchAll(definition)].map((match) => [match.index, match.index + match[0].length - 1]).reverse();
        if (starts.length === 0) this.error(`PeerJS no longer has ${definition}: see trimPeerJs`);
        for (const [definitionStart, open] of starts) {
          const [start, end] = line ? [definitionStart, open + 1] : body ? [open + 1, blockEnd(trimmed, open) - 1] : [definitionStart, blockEnd(trimmed, open)];
          // Its lines stay, empty, so that the source map's lines after it stay right.
          trimmed = trimmed.slice(0, start) + body + trimmed.slice(start, end).replace(/[^\n]/g, '') + trimmed.slice(end);
        }
      }
      for (const { name } of members) {
        if (name && new RegExp(`\\b${name}\\b`).test(trimmed)) this.error(`PeerJS still names ${name}, which trimPeerJs drops: a call would fail at run time`);
      }
      return { code: trimmed, map: null };
    },
  };
}

/** The index just after the block that opens at `open`: braces balance (none of these has one in a string). */
function blockEnd(code, open) {
  let depth = 0;
  for (let at = open; at < code.length; at++) {
    if (code[at] === '{') depth++;
    else if (code[at] === '}' && --depth === 0) return at + 1;
  }
  throw new Error('unbalanced braces');
}

/**
 * Minifies the CSS of Lit's css`…` templates (without interpolations), which terser leaves as
 * written, comments included. Only the template's text changes: the module's other lines keep
 * their places, so its source map stays right up to the styles.
 */
function minifyCss() {
  return {
    name: 'minify-css',
    async transform(code, id) {
      if (!id.endsWith('.styles.ts')) return null;
      let minified = '';
      let last = 0;
      for (const match of code.matchAll(/\bcss ?`([^`$\\]*)`/g)) {
        const { code: css } = await transform(match[1], { loader: 'css', minify: true });
        minified += `${code.slice(last, match.index)}css\`${css.trim()}\``;
        last = match.index + match[0].length;
      }
      return { code: minified + code.slice(last), map: null };
    },
  };
}

/**
 * Drops the indentation after each line break in the text of Lit's html`…` templates, which
 * terser leaves as written: HTML shows a line break and the spaces after it as one space, and
 * none of the templates' text sits in an element that keeps white space (`pre`, `pre-wrap`:
 * the message text comes from an expression). Expressions are left as they are. No new source
 * map: lines keep their places, and only the columns within the templates' lines shift.
 */
function minifyHtml() {
  return {
    name: 'minify-html',
    transform(code, id) {
      // Lit's modules, where html is the tag, not a word in a comment. The code here is the
      // typescript plugin's output (it compiles as modules load): the tag is written html `.
      if (!id.includes('/src/') || !id.endsWith('.ts') || !/^import \{[^}]*\bhtml\b[^}]*\} from 'lit';$/m.test(code)) return null;
      // Each html template's text, between its expressions, as [start, end) ranges of `code`.
      const texts = [];
      // The end of the template literal opening at `open` (its backtick); with `keep`, its text's ranges.
      const template = (open, keep) => {
        let start = open + 1;
        for (let at = start; at < code.length; at++) {
          if (code[at] === '\\') at++;
          else if (code[at] === '`') {
            if (keep) texts.push([start, at]);
            return at;
          } else if (code[at] === '$' && code[at + 1] === '{') {
            if (keep) texts.push([start, at]);
            at = expression(at + 2);
            start = at + 1;
          }
        }
        throw new Error(`${id}: a template literal does not end`);
      };
      // The index of the quote that closes the string opening at `open`.
      const stringEnd = (open) => {
        for (let at = open + 1; at < code.length; at++) {
          if (code[at] === '\\') at++;
          else if (code[at] === code[open]) return at;
        }
        return -1;
      };
      // The index of the brace that closes the expression starting at `from`. Regular
      // expression literals are not told apart: one with a quote, a backtick or // in it, in a
      // template's expression, would be misread (none is; move such a one out of the template).
      const expression = (from) => {
        let depth = 0;
        for (let at = from; at < code.length; at++) {
          const char = code[at];
          if (char === '`') at = template(at, /\bhtml ?$/.test(code.slice(from, at)));
          else if (char === "'" || char === '"') at = stringEnd(at);
          else if (code.startsWith('//', at)) at = code.indexOf('\n', at);
          else if (code.startsWith('/*', at)) at = code.indexOf('*/', at) + 1;
          else if (char === '{') depth++;
          else if (char === '}' && depth-- === 0) return at;
          // A string or comment that does not end (-1, or 0 for a comment): the scan would start over.
          if (at < from) break;
        }
        throw new Error(`${id}: an expression in a template does not end`);
      };
      let end = -1;
      for (const match of code.matchAll(/\bhtml ?`/g)) {
        // One nested in another's expressions was taken with it.
        if (match.index > end) end = template(match.index + match[0].length - 1, true);
      }
      let minified = '';
      let last = 0;
      for (const [start, end] of texts.sort((a, b) => a[0] - b[0])) {
        minified += code.slice(last, start) + code.slice(start, end).replace(/\n[ \t]+/g, '\n');
        last = end;
      }
      return { code: minified + code.slice(last), map: null };
    },
  };
}

/** What compiles TypeScript and minifies, for the bundle and each part of it. */
const compile = () => [
  minifyCss(),
  minifyHtml(),
  quietPeerJs(),
  trimPeerJs(),
  resolve({ browser: true }),
  typescript({ tsconfig: './tsconfig.json', include: ['src/**/*.ts'], compilerOptions: { noEmitOnError: true } }),
  terser({
    ecma: 2022,
    module: true,
    // pure_getters: a property read whose value is unused goes: 110 bytes gzipped. None of our
    // code reads one for its side effects, and the element's tests run on this bundle.
    // unsafe: 66 bytes. What it changed here (the bundles' tokens compared with and without):
    // the values of `as const` objects (Direction.in, …) inlined, as nothing writes to them;
    // `String(x)` and template literals as `"" + x`, which differ only for a symbol (it now
    // throws: `send(Symbol())` is a TypeError, not the text "Symbol()") or an object whose
    // valueOf is not its string; `x.toString()` as `"" + x` (a BigInt's, PeerJS's id's: the
    // same); `new Error(…)` as `Error(…)`. Its other rewrites (`Boolean(x)`, `apply` with an
    // array, built-in calls taken as pure) found nothing to change.
    compress: { passes: 3, pure_getters: true, unsafe: true },
    // PeerJS's internal members (`_options`, `_socket`, …) get short names. Nothing of ours is
    // named so, Lit's own (`_$…`, `__…`) do not match, and no object crosses between parts.
    mangle: { properties: { regex: /^_[a-zA-Z]/ } },
    format: { comments: false },
  }),
];

/**
 * Builds each module the bundle imports with import() as a file of its own, with its own copies
 * of the little it shares with the bundle (errors, protocol helpers): a part never imports
 * the bundle, because it could not name it. A page may load the bundle as peer-chat.js?v=…,
 * and a part importing ./peer-chat.js would bring a second copy of the whole element.
 * Named by content, so that a cached old part never meets a new bundle.
 */
function partsApart(onwarn) {
  const built = new Map();
  return {
    name: 'parts-apart',
    async resolveDynamicImport(specifier, importer) {
      if (typeof specifier !== 'string' || !specifier.startsWith('.')) return null;
      const input = fileURLToPath(new URL(specifier.replace(/\.js$/, '.ts'), `file://${importer}`));
      this.addWatchFile(input);
      if (!built.has(input)) {
        const part = await rollup({ input, onwarn, plugins: compile() });
        const { output } = await part.generate({ dir: 'dist', format: 'es', sourcemap: true, entryFileNames: 'peer-chat-[name]-[hash].js' });
        await part.close();
        const [chunk, ...rest] = output;
        if (rest.some((file) => file.type === 'chunk')) this.error(`${input} loads parts of its own: build it with the bundle`);
        this.emitFile({ type: 'asset', fileName: chunk.fileName, source: `${chunk.code}//# sourceMappingURL=${chunk.fileName}.map\n` });
        this.emitFile({ type: 'asset', fileName: `${chunk.fileName}.map`, source: chunk.map.toString() });
        built.set(input, `./${chunk.fileName}`);
      }
      return { id: built.get(input), external: true };
    },
  };
}

/** Prints the size of each file of the bundle, raw and gzipped, once written. */
function reportSize() {
  return {
    name: 'report-size',
    writeBundle(options, bundle) {
      const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
      for (const file of Object.values(bundle)) {
        if (!file.fileName.endsWith('.js')) continue;
        const code = readFileSync(join(options.dir, file.fileName));
        console.log(`${options.dir}/${file.fileName}: ${kib(code.length)}, ${kib(gzipSync(code, { level: 9 }).length)} gzip${file.type === 'chunk' ? '' : ' (loaded on demand)'}`);
      }
    },
  };
}

function onwarn(warning, warn) {
  // Transpiled dependencies test `this` at module level; in ES modules it is undefined, as they expect.
  if (warning.code === 'THIS_IS_UNDEFINED' && warning.id?.includes('node_modules')) return;
  warn(warning);
}

export default {
  input: 'src/index.ts',
  // dist/peer-chat.js, and beside it the parts loaded on demand (see partsApart).
  output: { dir: 'dist', entryFileNames: 'peer-chat.js', format: 'es', sourcemap: true },
  onwarn,
  plugins: [standIns(), partsApart(onwarn), ...compile(), reportSize()],
};
