import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The sidebar app's Vite build (`apps/zendesk-sidebar/dist`), found above this file wherever the server runs from. */
function findDist(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 8; up++) {
    const app = path.join(dir, 'apps', 'zendesk-sidebar');
    if (existsSync(path.join(app, 'package.json'))) return path.join(app, 'dist');
    dir = path.dirname(dir);
  }
  return path.resolve('apps', 'zendesk-sidebar', 'dist');
}

export const SIDEBAR_DIST = findDist();

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** A built asset (flat `dist/`, no sub-folders, only known types), or undefined. */
export async function readSidebarAsset(name: string): Promise<{ body: Buffer; type: string } | undefined> {
  const type = TYPES[path.extname(name)];
  if (!type || !/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith('.')) return undefined;
  try {
    return { body: await readFile(path.join(SIDEBAR_DIST, name)), type };
  } catch {
    return undefined;
  }
}

/** The built page (`dist/index.html`), or undefined when the app is not built. */
export async function readSidebarPage(): Promise<string | undefined> {
  try {
    return await readFile(path.join(SIDEBAR_DIST, 'index.html'), 'utf8');
  } catch {
    return undefined;
  }
}
