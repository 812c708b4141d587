/**
 * The facts a Slack card or Teams alert shows about a case, read in the case's organisation:
 * amount, brand + last four, reason code, the eligibility lines, the customer's other refunds in
 * the last 90 days, requester, ticket. Nothing else leaves: no note, no customer contact, no card
 * number, no health data (reason codes are codes, eligibility sentences carry no personal data).
 */
import type { CardFacts } from '@refund-desk/slack-bot/src/desk-port.js';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database, RefundCaseRow } from '../db/schema.js';
import { formatMoney, money } from '../money/money.js';
import type { EligibilityVerdict } from '../refunds/eligibility/index.js';

const DAY_MS = 86_400_000;

/** Link to the ticket where we know the helpdesk's address (the default organisation's Zendesk). */
function ticketUrl(config: Config, system: string, ref: string, isDefaultOrg: boolean): string | undefined {
  if (system === 'zendesk' && isDefaultOrg && config.ZENDESK_SUBDOMAIN && /^[0-9]+$/.test(ref)) {
    return `https://${config.ZENDESK_SUBDOMAIN}.zendesk.com/agent/tickets/${ref}`;
  }
  return undefined;
}

export async function loadCase(
  db: Kysely<Database>,
  orgId: string,
  caseId: string,
): Promise<RefundCaseRow | undefined> {
  return db
    .selectFrom('refund_cases')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', caseId)
    .executeTakeFirst();
}

/** The card facts of one case of the organisation (undefined when it is not theirs). */
export async function loadCardFacts(
  db: Kysely<Database>,
  config: Config,
  input: {
    readonly orgId: string;
    readonly caseRow: RefundCaseRow;
    readonly isDefaultOrg: boolean;
    readonly now: Date;
  },
): Promise<CardFacts> {
  const { caseRow, orgId } = input;
  const payment = await db
    .selectFrom('payments')
    .select(['brand', 'last4', 'method_type'])
    .where('org_id', '=', orgId)
    .where('id', '=', caseRow.payment_id)
    .executeTakeFirst();
  const people = await db
    .selectFrom('staff')
    .select(['id', 'name'])
    .where('org_id', '=', orgId)
    .where(
      'id',
      'in',
      [caseRow.requested_by, caseRow.decided_by]
        .filter((id): id is string => id !== null)
        .concat(['00000000-0000-0000-0000-000000000000']),
    )
    .execute();
  const nameOf = (id: string | null) => people.find((p) => p.id === id)?.name;
  let recent = { count: 0, total: formatMoney(money(0, caseRow.currency)) };
  if (caseRow.customer_id) {
    const rows = await db
      .selectFrom('refunds as r')
      .innerJoin('payments as p', 'p.id', 'r.payment_id')
      .select(['r.amount', 'r.currency'])
      .where('r.org_id', '=', orgId)
      .where('p.org_id', '=', orgId)
      .where('p.customer_id', '=', caseRow.customer_id)
      .where('r.state', '!=', 'failed')
      .where('r.created_at', '>=', new Date(input.now.getTime() - 90 * DAY_MS))
      .where((eb) => eb.or([eb('r.case_id', 'is', null), eb('r.case_id', '!=', caseRow.id)]))
      .execute();
    const sameCurrency = rows.filter((r) => r.currency === caseRow.currency);
    const total = sameCurrency.reduce((sum, r) => sum + Number(r.amount), 0);
    const others = rows.length - sameCurrency.length;
    recent = {
      count: rows.length,
      total: `${formatMoney(money(total, caseRow.currency))}${others > 0 ? ` + ${others} in other currencies` : ''}`,
    };
  }
  const verdict = caseRow.eligibility as EligibilityVerdict | null;
  const escalated = await db
    .selectFrom('approval_nudges')
    .select('tier')
    .where('org_id', '=', orgId)
    .where('case_id', '=', caseRow.id)
    .where('kind', '=', 'escalation')
    .orderBy('at', 'asc')
    .executeTakeFirst();
  const decidedBy = caseRow.decided_by
    ? nameOf(caseRow.decided_by)
    : caseRow.decision_channel === 'policy'
      ? 'policy'
      : undefined;
  return {
    caseId: caseRow.id,
    reference: caseRow.reference,
    state: caseRow.state,
    amount: formatMoney(money(Number(caseRow.amount), caseRow.currency)),
    method: payment?.last4
      ? `${payment.brand ?? payment.method_type} •••• ${payment.last4}`
      : (payment?.brand ?? payment?.method_type ?? 'unknown'),
    reasonCode: caseRow.reason_code,
    requiredRole: caseRow.required_role ?? 'lead',
    requester: nameOf(caseRow.requested_by) ?? 'an integration',
    ticket:
      caseRow.ticket_system && caseRow.ticket_ref
        ? {
            ref: caseRow.ticket_ref,
            url: ticketUrl(config, caseRow.ticket_system, caseRow.ticket_ref, input.isDefaultOrg),
          }
        : undefined,
    evidence: (verdict?.results ?? []).map((r) => ({ rule: r.rule, outcome: r.outcome, reason: r.reason })),
    recentRefunds: recent,
    decision:
      caseRow.decided_at && decidedBy
        ? { outcome: caseRow.state, by: decidedBy, at: caseRow.decided_at.toISOString() }
        : undefined,
    escalatedFrom: escalated?.tier,
    exceptionCode:
      caseRow.exception_reason && /^[a-z0-9_]+$/.test(caseRow.exception_reason) ? caseRow.exception_reason : undefined,
  };
}
