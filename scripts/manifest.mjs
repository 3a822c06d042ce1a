#!/usr/bin/env node
// Finishes dist/custom-elements.json, which the analyzer writes from src/ (`npm run manifest`):
// module paths become the shipped modules (src/x.ts → dist/esm/x.js: the schema wants the file
// to import, not its TypeScript source), and dist/vscode.html-custom-data.json is generated from
// it for VS Code's `html.customData` setting.
import { readFileSync, writeFileSync } from 'node:fs';

const MANIFEST = 'dist/custom-elements.json';
const VSCODE_DATA = 'dist/vscode.html-custom-data.json';
const README_URL = 'https://github.com/peer-chat/peer-chat#readme';

const shipped = (path) => path.replace(/^src\/(.*)\.ts$/, 'dist/esm/$1.js');
const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'), (key, value) => ((key === 'path' || key === 'module') && typeof value === 'string' ? shipped(value) : value));
writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);

const declarations = manifest.modules.flatMap((module) => module.declarations ?? []);
/** The string values of a type: quoted literals (`'a' | 'b'`), or those of the `as const` object of that name (`AcceptFiles`). */
function valuesOf(typeText = '') {
  const literals = [...typeText.matchAll(/'([^']*)'/g)].map((match) => match[1]);
  if (literals.length > 0) return literals;
  const object = declarations.find((declaration) => declaration.kind === 'variable' && declaration.name === typeText.trim());
  const source = (object?.default ?? '').replace(/\/\*[\s\S]*?\*\//g, '');
  return [...source.matchAll(/:\s*'([^']*)'/g)].map((match) => match[1]);
}

const tags = declarations
  .filter((declaration) => declaration.customElement && declaration.tagName)
  .map((element) => ({
    name: element.tagName,
    description: [element.summary, element.description].filter(Boolean).join('\n\n'),
    attributes: (element.attributes ?? []).map((attribute) => {
      const values = valuesOf(attribute.type?.text);
      return {
        name: attribute.name,
        ...(attribute.description ? { description: attribute.description } : {}),
        ...(values.length > 0 ? { values: values.map((name) => ({ name })) } : {}),
      };
    }),
    references: [{ name: 'README', url: README_URL }],
  }));
if (tags.length === 0) throw new Error(`${MANIFEST} declares no custom element`);
writeFileSync(VSCODE_DATA, `${JSON.stringify({ version: 1.1, tags }, null, 2)}\n`);
console.log(`${MANIFEST}: paths point at dist/esm; ${VSCODE_DATA}: ${tags.map((tag) => `<${tag.name}>`).join(', ')}`);
