import { Hono } from 'hono';
import type { AppContext } from '../context.js';
import { LinkError, linkSigningKey, verifyLink } from '../links/signed-links.js';
import { resolveLocale } from '../notifications/message-templates.js';
import { PAGE_HEADERS } from './html-page.js';
import { TRACKING_PURPOSE } from './tracking-links.js';
import { loadTrackingView, renderExpiredPage, renderTrackingPage } from './tracking-view.js';

/**
 * `GET /track/{token}`: the case's tracking page behind a signed, expiring link (no login, no
 * JavaScript). An expired link answers 410, an altered or unknown one 404 — both the same plain
 * "link expired" page, with no data.
 */
export function trackingRoutes(ctx: AppContext): Hono {
  const app = new Hono();
  app.get('/track/:token', async (c) => {
    const key = await linkSigningKey(ctx.db, ctx.config);
    let claims: ReturnType<typeof verifyLink>;
    try {
      claims = verifyLink(key, c.req.param('token'), TRACKING_PURPOSE, ctx.clock.now());
    } catch (error) {
      if (!(error instanceof LinkError)) throw error;
      return c.body(renderExpiredPage('en'), error.problem === 'expired' ? 410 : 404, PAGE_HEADERS);
    }
    const locale = resolveLocale(claims.extra?.['locale']);
    const view = await loadTrackingView(ctx.db, { orgId: claims.orgId, caseId: claims.subject, locale });
    if (!view) return c.body(renderExpiredPage(locale), 404, PAGE_HEADERS);
    return c.body(renderTrackingPage(view, locale), 200, PAGE_HEADERS);
  });
  return app;
}
