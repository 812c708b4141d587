import type { AppContext } from '../context.js';
import type { PaymentRow } from '../db/schema.js';
import { type Money, money } from '../money/money.js';
import { type EligibilityVerdict, evaluateEligibility } from '../refunds/eligibility/index.js';
import { openCasesByPayment, openCasesOnTicket } from '../refunds/open-cases.js';
import type { IdentityMatch } from '../refunds/request-refund.js';
import { paymentFacts } from './payment-facts.js';
import { remainingRefundable, reservedAmounts } from './refundable.js';

export interface PaymentVerdict {
  readonly payment: PaymentRow;
  readonly refundable: Money;
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
  const sameTicket = input.ticket ? await openCasesOnTicket(ctx.db, orgId, input.ticket) : 0;
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
      openCases: { samePayment: openByPayment.get(payment.id) ?? 0, sameTicket },
      identity: input.identity,
    });
    return { payment, refundable, verdict };
  });
}
