import type { PaymentRow } from '../db/schema.js';
import type { EligibilityFacts } from '../refunds/eligibility/index.js';
import { paymentAmount } from './refundable.js';

/** What eligibility needs to know about a recorded payment. */
export function paymentFacts(payment: PaymentRow): EligibilityFacts['payment'] {
  return {
    status: payment.status,
    amount: paymentAmount(payment),
    capturedAt: payment.captured_at,
    method: {
      type: payment.method_type as EligibilityFacts['payment']['method']['type'],
      brand: payment.brand ?? undefined,
      last4: payment.last4 ?? undefined,
      expMonth: payment.exp_month ?? undefined,
      expYear: payment.exp_year ?? undefined,
      funding: (payment.funding ?? undefined) as EligibilityFacts['payment']['method']['funding'],
      cardPresent: payment.card_present,
    },
  };
}
