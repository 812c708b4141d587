/**
 * The customer portal: `GET /portal/{org}` shows a request form (email + payment reference + reason)
 * with a signed form token; `POST /portal/{org}` checks the token (CSRF, 1 hour), limits attempts
 * per IP, looks the payment up by reference AND email in one query — a wrong email and a wrong
 * reference get the very same answer — and opens a case through `requestRefund` (source `portal`,
 * no staff requester, identity `email_only`, so policy sends it to a person for review).
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import { type Context, Hono } from 'hono';
import type { AppContext } from '../context.js';
import { AppError } from '../errors/app-error.js';
import { normaliseEmail } from '../ledger/customers.js';
import { LinkError, linkSigningKey, signLink, verifyLink } from '../links/signed-links.js';
import { resolveLocale } from '../notifications/message-templates.js';
import { findOrganisationBySlug } from '../orgs/organisations.js';
import { requestRefund } from '../refunds/request-refund.js';
import { PAGE_HEADERS } from './html-page.js';
import { type PortalText, renderPortalForm, renderPortalMessage } from './portal-page.js';
import { createRateLimiter } from './rate-limiter.js';
import { trackingUrl } from './tracking-links.js';

const FORM_PURPOSE = 'portal-form';

export function portalRoutes(ctx: AppContext, baseUrl: () => string): Hono {
  const app = new Hono();
  const limiter = createRateLimiter({ limit: 10, windowMs: 15 * 60 * 1000 });
  const localeOf = (c: Context) => resolveLocale(c.req.query('lang') ?? c.req.header('accept-language'));

  const organisation = async (c: Context) => {
    const org = await findOrganisationBySlug(ctx.db, c.req.param('org') ?? '');
    if (!org) throw new AppError('not_found', 'not found');
    return org;
  };

  app.get('/portal/:org', async (c) => {
    const org = await organisation(c);
    const key = await linkSigningKey(ctx.db, ctx.config);
    const token = signLink(
      key,
      { purpose: FORM_PURPOSE, orgId: org.id, subject: org.id },
      { now: ctx.clock.now(), ttlSeconds: 3600 },
    );
    const reasons = await ctx.db
      .selectFrom('reason_codes')
      .select(['code', 'label'])
      .where('org_id', '=', org.id)
      .where('active', '=', true)
      .orderBy('code')
      .execute();
    return c.body(
      renderPortalForm({ locale: localeOf(c), orgName: org.name, slug: org.slug, token, reasons }),
      200,
      PAGE_HEADERS,
    );
  });

  app.post('/portal/:org', async (c) => {
    const locale = localeOf(c);
    const org = await organisation(c);
    const page = (text: PortalText, status: 200 | 400 | 403 | 429, link?: string) =>
      c.body(renderPortalMessage({ locale, orgName: org.name, slug: org.slug, text, link }), status, PAGE_HEADERS);
    if (!limiter.allow(`${org.id}:${clientIp(c)}`, ctx.clock.now())) return page('portalTooMany', 429);
    const form = await c.req.parseBody();
    const field = (name: string) => (typeof form[name] === 'string' ? (form[name] as string).trim() : '');
    const key = await linkSigningKey(ctx.db, ctx.config);
    let formId: string;
    try {
      const claims = verifyLink(key, field('token'), FORM_PURPOSE, ctx.clock.now());
      if (claims.orgId !== org.id) throw new LinkError('wrong_purpose');
      formId = claims.id;
    } catch (error) {
      if (error instanceof LinkError) return page('portalExpiredForm', 403);
      throw error;
    }
    const email = field('email');
    const reference = field('reference');
    const reasonCode = field('reason');
    if (!email || !reference || email.length > 320 || reference.length > 200 || !reasonCode)
      return page('portalNoMatch', 200);
    const payment = await ctx.db
      .selectFrom('payments as p')
      .innerJoin('customers as cu', (join) =>
        join.onRef('cu.id', '=', 'p.customer_id').onRef('cu.org_id', '=', 'p.org_id'),
      )
      .select(['p.id'])
      .where('p.org_id', '=', org.id)
      .where('p.gateway_payment_id', '=', reference)
      .where('cu.email', '=', normaliseEmail(email))
      .executeTakeFirst();
    if (!payment) return page('portalNoMatch', 200);
    try {
      const outcome = await requestRefund(ctx, {
        orgId: org.id,
        paymentId: payment.id,
        reasonCode,
        source: 'portal',
        requestedBy: null,
        identity: 'email_only',
        idempotencyKey: `portal:${formId}`,
      });
      const link = await trackingUrl(ctx, baseUrl(), { orgId: org.id, caseId: outcome.caseRow.id, locale });
      return page('portalOpened', 200, link);
    } catch (error) {
      if (error instanceof AppError && (error.code === 'not_refundable' || error.code === 'idempotency_conflict'))
        return page('portalNotRefundable', 200);
      throw error;
    }
  });
  return app;
}

/** The socket's address (a forwarded header is trivially forged by the client, so it is not used). */
function clientIp(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
