import type { Money } from '../../money/money.js';
import type { PaymentMethodFacts } from '../../ports/payment-gateway.js';

/**
 * Everything eligibility looks at, gathered by the caller beforehand. Eligibility reads no
 * database and no clock: `now` is part of the facts, so a verdict can be replayed exactly.
 */
export interface EligibilityFacts {
  readonly now: Date;
  /** The amount asked for. */
  readonly requested: Money;
  readonly payment: {
    readonly status: 'captured' | 'pending' | 'failed';
    /** The captured amount. */
    readonly amount: Money;
    readonly capturedAt: Date;
    readonly method: PaymentMethodFacts;
  };
  /** Σ refunds of this payment that have not failed (pending, unknown, reserved, succeeded), in the payment's currency. */
  readonly reserved: Money;
  /** The reason code as configured; undefined when the code is unknown or inactive. */
  readonly reason: { readonly code: string; readonly label: string; readonly refundWindowDays: number } | undefined;
  /** Other cases that are not yet terminal, on the same payment and on the same ticket. */
  readonly openCases: { readonly samePayment: number; readonly sameTicket: number };
  /** The organisation's minimum refund amount, if it has one. */
  readonly minimum?: Money | undefined;
  /** How the customer was matched: verified = email and phone, or an external id, agree. */
  readonly identity: 'verified' | 'email_only' | 'phone_only' | 'unmatched';
}
