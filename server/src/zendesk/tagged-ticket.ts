import type { AppContext } from '../context.js';
import type { RefundCaseRow } from '../db/schema.js';
import { AppError } from '../errors/app-error.js';
import type { Principal } from '../http/auth.js';
import { runSoon } from '../jobs/fast-path.js';
import { type Helpdesk, HelpdeskError, type HelpdeskTicket, type HelpdeskUser } from '../ports/helpdesk.js';
import { OPEN_STATES } from '../refunds/case-states.js';
import { approve } from '../refunds/decide-case.js';
import { requestRefund } from '../refunds/request-refund.js';
import { withHelpdeskRetries } from './helpdesk-retry.js';
import { findRequesterCustomer, ticketCases } from './sidebar-view.js';
import { planTicketRefund } from './ticket-refund-request.js';
import type { ZendeskConnections } from './zendesk-connections.js';
import { staffForZendeskUser } from './zendesk-staff.js';
import { APPROVED_TAG } from './zendesk-stages.js';

/** What the webhook route stores in inbound_events.payload (the ticket id is all we trust of the body). */
export interface StoredTagWebhook {
  readonly ticketId: string;
  readonly currentUserId: string | null;
}

export type TaggedOutcome =
  | 'skipped'
  | 'unknown_ticket'
  | 'tag_absent'
  | 'approved'
  | 'opened'
  | 'already_moving'
  | 'refused';

/** Tells the ticket why nothing moved, and takes the tag off so a qualified person can add it again. */
async function refuse(helpdesk: Helpdesk, ticketId: string, message: string): Promise<'refused'> {
  await withHelpdeskRetries(() =>
    helpdesk.updateTicket({
      ticketId,
      internalNote: `Refund Desk: the refund_approved tag did not start a refund. ${message}`,
      removeTags: [APPROVED_TAG],
    }),
  );
  return 'refused';
}

/** Approves as the tagging agent when their role covers the tier; otherwise explains who can. */
async function approveAs(
  ctx: AppContext,
  helpdesk: Helpdesk,
  ticketId: string,
  caseRow: RefundCaseRow,
  staff: Principal | undefined,
  agent: HelpdeskUser | undefined,
): Promise<TaggedOutcome> {
  const tier = caseRow.required_role ?? 'lead';
  if (!staff) {
    const who = agent?.name ?? 'the agent who added the tag';
    return refuse(
      helpdesk,
      ticketId,
      `${who} is not a Refund Desk approver; ${caseRow.reference} needs a ${tier} or above.`,
    );
  }
  try {
    await approve(ctx, { principal: staff, caseId: caseRow.id, reason: 'refund_approved tag in Zendesk' });
    return 'approved';
  } catch (error) {
    if (error instanceof AppError && (error.code === 'already_decided' || error.code === 'illegal_transition')) {
      return 'already_moving';
    }
    if (error instanceof AppError && (error.code === 'forbidden' || error.code === 'self_approval')) {
      const why = error.code === 'self_approval' ? `${staff.name} requested it` : `${staff.name} is a ${staff.role}`;
      return refuse(helpdesk, ticketId, `${caseRow.reference} needs a ${tier} or above, and ${why}.`);
    }
    throw error;
  }
}

async function act(
  ctx: AppContext,
  helpdesk: Helpdesk,
  orgId: string,
  ticket: HelpdeskTicket,
  stored: StoredTagWebhook,
  eventId: string,
) {
  let agent: HelpdeskUser | undefined;
  if (stored.currentUserId) {
    try {
      agent = await helpdesk.getUser({ userId: stored.currentUserId });
    } catch (error) {
      if (!(error instanceof HelpdeskError && error.code === 'not_found')) throw error;
    }
  }
  const staff = agent ? await staffForZendeskUser(ctx.db, orgId, agent) : undefined;
  const cases = await ticketCases(ctx.db, orgId, ticket.id);
  const pending = cases.find((c) => c.state === 'pending_approval');
  if (pending) return approveAs(ctx, helpdesk, ticket.id, pending, staff, agent);
  if (cases.some((c) => c.state === 'succeeded' || (OPEN_STATES as readonly string[]).includes(c.state))) {
    return 'already_moving';
  }
  const requester = ticket.requesterId ? await helpdesk.getUser({ userId: ticket.requesterId }) : undefined;
  const customer = await findRequesterCustomer(ctx.db, orgId, requester);
  if (!customer) return refuse(helpdesk, ticket.id, 'No customer of ours has the requester’s email address.');
  try {
    const plan = await planTicketRefund(ctx, { orgId, helpdesk, ticket, customer });
    const outcome = await requestRefund(ctx, {
      orgId,
      ...plan,
      source: 'zendesk',
      ticket: { system: 'zendesk', ref: ticket.id },
      // the ticket asks; the tagging agent decides (so they are not the requester, who may never approve)
      requestedBy: null,
      identity: customer.match,
      idempotencyKey: `zendesk-tag:${eventId}`,
    });
    if (outcome.caseRow.state === 'pending_approval') {
      return approveAs(ctx, helpdesk, ticket.id, outcome.caseRow, staff, agent);
    }
    return 'opened';
  } catch (error) {
    if (error instanceof AppError && ['not_found', 'not_refundable', 'invalid_amount'].includes(error.code)) {
      return refuse(helpdesk, ticket.id, error.message);
    }
    throw error;
  }
}

/**
 * The `refund_approved` job: re-reads the ticket (nothing moves without the tag), then approves its
 * pending case as the tagging agent, or opens a case from the ticket's fields. Idempotent: the
 * fast path and the queued fallback may both run it; the event is marked processed at the end.
 */
export async function processTaggedTicket(
  ctx: AppContext,
  connections: ZendeskConnections,
  input: { readonly orgId: string; readonly inboundEventId: string },
): Promise<TaggedOutcome> {
  const row = await ctx.db
    .selectFrom('inbound_events')
    .selectAll()
    .where('id', '=', input.inboundEventId)
    .where('org_id', '=', input.orgId)
    .where('vendor', '=', 'zendesk')
    .executeTakeFirst();
  if (!row || row.processed_at !== null) return 'skipped';
  const connection = await connections.forOrg(input.orgId);
  if (!connection) throw new Error('Zendesk is not configured for this organisation');
  const stored = row.payload as StoredTagWebhook;
  let outcome: TaggedOutcome;
  try {
    const ticket = await withHelpdeskRetries(() => connection.helpdesk.getTicket({ ticketId: stored.ticketId }));
    outcome = ticket.tags.includes(APPROVED_TAG)
      ? await act(ctx, connection.helpdesk, input.orgId, ticket, stored, row.event_id)
      : 'tag_absent';
  } catch (error) {
    if (!(error instanceof HelpdeskError && error.code === 'not_found')) throw error;
    outcome = 'unknown_ticket';
  }
  await ctx.db
    .updateTable('inbound_events')
    .set({ processed_at: ctx.clock.now() })
    .where('id', '=', row.id)
    .where('processed_at', 'is', null)
    .execute();
  ctx.logger.info({ ticketId: stored.ticketId, outcome }, 'zendesk refund_approved webhook processed');
  return outcome;
}

/** Runs the job right after the webhook's commit; the queued job (delayed) is the fallback. */
export function processTaggedTicketSoon(
  ctx: AppContext,
  connections: ZendeskConnections,
  input: { readonly orgId: string; readonly inboundEventId: string },
): Promise<void> {
  return runSoon(ctx.logger, 'zendesk tag', input, () => processTaggedTicket(ctx, connections, input));
}
