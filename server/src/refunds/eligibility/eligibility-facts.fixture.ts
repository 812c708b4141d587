import { money } from '../../money/money.js';
import type { PaymentMethodFacts } from '../../ports/payment-gateway.js';
import type { EligibilityFacts } from './eligibility-facts.js';

/** Overrides for buildFacts: top-level fields, plus payment and card fields merged one level deep. */
export type FactsPatch = Partial<Omit<EligibilityFacts, 'payment'>> & {
  readonly payment?: Partial<EligibilityFacts['payment']>;
  readonly method?: Partial<PaymentMethodFacts>;
};

/**
 * Facts that pass every rule: USD 25.00 asked of a USD 100.00 card payment captured
 * 14 days ago under a 30-day reason, verified customer, no open case, no minimum.
 */
export function buildFacts(patch: FactsPatch = {}): EligibilityFacts {
  const { payment, method, ...rest } = patch;
  return {
    now: new Date('2025-03-15T12:00:00.000Z'),
    requested: money(2500, 'USD'),
    reserved: money(0, 'USD'),
    reason: { code: 'damaged', label: 'Damaged item', refundWindowDays: 30 },
    openCases: { samePayment: 0, sameTicket: 0 },
    identity: 'verified',
    ...rest,
    payment: {
      status: 'captured',
      amount: money(10_000, 'USD'),
      capturedAt: new Date('2025-03-01T10:00:00.000Z'),
      ...payment,
      method: {
        type: 'card',
        brand: 'visa',
        last4: '4242',
        expMonth: 12,
        expYear: 2027,
        funding: 'credit',
        cardPresent: false,
        ...payment?.method,
        ...method,
      },
    },
  };
}
