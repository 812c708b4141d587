// `npm run package -w apps/zendesk-sidebar [-- --domain refunds.example.com [--org slug]]`: builds
// (when dist/zendesk-app/ is missing, or with --rebuild) and zips dist/zendesk-app/ into
// refund-desk-zendesk-<version>.zip, the file to upload in Zendesk (Admin Center > Apps > Upload
// private app). --domain (repeatable; the first is the server) points the sidebar's location URL
// at https://<domain>/zendesk/app/<org>/sidebar (signedUrls: Zendesk POSTs its signed token there)
// and sets domainWhitelist; --org names the organisation (default "default"); --dist and --zip
// choose other places (tests).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { zipSync } from 'fflate';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    domain: { type: 'string', multiple: true },
    org: { type: 'string', default: 'default' },
    rebuild: { type: 'boolean', default: false },
    dist: { type: 'string' },
    zip: { type: 'string' },
  },
});
const distDir = path.resolve(values.dist ?? path.join(appDir, 'dist'));
const layout = path.join(distDir, 'zendesk-app');

if (values.rebuild || !existsSync(path.join(layout, 'manifest.json'))) {
  execFileSync(process.execPath, [path.join(appDir, 'scripts/build.mjs'), '--out', distDir], {
    stdio: 'inherit',
    cwd: appDir,
  });
}

const files = {};
function add(dir, prefix) {
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) add(file, `${prefix}${name}/`);
    else files[`${prefix}${name}`] = new Uint8Array(readFileSync(file));
  }
}
add(layout, '');

const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json']));
if (!/^[a-z0-9][a-z0-9-]*$/.test(values.org)) throw new Error('--org must be an organisation slug');
if (values.domain?.length) {
  manifest.domainWhitelist = values.domain;
  const server = values.domain[0];
  if (!/^[a-z0-9.-]+(:[0-9]+)?$/.test(server)) throw new Error('--domain must be a host name');
  manifest.location.support.ticket_sidebar.url = `https://${server}/zendesk/app/${values.org}/sidebar`;
} else if (values.org !== 'default') {
  manifest.location.support.ticket_sidebar.url = manifest.location.support.ticket_sidebar.url.replace(
    '/zendesk/app/default/',
    `/zendesk/app/${values.org}/`,
  );
}
files['manifest.json'] = new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);

// A fixed timestamp keeps the zip byte-identical for the same inputs.
const zip = zipSync(files, { level: 9, mtime: new Date('2026-01-01T00:00:00Z') });
const out = path.resolve(values.zip ?? path.join(appDir, `refund-desk-zendesk-${manifest.version}.zip`));
writeFileSync(out, zip);
console.log(`wrote ${out} (${Object.keys(files).length} files, ${zip.length} bytes)`);
