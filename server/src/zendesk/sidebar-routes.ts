import { type Context, Hono } from 'hono';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { AppError } from '../errors/app-error.js';
import type { Principal } from '../http/auth.js';
import { parseDecimal } from '../money/money.js';
import { canRequestRefunds } from '../orgs/roles.js';
import type { HelpdeskTicket, HelpdeskUser } from '../ports/helpdesk.js';
import { approve, cancel } from '../refunds/decide-case.js';
import { requestRefund } from '../refunds/request-refund.js';
import {
  authenticateSidebar,
  helpdeskFailure,
  requireDecider,
  type SidebarSession,
  sidebarRequester,
} from './sidebar-auth.js';
import { buildSidebarView, caseSummaries, findRequesterCustomer } from './sidebar-view.js';
import type { ZendeskConnections } from './zendesk-connections.js';
import { APPROVED_TAG } from './zendesk-stages.js';

const CreateBody = z
  .object({
    paymentId: z.uuid(),
    amount: z.string().max(24).optional(),
    reasonCode: z.string().min(1).max(64),
    note: z.string().max(2000).optional(),
  })
  .strict();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE = '/zendesk/sidebar/v1/:org/tickets/:ticketId';

async function readJson(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new AppError('invalid_json', 'the body is not JSON');
  }
}

/** The ticket and its requester, re-read from Zendesk (the JWT's claims are the app's word, not Zendesk's). */
async function rereadTicket(
  session: SidebarSession,
): Promise<{ ticket: HelpdeskTicket; requester: HelpdeskUser | undefined }> {
  const { helpdesk } = session.connection;
  try {
    const ticket = await helpdesk.getTicket({ ticketId: session.ticketId });
    const requester = ticket.requesterId ? await helpdesk.getUser({ userId: ticket.requesterId }) : undefined;
    return { ticket, requester };
  } catch (error) {
    return helpdeskFailure(error, 'ticket');
  }
}

async function caseOfTicket(ctx: AppContext, session: SidebarSession, caseId: string) {
  if (!UUID.test(caseId)) throw new AppError('not_found', 'no such refund case on this ticket');
  const row = await ctx.db
    .selectFrom('refund_cases')
    .selectAll()
    .where('id', '=', caseId)
    .where('org_id', '=', session.orgId)
    .where('ticket_system', '=', 'zendesk')
    .where('ticket_ref', '=', session.ticketId)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', 'no such refund case on this ticket');
  return row;
}

/**
 * The sidebar API (`/zendesk/sidebar/v1/{org}/tickets/{ticketId}…`, see the sidebar contract):
 * every call carries the agent's `zendesk_sidebar` session (or an older install's JWT, which may
 * only read and request), and the ticket is re-read from Zendesk.
 */
export function sidebarRoutes(ctx: AppContext, connections: ZendeskConnections): Hono {
  const app = new Hono();
  const summary = async (id: string, viewer: Principal | undefined) => {
    const row = await ctx.db.selectFrom('refund_cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const [view] = await caseSummaries(ctx.db, [row], viewer);
    return view;
  };

  app.get(BASE, async (c) => {
    const session = await authenticateSidebar(ctx, connections, c);
    const { ticket, requester } = await rereadTicket(session);
    const view = await buildSidebarView(ctx, {
      orgId: session.orgId,
      ticket,
      requester,
      viewer: session.principal,
      viewerName: session.viewerName,
      isVerified: session.proof === 'signed_url',
      mayRequest: session.principal !== undefined || (session.proof === 'app_secret' && !!session.zendeskUserId),
    });
    return c.json(view, 200);
  });

  app.post(`${BASE}/refunds`, async (c) => {
    const session = await authenticateSidebar(ctx, connections, c);
    const asker = sidebarRequester(session);
    if (asker.kind === 'staff' && !canRequestRefunds(asker.principal.role)) {
      throw new AppError('forbidden', 'your role cannot request refunds');
    }
    const body = CreateBody.parse(await readJson(c));
    const { requester } = await rereadTicket(session);
    const customer = await findRequesterCustomer(ctx.db, session.orgId, requester);
    const payment = customer
      ? await ctx.db
          .selectFrom('payments')
          .select(['id', 'currency'])
          .where('id', '=', body.paymentId)
          .where('org_id', '=', session.orgId)
          .where('customer_id', '=', customer.id)
          .executeTakeFirst()
      : undefined;
    if (!customer || !payment) throw new AppError('not_found', 'no such payment of this ticket’s requester');
    const amount = body.amount === undefined ? undefined : parseDecimal(body.amount, payment.currency);
    if (amount?.amount === 0) throw new AppError('invalid_amount', 'the amount must be more than zero');
    const key = c.req.header('idempotency-key');
    if (key !== undefined && (key.length === 0 || key.length > 200)) {
      throw new AppError('invalid_request', 'Idempotency-Key must be 1–200 characters');
    }
    const outcome = await requestRefund(ctx, {
      orgId: session.orgId,
      paymentId: payment.id,
      amount,
      reasonCode: body.reasonCode,
      note: body.note,
      source: 'zendesk',
      ticket: { system: 'zendesk', ref: session.ticketId },
      requestedBy: asker.kind === 'staff' ? asker.principal.staffId : null,
      ...(asker.kind === 'unverified_agent'
        ? {
            requestedVia: { actor: asker.actor, data: asker.data },
            mustBeApproved:
              'requested from a Zendesk sidebar that does not prove who the agent is: a person must decide',
          }
        : {}),
      identity: customer.match,
      // namespaced so a sidebar key never meets an API client's key
      idempotencyKey: key === undefined ? undefined : `zendesk:${session.ticketId}:${key}`,
    });
    return c.json({ case: await summary(outcome.caseRow.id, session.principal) }, outcome.replayed ? 200 : 201);
  });

  app.post(`${BASE}/refunds/:caseId/approve`, async (c) => {
    const session = await authenticateSidebar(ctx, connections, c);
    const staff = requireDecider(session);
    await rereadTicket(session);
    const row = await caseOfTicket(ctx, session, c.req.param('caseId'));
    await approve(ctx, { principal: staff, caseId: row.id });
    try {
      // the tag fires Zendesk's trigger too; the webhook job finds the case approved already and does nothing
      await session.connection.helpdesk.updateTicket({ ticketId: session.ticketId, addTags: [APPROVED_TAG] });
    } catch (error) {
      ctx.logger.warn({ err: error, caseId: row.id }, 'approved, but the refund_approved tag could not be added');
    }
    return c.json({ case: await summary(row.id, staff) }, 200);
  });

  app.post(`${BASE}/refunds/:caseId/cancel`, async (c) => {
    const session = await authenticateSidebar(ctx, connections, c);
    const staff = requireDecider(session);
    await rereadTicket(session);
    const row = await caseOfTicket(ctx, session, c.req.param('caseId'));
    await cancel(ctx, { principal: staff, caseId: row.id });
    return c.json({ case: await summary(row.id, staff) }, 200);
  });
  return app;
}
