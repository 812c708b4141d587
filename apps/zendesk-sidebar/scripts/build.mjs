// `npm run build -w apps/zendesk-sidebar [-- --out <dir>]`: the Vite build into dist/ (served by
// the sandbox preview at /app/), then the Zendesk app layout in dist/zendesk-app/ (manifest,
// requirements, translations, assets/ with the page as assets/iframe.html) — the folder
// `zcli apps:server` can serve and scripts/package.mjs zips. --out builds elsewhere (tests), so
// a running preview keeps its files.
import { copyFileSync, cpSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'vite';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { out: { type: 'string' } } });
const outDir = path.resolve(values.out ?? path.join(appDir, 'dist'));
const layout = path.join(outDir, 'zendesk-app');
const at = (file) => path.join(appDir, file);

await build({ configFile: at('vite.config.ts'), logLevel: 'warn', build: { outDir } });

mkdirSync(path.join(layout, 'assets'), { recursive: true });
for (const file of ['manifest.json', 'requirements.json']) copyFileSync(at(file), path.join(layout, file));
cpSync(at('translations'), path.join(layout, 'translations'), { recursive: true });
cpSync(at('assets'), path.join(layout, 'assets'), { recursive: true });
for (const file of readdirSync(outDir).filter((name) => name !== 'zendesk-app')) {
  // The manifest points at assets/iframe.html; the bundle sits beside it (relative paths).
  copyFileSync(path.join(outDir, file), path.join(layout, 'assets', file === 'index.html' ? 'iframe.html' : file));
}
console.log(`built ${outDir} (the page) and ${layout} (the app layout)`);
