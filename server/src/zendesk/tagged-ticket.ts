import type { AppContext } from '../context.js';
import type { RefundCaseRow } from '../db/schema.js';
import { AppError } from '../errors/app-error.js';
import { runSoon } from '../jobs/fast-path.js';
import { canApprove } from '../orgs/roles.js';
import { type Helpdesk, HelpdeskError, type HelpdeskTicket } from '../ports/helpdesk.js';
import { OPEN_STATES } from '../refunds/case-states.js';
import { approve } from '../refunds/decide-case.js';
import { requestRefund } from '../refunds/request-refund.js';
import { withHelpdeskRetries } from './helpdesk-retry.js';
import { findRequesterCustomer, ticketCases } from './sidebar-view.js';
import {
  claimTagIntent,
  describeTagger,
  findTagIntent,
  settleTagIntent,
  type TagIntent,
  taggerFacts,
} from './tag-intent.js';
import { planTicketRefund } from './ticket-refund-request.js';
import type { ZendeskConnections } from './zendesk-connections.js';
import { APPROVED_TAG, NOTIFIED_TAG } from './zendesk-stages.js';

/** What the webhook route stores in inbound_events.payload (the ticket id is all we use of the body). */
export interface StoredTagWebhook {
  readonly ticketId: string;
  /** Kept for the record only: who acted is read from the ticket's audits, never from here. */
  readonly currentUserId: string | null;
}

export type TaggedOutcome =
  | 'skipped'
  | 'unknown_ticket'
  | 'tag_absent'
  | 'unattributed'
  | 'duplicate_intent'
  | 'own_tag'
  | 'approved'
  | 'opened'
  | 'routed'
  | 'already_moving'
  | 'refused';

interface Acted {
  readonly outcome: TaggedOutcome;
  readonly caseId: string | null;
}

/** Tells the ticket why the tag moved no money, and takes it (and the trigger's marker) off for a qualified person. */
async function refuse(helpdesk: Helpdesk, ticketId: string, message: string, caseId: string | null): Promise<Acted> {
  await withHelpdeskRetries(() =>
    helpdesk.updateTicket({
      ticketId,
      internalNote: `Refund Desk: the refund_approved tag did not approve a refund. ${message}`,
      removeTags: [APPROVED_TAG, NOTIFIED_TAG],
    }),
  );
  return { outcome: 'refused', caseId };
}

/** Approves as the tagger when they are staff whose role covers the tier and who did not request it; otherwise says who can. */
async function approveAs(
  ctx: AppContext,
  helpdesk: Helpdesk,
  ticketId: string,
  caseRow: RefundCaseRow,
  intent: TagIntent,
): Promise<Acted> {
  const tier = caseRow.required_role ?? 'lead';
  const who = describeTagger(intent);
  const staff = intent.staff;
  if (!staff) {
    const what =
      intent.taggerKind === 'rule' || intent.taggerKind === 'system' ? 'no person' : 'not a Refund Desk approver';
    return refuse(
      helpdesk,
      ticketId,
      `It was added by ${who} (${what}); ${caseRow.reference} waits for a ${tier} or above.`,
      caseRow.id,
    );
  }
  try {
    await approve(ctx, { principal: staff, caseId: caseRow.id, reason: 'refund_approved tag in Zendesk' });
    return { outcome: 'approved', caseId: caseRow.id };
  } catch (error) {
    if (error instanceof AppError && (error.code === 'already_decided' || error.code === 'illegal_transition')) {
      return { outcome: 'already_moving', caseId: caseRow.id };
    }
    if (error instanceof AppError && (error.code === 'forbidden' || error.code === 'self_approval')) {
      const why = error.code === 'self_approval' ? `${staff.name} requested it` : `${staff.name} is a ${staff.role}`;
      return refuse(helpdesk, ticketId, `${caseRow.reference} needs a ${tier} or above, and ${why}.`, caseRow.id);
    }
    throw error;
  }
}

