/**
 * The approval page a Teams alert links to: `GET /approve/{token}` shows the case and a form,
 * `POST /approve/{token}` signs the approver in with a staff API token (form field) and applies
 * the decision through the engine. The link is signed, expires, and works once: it is spent when a
 * decision is made (checks that would refuse the approver — token, role, requester — come first,
 * so a mistyped token does not burn it). Anything wrong with the link → the same "expired" page.
 */
import { Hono } from 'hono';
import type { AppContext } from '../context.js';
import { AppError } from '../errors/app-error.js';
import { principalFromToken } from '../http/auth.js';
import { type LinkClaims, LinkError, linkSigningKey, spendLink, verifyLink } from '../links/signed-links.js';
import { approve, assertMayDecide, deny } from '../refunds/decide-case.js';
import { loadCardFacts, loadCase } from '../slack/card-facts.js';
import { TEAMS_LINK_PURPOSE } from './teams-alerts.js';
import { approvalPage, expiredPage, messagePage } from './teams-approval-page.js';

const HEADERS = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
};

export function teamsApprovalRoutes(ctx: AppContext, isDefaultOrg: (orgId: string) => Promise<boolean>): Hono {
  const app = new Hono();
  const html = (status: 200 | 400 | 401 | 403 | 409 | 410, body: string) =>
    new Response(body, { status, headers: { 'content-type': 'text/html; charset=utf-8', ...HEADERS } });

  async function claimsOf(token: string): Promise<LinkClaims | undefined> {
    try {
      const claims = verifyLink(await linkSigningKey(ctx.db, ctx.config), token, TEAMS_LINK_PURPOSE, ctx.clock.now());
      const spent = await ctx.db
        .selectFrom('spent_links')
        .select('link_id')
        .where('link_id', '=', claims.id)
        .executeTakeFirst();
      return spent ? undefined : claims;
    } catch (error) {
      if (error instanceof LinkError) return undefined;
      throw error;
    }
  }

  async function page(claims: LinkClaims, notice?: string) {
    const caseRow = await loadCase(ctx.db, claims.orgId, claims.subject);
    if (!caseRow) return undefined;
    const facts = await loadCardFacts(ctx.db, ctx.config, {
      orgId: claims.orgId,
      caseRow,
      isDefaultOrg: await isDefaultOrg(claims.orgId),
      now: ctx.clock.now(),
    });
    return approvalPage(facts, notice);
  }

  app.get('/approve/:token', async (c) => {
    const claims = await claimsOf(c.req.param('token'));
    const body = claims && (await page(claims));
    return body ? html(200, body) : html(410, expiredPage());
  });

  app.post('/approve/:token', async (c) => {
    const claims = await claimsOf(c.req.param('token'));
    if (!claims) return html(410, expiredPage());
    const form = await c.req.parseBody();
    const token = typeof form['token'] === 'string' ? form['token'].trim() : '';
    const decision = form['decision'] === 'deny' ? 'deny' : 'approve';
    const reason = typeof form['reason'] === 'string' ? form['reason'].trim() : '';
    const principal = token ? await principalFromToken(ctx.db, token) : undefined;
    if (!principal || principal.orgId !== claims.orgId) {
      return html(401, (await page(claims, 'That staff token is not valid here.')) ?? expiredPage());
    }
    const caseRow = await loadCase(ctx.db, claims.orgId, claims.subject);
    if (!caseRow) return html(410, expiredPage());
    try {
      assertMayDecide(principal, caseRow);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return html(403, (await page(claims, `${error.message}.`)) ?? expiredPage());
    }
    if (decision === 'deny' && reason.length < 3) {
      return html(400, (await page(claims, 'Please give a reason to deny.')) ?? expiredPage());
    }
    const fresh = await ctx.db.transaction().execute((trx) => spendLink(trx, claims));
    if (!fresh) return html(410, expiredPage());
    const input = {
      principal: { ...principal, channel: 'teams' },
      caseId: claims.subject,
      reason: reason || undefined,
    };
    try {
      const decided = decision === 'deny' ? await deny(ctx, input) : await approve(ctx, input);
      return html(200, messagePage(`Refund ${decided.reference}`, `Thank you: the refund is ${decided.state}.`));
    } catch (error) {
      if (error instanceof AppError) return html(409, messagePage('Not decided', error.message));
      throw error;
    }
  });
  return app;
}
