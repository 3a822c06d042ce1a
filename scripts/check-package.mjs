#!/usr/bin/env node
// Checks the package as npm users get it (`npm run check:package`, after `npm run build`):
//  1. `npm pack` ships what package.json promises (exports, types, manifest, VS Code data,
//     CHANGELOG) and nothing it should not (sources, tests, demo, the bundle's stand-ins);
//  2. the npm entry leaves `lit` and `peerjs` bare and imports only declared packages, and the
//     bundle imports nothing;
//  3. a strict TypeScript project that installs the tarball type-checks test/consumer/ (the
//     element, its events on the element and on `document`, the React wrapper), under both
//     `bundler` and `nodenext` resolution. Its @ts-expect-error lines make loose types fail.
// The install uses npm's cache first (`npm ci` filled it), the registry only for what is missing.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const failures = [];
const fail = (message) => failures.push(message);
const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const installedVersion = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;

const work = mkdtempSync(join(tmpdir(), 'peer-chat-package-'));
try {
  // 1. What the tarball holds.
  const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', work], root));
  const files = new Set(packed.files.map((file) => file.path));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const promised = [
    pkg.main,
    pkg.types,
    pkg.customElements,
    pkg['vscode-html-custom-data'],
    ...Object.values(pkg.exports).flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target))),
    'dist/peer-chat.js',
    'CHANGELOG.md',
    'README.md',
    'LICENSE',
  ].map((path) => path.replace(/^\.\//, ''));
  for (const path of new Set(promised)) if (!files.has(path)) fail(`the tarball lacks ${path}`);
  for (const path of files) {
    if (/^(src|test|demo|aspnet|bench|scripts|docs)\//.test(path) || (path.endsWith('.ts') && !path.endsWith('.d.ts')) || path.includes('/vendor/')) {
      fail(`the tarball should not ship ${path}`);
    }
  }
  for (const js of [...files].filter((path) => path.startsWith('dist/esm/') && path.endsWith('.js'))) {
    if (!files.has(js.replace(/\.js$/, '.d.ts'))) fail(`${js} has no .d.ts`);
  }
  const manifest = JSON.parse(readFileSync(join(root, pkg.customElements), 'utf8'));
  for (const module of manifest.modules) if (!files.has(module.path)) fail(`custom-elements.json names ${module.path}, which is not shipped`);

  // 2. Imports: bare in the npm entry, and only of declared packages; none in the bundle.
  const declared = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)]);
  const bare = new Set();
  for (const path of files) {
    if (!/\.(js|d\.ts)$/.test(path)) continue;
    for (const specifier of await importsOf(join(root, path))) {
      if (specifier.startsWith('.')) continue;
      if (path === 'dist/peer-chat.js') fail(`the bundle imports ${specifier}: it should be self-contained`);
      const name = specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
      bare.add(name);
      if (!declared.has(name)) fail(`${path} imports ${specifier}, not a dependency or peer dependency`);
    }
  }
  for (const name of ['lit', 'peerjs']) if (!bare.has(name)) fail(`the npm entry should import ${name} (bare, shared with the app)`);

  // 3. A strict TypeScript app that installs the tarball.
  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'peer-chat-consumer', private: true, type: 'module' }));
  const tools = ['typescript', '@types/react', '@lit/react'].map((name) => `${name}@${installedVersion(name)}`);
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', join(work, packed.filename), ...tools], app);
  cpSync(join(root, 'test/consumer'), join(app, 'src'), { recursive: true });
  const compilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    target: 'ES2022',
    lib: ['ES2022', 'DOM', 'DOM.Iterable'],
    jsx: 'react-jsx',
    types: [],
  };
  for (const resolution of [{ module: 'ESNext', moduleResolution: 'bundler' }, { module: 'NodeNext', moduleResolution: 'NodeNext' }]) {
    const config = `tsconfig.${resolution.moduleResolution.toLowerCase()}.json`;
    writeFileSync(join(app, config), JSON.stringify({ compilerOptions: { ...compilerOptions, ...resolution }, include: ['src'] }, null, 2));
    const tsc = spawnSync(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '-p', config], { cwd: app, encoding: 'utf8' });
    if (tsc.status === 0) console.log(`check-package: test/consumer type-checks against the tarball (${resolution.moduleResolution})`);
    else fail(`test/consumer does not type-check against the tarball (${resolution.moduleResolution}):\n${tsc.stdout}${tsc.stderr}`);
  }
  console.log(`check-package: ${packed.filename}, ${files.size} files, ${(packed.size / 1024).toFixed(1)} KiB packed`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (failures.length > 0) {
  for (const failure of failures) console.error(`check-package: ${failure}`);
  process.exit(1);
}
console.log('check-package: the package is as promised');

/**
 * What `path` imports. JavaScript as esbuild parses it, static or dynamic: a pattern would also
 * match the minified bundle's strings that say "from ". Declarations by a pattern: esbuild drops
 * imports used only as types, which is all of theirs, and they hold no such strings.
 */
async function importsOf(path) {
  const contents = readFileSync(path, 'utf8');
  if (path.endsWith('.d.ts')) return [...contents.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["']([^"']+)["']/g)].map(([, specifier]) => specifier);
  const { metafile } = await build({ stdin: { contents, loader: 'js' }, bundle: true, external: ['*'], write: false, metafile: true, format: 'esm', platform: 'neutral', logLevel: 'silent' });
  return Object.values(metafile.inputs).flatMap((input) => input.imports.map((imported) => imported.path));
}