/** No case yet: open one from the ticket's fields; the tagger is the requester side, never silently "policy". */
async function openFromTicket(
  ctx: AppContext,
  helpdesk: Helpdesk,
  orgId: string,
  ticket: HelpdeskTicket,
  intent: TagIntent,
): Promise<Acted> {
  const requester = ticket.requesterId
    ? await withHelpdeskRetries(() => helpdesk.getUser({ userId: ticket.requesterId as string }))
    : undefined;
  const customer = await findRequesterCustomer(ctx.db, orgId, requester);
  if (!customer) return refuse(helpdesk, ticket.id, 'No customer of ours has the requester’s email address.', null);
  // an approver's tag carries their authority; anyone else's only asks (an agent asks as themself)
  const approver = intent.staff && canApprove(intent.staff.role, 'lead') ? intent.staff : undefined;
  const who = describeTagger(intent);
  try {
    const plan = await planTicketRefund(ctx, { orgId, helpdesk, ticket, customer });
    const outcome = await requestRefund(ctx, {
      orgId,
      ...plan,
      source: 'zendesk',
      ticket: { system: 'zendesk', ref: ticket.id },
      requestedBy: intent.staff && !approver ? intent.staff.staffId : null,
      requestedVia: {
        actor: { type: 'helpdesk', id: intent.taggerUserId ? `zendesk-user:${intent.taggerUserId}` : 'zendesk' },
        data: taggerFacts(intent),
      },
      mustBeApproved: approver
        ? undefined
        : `the refund_approved tag was added by ${who}, who cannot approve refunds: a person must decide`,
      identity: customer.match,
      idempotencyKey: `zendesk-tag:${ticket.id}:${intent.auditId}`,
    });
    const caseRow = outcome.caseRow;
    if (caseRow.state !== 'pending_approval') return { outcome: 'opened', caseId: caseRow.id };
    if (approver) return approveAs(ctx, helpdesk, ticket.id, caseRow, intent);
    const tier = caseRow.required_role ?? 'lead';
    await refuse(
      helpdesk,
      ticket.id,
      `${who} added it and cannot approve refunds; ${caseRow.reference} was opened and waits for a ${tier} or above.`,
      caseRow.id,
    );
    return { outcome: 'routed', caseId: caseRow.id };
  } catch (error) {
    if (error instanceof AppError && ['not_found', 'not_refundable', 'invalid_amount'].includes(error.code)) {
      return refuse(helpdesk, ticket.id, error.message, null);
    }
    throw error;
  }
}

async function act(ctx: AppContext, helpdesk: Helpdesk, orgId: string, ticket: HelpdeskTicket, intent: TagIntent) {
  const cases = await ticketCases(ctx.db, orgId, ticket.id);
  const isMoving = (c: RefundCaseRow) =>
    c.state === 'succeeded' || (OPEN_STATES as readonly string[]).includes(c.state);
  // our own tag (the sidebar's approval) reports a decision already made; it decides nothing
  if (intent.taggerKind === 'integration') {
    const moving = cases.find(isMoving);
    return { outcome: moving ? 'already_moving' : 'own_tag', caseId: moving?.id ?? null } satisfies Acted;
  }
  const pending = cases.find((c) => c.state === 'pending_approval');
  if (pending) return approveAs(ctx, helpdesk, ticket.id, pending, intent);
  const moving = cases.find(isMoving);
  if (moving) return { outcome: 'already_moving', caseId: moving.id } satisfies Acted;
  return openFromTicket(ctx, helpdesk, orgId, ticket, intent);
}

/**
 * The `refund_approved` job: re-reads the ticket (nothing moves without the tag) and its audits (the
 * audit that added the tag is the intent, its author the tagger). One intent acts once: the first
 * webhook for it claims it; a trigger firing again on a later update (a customer's reply) finds it
 * taken and changes nothing. Then it approves the ticket's pending case as the tagger, or opens one.
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
  const { helpdesk } = connection;
  const stored = row.payload as StoredTagWebhook;
  let outcome: TaggedOutcome;
  try {
    const ticket = await withHelpdeskRetries(() => helpdesk.getTicket({ ticketId: stored.ticketId }));
    const intent = ticket.tags.includes(APPROVED_TAG)
      ? await findTagIntent(ctx, { orgId: input.orgId, helpdesk, ticketId: ticket.id })
      : undefined;
    if (!ticket.tags.includes(APPROVED_TAG)) outcome = 'tag_absent';
    else if (!intent) outcome = 'unattributed';
    else {
      const key = { orgId: input.orgId, ticketId: ticket.id, auditId: intent.auditId };
      const claim = await claimTagIntent(ctx.db, { ...key, intent, inboundEventId: row.id });
      if (claim === 'taken') outcome = 'duplicate_intent';
      else {
        const acted = await act(ctx, helpdesk, input.orgId, ticket, intent);
        await settleTagIntent(ctx, key, acted.outcome, acted.caseId);
        outcome = acted.outcome;
      }
    }
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
