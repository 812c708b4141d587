// `npm run build -w apps/zendesk-sidebar`: the Vite build into dist/ (served by the sandbox
// preview at /app/), then the Zendesk app layout in dist/zendesk-app/ (manifest, requirements,
// translations, assets/ with the page as assets/iframe.html) — the folder `zcli apps:server`
// can serve and scripts/package.mjs zips.
import { copyFileSync, cpSync, mkdirSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const at = (path) => `${appDir}${path}`;

await build({ configFile: at('vite.config.ts'), logLevel: 'warn' });

mkdirSync(at('dist/zendesk-app/assets'), { recursive: true });
for (const file of ['manifest.json', 'requirements.json']) copyFileSync(at(file), at(`dist/zendesk-app/${file}`));
cpSync(at('translations'), at('dist/zendesk-app/translations'), { recursive: true });
cpSync(at('assets'), at('dist/zendesk-app/assets'), { recursive: true });
for (const file of readdirSync(at('dist')).filter((name) => name !== 'zendesk-app')) {
  // The manifest points at assets/iframe.html; the bundle sits beside it (relative paths).
  copyFileSync(at(`dist/${file}`), at(`dist/zendesk-app/assets/${file === 'index.html' ? 'iframe.html' : file}`));
}
console.log('built dist/ (the page) and dist/zendesk-app/ (the app layout)');
