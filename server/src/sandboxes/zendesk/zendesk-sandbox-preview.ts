import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { signZafJwt, type ZafClaims } from '../../connectors/zendesk/zendesk-jwt.js';

/** The sidebar app's folder (built by its own engineer: `preview/` static files, `dist/` the Vite build). */
export const APP_DIR = fileURLToPath(new URL('../../../../apps/zendesk-sidebar/', import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

const proxySchema = z.object({
  url: z.url(),
  type: z.enum(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']).default('GET'),
  contentType: z.string().max(200).optional(),
  data: z
    .string()
    .max(1024 * 1024)
    .optional(),
  headers: z.record(z.string(), z.string()).default({}),
  jwt: z
    .object({
      algorithm: z.literal('HS256'),
      secret_key: z.string(),
      expiry: z.number().int().min(1).max(3600).default(300),
      claims: z.record(z.string(), z.unknown()).default({}),
    })
    .optional(),
});

export interface PreviewOptions {
  /** Signs the token Zendesk POSTs to the app's location URL for an agent. */
  readonly signAppToken: (userId: number) => string;
  readonly appSecret: string;
  readonly subdomain: string;
  readonly settings: () => { readonly serverUrl: string | undefined; readonly orgSlug: string };
}

const escapeHtml = (value: string) =>
  value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** Serves a file under `root` (never outside it), or undefined. */
async function serveFile(c: Context, root: string, relative: string): Promise<Response | undefined> {
  const file = path.resolve(root, relative.replace(/^\/+/, '') || 'index.html');
  if (file !== root && !file.startsWith(root + path.sep)) return undefined;
  try {
    const bytes = await readFile(file);
    return c.body(bytes, 200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
  } catch {
    return undefined;
  }
}

/**
 * The preview host (see docs/zendesk.md and the sidebar contract): the stand-in agent page at
 * `/preview`; the app frame loaded like Zendesk loads a signed-URL app (a POST of the signed token
 * to our server's location URL); the app's settings; and, for older installs, the built app at
 * `/app/*` with a stand-in for Zendesk's secure request proxy (HS256 with the installation secret).
 */
export function mountZendeskPreview(app: Hono, options: PreviewOptions): void {
  const previewDir = path.join(APP_DIR, 'preview');
  const distDir = path.join(APP_DIR, 'dist');

  app.get('/preview/settings.json', (c) => {
    const { serverUrl, orgSlug } = options.settings();
    return c.json({ server_url: serverUrl ?? null, org_slug: orgSlug, subdomain: options.subdomain });
  });

  // What Zendesk does for an app with signedUrls: load the location URL in the app's iframe with a
  // POST whose form field `token` is signed for the agent who is signed in (here: ?user=).
  app.get('/preview/app-frame', (c) => {
    const { serverUrl, orgSlug } = options.settings();
    if (!serverUrl) return c.text('The sandbox does not know the Refund Desk server URL yet.', 503);
    const userId = Number(c.req.query('user'));
    let token: string;
    try {
      token = options.signAppToken(userId);
    } catch {
      return c.text('Only agents load apps: pick an agent.', 400);
    }
    const origin = new URL(c.req.url).origin;
    const query = new URLSearchParams({ origin, app_guid: c.req.query('app_guid') ?? 'preview-app' });
    const action = `${serverUrl}/zendesk/app/${encodeURIComponent(orgSlug)}/sidebar?${query}`;
    return c.html(
      `<!doctype html><html><body><form method="post" action="${escapeHtml(action)}">` +
        `<input type="hidden" name="token" value="${escapeHtml(token)}"></form>` +
        '<script>document.forms[0].submit()</script></body></html>',
      200,
      { 'cache-control': 'no-store' },
    );
  });

  app.post('/preview/proxy', async (c) => {
    const request = proxySchema.parse(await c.req.json());
    const { serverUrl } = options.settings();
    // like Zendesk's proxy for this app's domainWhitelist: only our server, never an open relay
    if (!serverUrl || new URL(request.url).origin !== new URL(serverUrl).origin) {
      return c.json({ status: 403, headers: {}, body: 'the preview proxy only forwards to the Refund Desk server' });
    }
    const headers: Record<string, string> = { ...request.headers };
    if (request.jwt) {
      const secret = request.jwt.secret_key.replaceAll('{{setting.shared_secret}}', options.appSecret);
      const iat = Math.floor(Date.now() / 1000);
      const token = signZafJwt({ ...(request.jwt.claims as ZafClaims), iat, exp: iat + request.jwt.expiry }, secret);
      for (const [name, value] of Object.entries(headers)) headers[name] = value.replaceAll('{{jwt.token}}', token);
    }
    if (request.contentType) headers['content-type'] = request.contentType;
    try {
      const response = await fetch(request.url, {
        method: request.type,
        headers,
        ...(request.data !== undefined && request.type !== 'GET' ? { body: request.data } : {}),
        signal: AbortSignal.timeout(15_000),
      });
      const body = await response.text();
      return c.json({
        status: response.status,
        headers: { 'content-type': response.headers.get('content-type') ?? '' },
        body,
      });
    } catch (error) {
      return c.json({
        status: 502,
        headers: {},
        body: `the Refund Desk server did not answer: ${(error as Error).message}`,
      });
    }
  });

  app.get(
    '/preview',
    async (c) => (await serveFile(c, previewDir, 'index.html')) ?? c.text('preview page missing', 404),
  );
  app.get('/preview/*', async (c) => {
    const served = await serveFile(c, previewDir, c.req.path.slice('/preview/'.length));
    return served ?? c.text('not found', 404);
  });
  app.get('/app/*', async (c) => {
    const served = await serveFile(c, distDir, c.req.path.slice('/app/'.length));
    if (served) return served;
    const built = await serveFile(c, distDir, 'index.html');
    if (!built) return c.text('The sidebar is not built yet: run npm run build -w apps/zendesk-sidebar', 503);
    return c.text('not found', 404);
  });
}
