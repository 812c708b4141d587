// `npm run build -w apps/zendesk-sidebar [-- --out <dir>]`: the Vite build into dist/ (the page the
// Refund Desk server answers at the app's location URL, /zendesk/app/{org}/sidebar), then the
// Zendesk app layout in dist/zendesk-app/ (manifest with signedUrls, requirements, translations,
// assets/ with the logos) that scripts/package.mjs zips: the page itself is not in the package,
// Zendesk loads it from our server with a signed token. --out builds elsewhere (tests), so a
// running server keeps its files.
import { copyFileSync, cpSync, mkdirSync } from 'node:fs';
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
console.log(`built ${outDir} (the page) and ${layout} (the app layout)`);
