import type { Kysely } from 'kysely';
import type { AppContext } from '../context.js';
import type { Database } from '../db/schema.js';
import type { Principal } from '../http/auth.js';
import { type Helpdesk, HelpdeskError, type HelpdeskUser } from '../ports/helpdesk.js';
import { withHelpdeskRetries } from './helpdesk-retry.js';
import { staffForZendeskUser } from './zendesk-staff.js';
import { APPROVED_TAG } from './zendesk-stages.js';
import type { TaggerKind } from './zendesk-tables.js';

/**
 * One refund_approved intent: the ticket audit that added the tag, and who that was, as Zendesk
 * recorded it — never what a webhook body says.
 */
export interface TagIntent {
  readonly auditId: string;
  readonly taggerKind: TaggerKind;
  /** The Zendesk user who made the update (null for a rule or the system). */
  readonly taggerUserId: string | null;
  readonly agent: HelpdeskUser | undefined;
  /** The staff member the tagger is (only for `staff`). */
  readonly staff: Principal | undefined;
  /** The trigger's or automation's title when a rule added the tag. */
  readonly ruleTitle: string | null;
}

const ownUsers = new WeakMap<Helpdesk, { id: string; until: number }>();

/** The id of the user our API credentials act as (cached ten minutes per desk). */
async function ownUserId(helpdesk: Helpdesk): Promise<string> {
  const hit = ownUsers.get(helpdesk);
  if (hit && hit.until > Date.now()) return hit.id;
  const me = await withHelpdeskRetries(() => helpdesk.getCurrentUser());
  ownUsers.set(helpdesk, { id: me.id, until: Date.now() + 10 * 60_000 });
  return me.id;
}

/**
 * Reads the ticket's audits and finds the latest one whose tags change added `refund_approved`:
 * its author is the tagger. A change made by a trigger or automation (`via` rule), by the desk
 * itself (author -1) or by our own API user is no person's intent. Undefined when no audit added
 * the tag (it cannot be attributed, so it acts for nobody).
 */
export async function findTagIntent(
  ctx: AppContext,
  input: { readonly orgId: string; readonly helpdesk: Helpdesk; readonly ticketId: string },
): Promise<TagIntent | undefined> {
  const { helpdesk } = input;
  const audits = await withHelpdeskRetries(() => helpdesk.listTicketAudits({ ticketId: input.ticketId }));
  for (let i = audits.length - 1; i >= 0; i--) {
    const audit = audits[i];
    const change = audit?.tagChanges.find((c) => c.added.includes(APPROVED_TAG));
    if (!audit || !change) continue;
    const base = { auditId: audit.id, taggerUserId: audit.authorId, agent: undefined, staff: undefined };
    if (change.byRule) return { ...base, taggerUserId: null, taggerKind: 'rule', ruleTitle: change.ruleTitle };
    if (!audit.authorId) return { ...base, taggerKind: 'system', ruleTitle: null };
    if (audit.authorId === (await ownUserId(helpdesk))) return { ...base, taggerKind: 'integration', ruleTitle: null };
    let agent: HelpdeskUser | undefined;
    try {
      agent = await withHelpdeskRetries(() => helpdesk.getUser({ userId: audit.authorId as string }));
    } catch (error) {
      if (!(error instanceof HelpdeskError && error.code === 'not_found')) throw error;
    }
    const staff = agent ? await staffForZendeskUser(ctx.db, input.orgId, agent, 'zendesk_ticket_audit') : undefined;
    return { ...base, agent, staff, taggerKind: staff ? 'staff' : 'unknown_agent', ruleTitle: null };
  }
  return undefined;
}

/** How the tagger is named in notes and audit data. */
export function describeTagger(intent: TagIntent): string {
  switch (intent.taggerKind) {
    case 'rule':
      return intent.ruleTitle ? `the trigger or automation “${intent.ruleTitle}”` : 'a trigger or automation';
    case 'system':
      return 'Zendesk itself';
    case 'integration':
      return 'Refund Desk';
    default:
      return intent.staff?.name ?? intent.agent?.name ?? `Zendesk user ${intent.taggerUserId ?? 'unknown'}`;
  }
}

/** The tagger as audited with the case (`requestedVia`): ids and names only. */
export function taggerFacts(intent: TagIntent): Record<string, unknown> {
  return {
    via: 'zendesk_tag',
    tag: APPROVED_TAG,
    auditId: intent.auditId,
    taggerKind: intent.taggerKind,
    zendeskUserId: intent.taggerUserId,
    name: describeTagger(intent),
    staffId: intent.staff?.staffId ?? null,
    role: intent.staff?.role ?? null,
  };
}

export type IntentClaim = 'claimed' | 'resumed' | 'taken';

/**
 * Claims the intent for one inbound webhook (its job may run again after a crash: `resumed`);
 * any other webhook for the same audit — the trigger re-firing on a later update — gets `taken`.
 */
export async function claimTagIntent(
  db: Kysely<Database>,
  input: {
    readonly orgId: string;
    readonly ticketId: string;
    readonly intent: TagIntent;
    readonly inboundEventId: string;
  },
): Promise<IntentClaim> {
  const inserted = await db
    .insertInto('zendesk_tag_intents')
    .values({
      org_id: input.orgId,
      ticket_id: input.ticketId,
      audit_id: input.intent.auditId,
      inbound_event_id: input.inboundEventId,
      tagger_user_id: input.intent.taggerUserId,
      tagger_kind: input.intent.taggerKind,
    })
    .onConflict((oc) => oc.columns(['org_id', 'ticket_id', 'audit_id']).doNothing())
    .returning('audit_id')
    .executeTakeFirst();
  if (inserted) return 'claimed';
  const row = await db
    .selectFrom('zendesk_tag_intents')
    .select(['inbound_event_id', 'outcome'])
    .where('org_id', '=', input.orgId)
    .where('ticket_id', '=', input.ticketId)
    .where('audit_id', '=', input.intent.auditId)
    .executeTakeFirstOrThrow();
  return row.inbound_event_id === input.inboundEventId && row.outcome === null ? 'resumed' : 'taken';
}

/** Records what the intent did (and the case it opened or decided). */
export async function settleTagIntent(
  ctx: AppContext,
  input: { readonly orgId: string; readonly ticketId: string; readonly auditId: string },
  outcome: string,
  caseId: string | null,
): Promise<void> {
  await ctx.db
    .updateTable('zendesk_tag_intents')
    .set({ outcome, case_id: caseId, decided_at: ctx.clock.now() })
    .where('org_id', '=', input.orgId)
    .where('ticket_id', '=', input.ticketId)
    .where('audit_id', '=', input.auditId)
    .execute();
}
