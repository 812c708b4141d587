import { type Context, Hono } from 'hono';
import type { AppContext } from '../context.js';
import { AppError } from '../errors/app-error.js';
import { escapeHtml } from '../http/html.js';
import { readSidebarAsset, readSidebarPage } from './sidebar-assets.js';
import { signInFromZendesk } from './sidebar-sign-in.js';
import type { ZendeskConnections } from './zendesk-connections.js';

const PAGE = '/zendesk/app/:org/sidebar';

/** The page may only run its own bundle, talk to us, and be framed by the desk's agent interface. */
function pageHeaders(frameAncestors: readonly string[]): Record<string, string> {
  return {
    'content-security-policy': [
      "default-src 'self'",
      "script-src 'self'",
      // Zendesk Garden (styled-components) injects its styles at run time
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "font-src 'self' data:",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      `frame-ancestors ${frameAncestors.join(' ') || "'none'"}`,
    ].join('; '),
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
  };
}

function message(c: Context, status: 401 | 404 | 405 | 503, text: string) {
  return c.html(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Refund Desk</title></head>` +
      `<body style="font:14px system-ui;margin:12px"><p>${escapeHtml(text)}</p></body></html>`,
    status,
    { 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" },
  );
}

/**
 * The sidebar app served from our server at its location URL (manifest `signedUrls: true`):
 * `POST /zendesk/app/{org}/sidebar` with Zendesk's form field `token` signs the agent in and
 * answers the built page with the session in a `<meta name="refund-desk-session">`; the page's
 * bundle and assets are `GET /zendesk/app/{org}/{file}` (relative paths of the Vite build).
 */
export function sidebarAppRoutes(ctx: AppContext, connections: ZendeskConnections): Hono {
  const app = new Hono();
  app.post(PAGE, async (c) => {
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const token = typeof form['token'] === 'string' ? form['token'] : undefined;
    let signedIn: Awaited<ReturnType<typeof signInFromZendesk>>;
    try {
      signedIn = await signInFromZendesk(ctx, connections, {
        slug: c.req.param('org'),
        token,
        userAgent: c.req.header('user-agent'),
      });
    } catch (error) {
      if (error instanceof AppError && error.code === 'unauthenticated') return message(c, 401, error.message);
      if (error instanceof AppError && error.code === 'not_found') return message(c, 404, error.message);
      throw error;
    }
    const page = await readSidebarPage();
    if (!page) return message(c, 503, 'The sidebar is not built yet: run npm run build -w apps/zendesk-sidebar');
    const session = {
      token: signedIn.token,
      apiBase: `/zendesk/sidebar/v1/${encodeURIComponent(c.req.param('org'))}`,
      expiresAt: signedIn.expiresAt.toISOString(),
      viewer: signedIn.viewer,
    };
    const meta = `<meta name="refund-desk-session" content="${escapeHtml(JSON.stringify(session))}">`;
    return c.html(page.replace('<head>', `<head>\n    ${meta}`), 200, pageHeaders(signedIn.connection.frameAncestors));
  });
  app.get(PAGE, (c) =>
    message(c, 405, 'Open Refund Desk from a ticket in Zendesk: Zendesk signs you in when it loads the app.'),
  );
  app.get('/zendesk/app/:org/:file', async (c) => {
    const asset = await readSidebarAsset(c.req.param('file'));
    if (!asset) return c.text('not found', 404);
    return c.body(new Uint8Array(asset.body), 200, {
      'content-type': asset.type,
      'cache-control': 'public, max-age=3600',
      'x-content-type-options': 'nosniff',
    });
  });
  return app;
}
