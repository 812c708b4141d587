import type { AppContext } from '../context.js';
import type { PaymentRow } from '../db/schema.js';
import { type Money, money } from '../money/money.js';
import { type EligibilityVerdict, evaluateEligibility } from '../refunds/eligibility/index.js';
import { openCasesByPayment, openCasesOnTicketByPayment } from '../refunds/open-cases.js';
import type { IdentityMatch } from '../refunds/request-refund.js';
import { paymentFacts } from './payment-facts.js';
import { type PendingCases, pendingCaseAmounts, remainingRefundable, reservedAmounts } from './refundable.js';

export interface PaymentVerdict {
  readonly payment: PaymentRow;
  /** Captured − refunds that have not failed. */
  readonly refundable: Money;
  /** Open cases not yet sent to the gateway (undefined: none). */
  readonly pending: PendingCases | undefined;
  /** What a new request could still get: refundable − pending, never below zero. */
  readonly refundableNow: Money;
  /** The verdict on refunding everything still refundable. */
  readonly verdict: EligibilityVerdict;
}

/**
 * A customer's payments (newest first, at most 100) with what is still refundable and the
 * eligibility verdict, in two grouped queries whatever the number of payments. The eligibility
 * endpoint and the helpdesk sidebars show the same facts through this.
 */
export async function customerPaymentVerdicts(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  input: {
    readonly orgId: string;
    readonly customerId: string;
    readonly reason: { readonly code: string; readonly label: string; readonly refund_window_days: number } | undefined;
    readonly identity: IdentityMatch;
    /** Open cases on this ticket count against a new one. */
    readonly ticket?: { readonly system?: string; readonly ref: string } | undefined;
  },
): Promise<PaymentVerdict[]> {
  const { orgId, reason } = input;
  const payments = await ctx.db
    .selectFrom('payments')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('customer_id', '=', input.customerId)
    .orderBy('captured_at', 'desc')
    .limit(100)
    .execute();
  const reservedByPayment = await reservedAmounts(ctx.db, payments);
  const openByPayment = await openCasesByPayment(
    ctx.db,
    orgId,
    payments.map((p) => p.id),
  );
  // a case on this payment and this ticket counts once, as a case on the payment
  const onTicket = input.ticket ? await openCasesOnTicketByPayment(ctx.db, orgId, input.ticket) : new Map();
  const onTicketTotal = [...onTicket.values()].reduce((sum, n) => sum + n, 0);
  const pendingByPayment = await pendingCaseAmounts(ctx.db, orgId, payments);
  const now = ctx.clock.now();
  return payments.map((payment) => {
    const reserved = reservedByPayment.get(payment.id) ?? money(0, payment.currency);
    const refundable = remainingRefundable(payment, reserved);
    const verdict = evaluateEligibility({
      now,
      requested: refundable,
      payment: paymentFacts(payment),
      reserved,
      reason: reason
        ? { code: reason.code, label: reason.label, refundWindowDays: reason.refund_window_days }
        : undefined,
      openCases: {
        samePayment: openByPayment.get(payment.id) ?? 0,
        sameTicket: onTicketTotal - (onTicket.get(payment.id) ?? 0),
      },
      identity: input.identity,
    });
    const pending = pendingByPayment.get(payment.id);
    const refundableNow = money(Math.max(0, refundable.amount - (pending?.amount.amount ?? 0)), payment.currency);
    return { payment, refundable, pending, refundableNow, verdict };
  });
}
