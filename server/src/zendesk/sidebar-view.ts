import type { Kysely } from 'kysely';
import type { AppContext } from '../context.js';
import type { Database, RefundCaseRow } from '../db/schema.js';
import type { Principal } from '../http/auth.js';
import { normaliseEmail, normalisePhone } from '../ledger/customers.js';
import { customerPaymentVerdicts } from '../ledger/payment-verdicts.js';
import { paymentAmount } from '../ledger/refundable.js';
import { money } from '../money/money.js';
import { type ApproverRole, canApprove } from '../orgs/roles.js';
import type { HelpdeskTicket, HelpdeskUser } from '../ports/helpdesk.js';
import { moneyView } from '../refunds/case-view.js';

type CustomerRow = Awaited<ReturnType<typeof findRequesterCustomer>>;

/**
 * The customer behind a ticket's requester: found by email. `verified` when a second identifier
 * agrees too — the requester's phone in Zendesk equals the customer's, or the requester's Zendesk
 * external id is the customer's id or one of its external ids — else `email_only`.
 */
export async function findRequesterCustomer(db: Kysely<Database>, orgId: string, requester: HelpdeskUser | undefined) {
  if (!requester?.email) return undefined;
  const customer = await db
    .selectFrom('customers')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('email', '=', normaliseEmail(requester.email))
    .executeTakeFirst();
  if (!customer) return undefined;
  const phoneAgrees = !!requester.phone && !!customer.phone && normalisePhone(requester.phone) === customer.phone;
  const externalAgrees =
    !!requester.externalId &&
    (requester.externalId === customer.id || Object.values(customer.external_ids ?? {}).includes(requester.externalId));
  return { ...customer, match: phoneAgrees || externalAgrees ? ('verified' as const) : ('email_only' as const) };
}

/** A case as the sidebar shows it, with what this viewer may do now. */
export async function caseSummaries(
  db: Kysely<Database>,
  rows: readonly RefundCaseRow[],
  viewer: Principal | undefined,
) {
  const staffIds = [...new Set(rows.flatMap((r) => (r.decided_by ? [r.decided_by] : [])))];
  const names = new Map(
    staffIds.length === 0
      ? []
      : (await db.selectFrom('staff').select(['id', 'name']).where('id', 'in', staffIds).execute()).map((s) => [
          s.id,
          s.name,
        ]),
  );
  const caseIds = rows.map((r) => r.id);
  const refunds =
    caseIds.length === 0
      ? []
      : await db
          .selectFrom('refunds')
          .select(['case_id', 'gateway_refund_id'])
          .where('case_id', 'in', caseIds)
          .where('state', '!=', 'failed')
          .where('gateway_refund_id', 'is not', null)
          .orderBy('created_at', 'desc')
          .execute();
  return rows.map((row) => {
    const required = (row.required_role ?? 'lead') as ApproverRole;
    const isPending = row.state === 'pending_approval';
    const isRequester = !!viewer && row.requested_by === viewer.staffId;
    return {
      id: row.id,
      reference: row.reference,
      state: row.state,
      amount: moneyView(money(row.amount, row.currency)),
      reasonCode: row.reason_code,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      requiredRole: row.required_role,
      decidedBy: row.decided_by
        ? (names.get(row.decided_by) ?? null)
        : row.decision_channel === 'policy'
          ? 'policy'
          : null,
      decisionReason: row.decision_reason,
      exceptionReason: row.exception_reason,
      gatewayRefundId: refunds.find((r) => r.case_id === row.id)?.gateway_refund_id ?? null,
      actions: {
        approve: !!viewer && isPending && !isRequester && canApprove(viewer.role, required),
        cancel: !!viewer && isPending && (isRequester || canApprove(viewer.role, required)),
      },
    };
  });
}

/** The ticket's cases, newest first. */
export function ticketCases(db: Kysely<Database>, orgId: string, ticketId: string): Promise<RefundCaseRow[]> {
  return db
    .selectFrom('refund_cases')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('ticket_system', '=', 'zendesk')
    .where('ticket_ref', '=', ticketId)
    .orderBy('created_at', 'desc')
    .limit(50)
    .execute();
}

/** Everything the sidebar shows for one ticket (see the sidebar contract's SidebarView). */
export async function buildSidebarView(
  ctx: AppContext,
  input: {
    readonly orgId: string;
    readonly ticket: HelpdeskTicket;
    readonly requester: HelpdeskUser | undefined;
    readonly viewer: Principal | undefined;
    /** The Zendesk agent's name (shown even when they are not staff). */
    readonly viewerName: string | null;
    /** Zendesk proved who the agent is (signed URL); false for an older install's JWT. */
    readonly isVerified: boolean;
    /** The viewer may request refunds (staff, or an older install's agent, unverified). */
    readonly mayRequest: boolean;
  },
) {
  const { orgId, ticket, requester, viewer } = input;
  const customer: CustomerRow = await findRequesterCustomer(ctx.db, orgId, requester);
  const reasons = await ctx.db
    .selectFrom('reason_codes')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('active', '=', true)
    .orderBy('code')
    .execute();
  // the same facts the eligibility endpoint evaluates, with the longest refund window as the default reason
  const reason = [...reasons].sort((a, b) => b.refund_window_days - a.refund_window_days)[0];
  const verdicts = customer
    ? await customerPaymentVerdicts(ctx, {
        orgId,
        customerId: customer.id,
        reason,
        identity: customer.match,
        ticket: { system: 'zendesk', ref: ticket.id },
      })
    : [];
  const paymentViews = verdicts.map(({ payment, refundableNow, pending, verdict }) => {
    return {
      id: payment.id,
      gateway: payment.gateway,
      reference: payment.gateway_payment_id,
      capturedAt: payment.captured_at.toISOString(),
      amount: moneyView(paymentAmount(payment)),
      // what a new request could still get: refunds made and cases pending are left aside
      refundable: moneyView(refundableNow),
      pending: pending
        ? {
            amount: moneyView(pending.amount),
            cases: pending.cases.map((c) => ({
              id: c.id,
              reference: c.reference,
              state: c.state,
              amount: moneyView(c.amount),
            })),
          }
        : null,
      method: { type: payment.method_type, brand: payment.brand, last4: payment.last4 },
      eligibility: {
        outcome: verdict.outcome,
        reasons: verdict.results.map((r) => ({ rule: r.rule, outcome: r.outcome, message: r.reason })),
      },
    };
  });
  return {
    viewer: {
      name: viewer?.name ?? input.viewerName,
      role: viewer?.role ?? null,
      readOnly: !input.mayRequest,
      verified: input.isVerified,
    },
    ticket: { id: ticket.id, subject: ticket.subject, tags: [...ticket.tags] },
    requester: { name: requester?.name ?? null, email: requester?.email ?? null },
    customer: customer ? { id: customer.id, name: customer.name, email: customer.email, match: customer.match } : null,
    payments: paymentViews,
    cases: await caseSummaries(ctx.db, await ticketCases(ctx.db, orgId, ticket.id), viewer),
    reasonCodes: reasons.map((r) => ({ code: r.code, label: r.label })),
  };
}
