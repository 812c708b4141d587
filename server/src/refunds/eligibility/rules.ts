import { formatMoney } from '../../money/money.js';
import type { PaymentMethodFacts } from '../../ports/payment-gateway.js';
import type { EligibilityFacts } from './eligibility-facts.js';
import { refundableBalance } from './refundable.js';
import type { RuleCode, RuleResult } from './rule-result.js';

/** One eligibility rule: a pure function of the facts. */
export type EligibilityRule = (facts: EligibilityFacts) => RuleResult;

const DAY_MS = 86_400_000;

/** The payment must be captured: nothing pending or failed can be refunded. */
export function paymentCaptured(facts: EligibilityFacts): RuleResult {
  const { status } = facts.payment;
  if (status === 'captured') return pass('payment_captured', 'the payment is captured');
  const reason =
    status === 'pending'
      ? 'the payment is still pending, not captured'
      : 'the payment failed; there is nothing to refund';
  return { rule: 'payment_captured', outcome: 'fail', reason, details: { status } };
}

/** The refund must be in the payment's currency; we never convert. */
export function currencyMatches(facts: EligibilityFacts): RuleResult {
  const requested = facts.requested.currency;
  const paid = facts.payment.amount.currency;
  if (requested === paid) return pass('currency_matches', `the request is in ${paid}, like the payment`);
  return {
    rule: 'currency_matches',
    outcome: 'fail',
    reason: `the request is in ${requested} but the payment was made in ${paid}`,
    details: { requestedCurrency: requested, paymentCurrency: paid },
  };
}

/** The requested amount must be more than zero. */
export function amountPositive(facts: EligibilityFacts): RuleResult {
  if (facts.requested.amount > 0) {
    return pass('amount_positive', `the requested ${formatMoney(facts.requested)} is more than zero`);
  }
  return {
    rule: 'amount_positive',
    outcome: 'fail',
    reason: `the requested amount must be more than zero, got ${formatMoney(facts.requested)}`,
  };
}

/**
 * requested ≤ captured − reserved. Fails on a currency mismatch (nothing is compared across
 * currencies) and says so when reservations already exceed the capture.
 * Throws MoneyError if `reserved` is not in the payment's currency (a caller bug).
 */
export function amountWithinRefundable(facts: EligibilityFacts): RuleResult {
  const captured = facts.payment.amount;
  const { refundable, overReserved } = refundableBalance(captured, facts.reserved);
  const { requested } = facts;
  const details = {
    currency: captured.currency,
    capturedMinor: captured.amount,
    reservedMinor: facts.reserved.amount,
    refundableMinor: refundable.amount,
    requestedMinor: requested.amount,
  };
  if (overReserved.amount > 0) {
    return {
      rule: 'amount_within_refundable',
      outcome: 'fail',
      reason:
        `refunds recorded on this payment (${formatMoney(facts.reserved)}) exceed the captured ` +
        `${formatMoney(captured)} by ${formatMoney(overReserved)}, so nothing is refundable and the ledger needs checking`,
      details: { ...details, overReservedMinor: overReserved.amount },
    };
  }
  if (requested.currency !== captured.currency) {
    return {
      rule: 'amount_within_refundable',
      outcome: 'fail',
      reason: `a ${requested.currency} amount cannot be compared with the ${formatMoney(refundable)} still refundable`,
      details,
    };
  }
  if (requested.amount <= refundable.amount) {
    return {
      rule: 'amount_within_refundable',
      outcome: 'pass',
      reason: `${formatMoney(requested)} is within the ${formatMoney(refundable)} still refundable`,
      details,
    };
  }
  return {
    rule: 'amount_within_refundable',
    outcome: 'fail',
    reason: `${formatMoney(requested)} is more than the ${formatMoney(refundable)} still refundable on this payment`,
    details,
  };
}

/**
 * The request must come within the reason's refund window, counted in whole UTC calendar days
 * since capture: with a 30-day window a payment captured on 1 March stays in window through
 * 31 March 23:59:59.999 UTC. Past it, a person decides (review). The facts carry no timezone,
 * so UTC is the day boundary.
 */
export function withinRefundWindow(facts: EligibilityFacts): RuleResult {
  if (facts.reason === undefined) {
    return {
      rule: 'within_refund_window',
      outcome: 'review',
      reason: 'no refund window applies because the reason code is unknown',
    };
  }
  const windowDays = facts.reason.refundWindowDays;
  const daysSinceCapture = utcDay(facts.now) - utcDay(facts.payment.capturedAt);
  if (!Number.isFinite(daysSinceCapture)) {
    return {
      rule: 'within_refund_window',
      outcome: 'review',
      reason: 'the capture date or the current date is invalid',
    };
  }
  const daysPast = daysSinceCapture - windowDays;
  const details = { daysSinceCapture, refundWindowDays: windowDays, daysPast: Math.max(daysPast, 0) };
  if (daysPast <= 0) {
    return {
      rule: 'within_refund_window',
      outcome: 'pass',
      reason: `captured ${plural(Math.max(daysSinceCapture, 0), 'day')} ago, within the ${windowDays}-day refund window`,
      details,
    };
  }
  return {
    rule: 'within_refund_window',
    outcome: 'review',
    reason: `captured ${plural(daysSinceCapture, 'day')} ago, ${plural(daysPast, 'day')} past the ${windowDays}-day refund window`,
    details,
  };
}

/** The reason code must be known and active. */
export function reasonCodeKnown(facts: EligibilityFacts): RuleResult {
  if (facts.reason === undefined) {
    return { rule: 'reason_code_known', outcome: 'fail', reason: 'the reason code is unknown or inactive' };
  }
  return {
    rule: 'reason_code_known',
    outcome: 'pass',
    reason: `reason "${facts.reason.label}" is active`,
    details: { code: facts.reason.code },
  };
}

/** No other unfinished case may exist on the same payment or the same ticket. */
export function noOpenCase(facts: EligibilityFacts): RuleResult {
  const { samePayment, sameTicket } = facts.openCases;
  const details = { samePayment, sameTicket };
  if (samePayment === 0 && sameTicket === 0) {
    return {
      rule: 'no_open_case',
      outcome: 'pass',
      reason: 'no other case is open on this payment or ticket',
      details,
    };
  }
  const where = [
    samePayment > 0 ? `${plural(samePayment, 'other case')} on this payment` : undefined,
    sameTicket > 0 ? `${plural(sameTicket, 'other case')} on this ticket` : undefined,
  ].filter((part) => part !== undefined);
  return {
    rule: 'no_open_case',
    outcome: 'fail',
    reason: `finish the open case first: ${where.join(' and ')} ${samePayment + sameTicket === 1 ? 'is' : 'are'} still open`,
    details,
  };
}

/**
 * Whether the money can go back the way it came. First match wins:
 * an expired card (valid through the end of its expiry month, UTC) → exception;
 * an expiry present but unreadable (half missing, month 13…) → review;
 * card-present debit (Interac-style PIN debit) → exception; prepaid → review; anything else → pass.
 */
export function methodRefundable(facts: EligibilityFacts): RuleResult {
  const { method } = facts.payment;
  const expiry = cardExpiry(method);
  if (expiry === 'unreadable') {
    return {
      rule: 'method_refundable',
      outcome: 'review',
      reason: 'the card expiry date is unreadable, so a person should check the card is still valid',
    };
  }
  const thisMonth = monthIndex(facts.now.getUTCFullYear(), facts.now.getUTCMonth() + 1);
  if (expiry !== undefined && monthIndex(expiry.year, expiry.month) < thisMonth) {
    const label = `${String(expiry.month).padStart(2, '0')}/${String(expiry.year % 100).padStart(2, '0')}`;
    return {
      rule: 'method_refundable',
      outcome: 'exception',
      reason: `card expired ${label} — refund by another method`,
      details: { expiry: label },
    };
  }
  if (method.cardPresent === true && method.funding === 'debit') {
    return {
      rule: 'method_refundable',
      outcome: 'exception',
      reason: 'card-present debit needs the card at a terminal',
    };
  }
  if (method.funding === 'prepaid') {
    return {
      rule: 'method_refundable',
      outcome: 'review',
      reason: 'prepaid card: it may be spent or closed, so a person should confirm the refund can reach it',
    };
  }
  if (method.type === 'bank') {
    return pass('method_refundable', 'the refund goes back to the bank account that paid');
  }
  return pass('method_refundable', `the refund goes back to the original ${method.type} payment`);
}

/**
 * The request must reach the organisation's minimum, if one is set. A minimum in another
 * currency cannot be compared without conversion, which we never do: a person decides (review).
 */
export function aboveMinimum(facts: EligibilityFacts): RuleResult {
  const { minimum, requested } = facts;
  if (minimum === undefined) return pass('above_minimum', 'no minimum refund amount is set');
  if (minimum.currency !== requested.currency) {
    return {
      rule: 'above_minimum',
      outcome: 'review',
      reason: `the minimum refund is set in ${minimum.currency} and cannot be compared with a ${requested.currency} amount`,
    };
  }
  const details = { currency: minimum.currency, minimumMinor: minimum.amount, requestedMinor: requested.amount };
  if (requested.amount >= minimum.amount) {
    return {
      rule: 'above_minimum',
      outcome: 'pass',
      reason: `${formatMoney(requested)} meets the minimum refund of ${formatMoney(minimum)}`,
      details,
    };
  }
  return {
    rule: 'above_minimum',
    outcome: 'fail',
    reason: `${formatMoney(requested)} is below the minimum refund of ${formatMoney(minimum)}`,
    details,
  };
}

/** The customer must be matched to the payment; a match on one channel only needs a person's eye. */
export function identityMatch(facts: EligibilityFacts): RuleResult {
  switch (facts.identity) {
    case 'verified':
      return pass('identity_match', 'customer verified: email and phone, or an external id, agree');
    case 'email_only':
      return { rule: 'identity_match', outcome: 'review', reason: 'unverified: matched by email only' };
    case 'phone_only':
      return { rule: 'identity_match', outcome: 'review', reason: 'unverified: matched by phone only' };
    case 'unmatched':
      return { rule: 'identity_match', outcome: 'fail', reason: 'the customer could not be matched to this payment' };
  }
}

/** Every rule, in RULE_CODES order. */
export const eligibilityRules: readonly EligibilityRule[] = Object.freeze([
  paymentCaptured,
  currencyMatches,
  amountPositive,
  amountWithinRefundable,
  withinRefundWindow,
  reasonCodeKnown,
  noOpenCase,
  methodRefundable,
  aboveMinimum,
  identityMatch,
]);

function pass(rule: RuleCode, reason: string): RuleResult {
  return { rule, outcome: 'pass', reason };
}

function utcDay(date: Date): number {
  return Math.floor(date.getTime() / DAY_MS);
}

function monthIndex(year: number, month: number): number {
  return year * 12 + (month - 1);
}

/** A card's expiry, undefined when the facts carry none; two-digit years are read as 20YY. */
function cardExpiry(method: PaymentMethodFacts): { year: number; month: number } | 'unreadable' | undefined {
  const { expMonth, expYear } = method;
  if (expMonth === undefined && expYear === undefined) return undefined;
  if (expMonth === undefined || expYear === undefined) return 'unreadable';
  if (!Number.isInteger(expMonth) || expMonth < 1 || expMonth > 12 || !Number.isInteger(expYear) || expYear < 0) {
    return 'unreadable';
  }
  return { year: expYear < 100 ? 2000 + expYear : expYear, month: expMonth };
}

function plural(count: number, noun: string): string {
  return `${count} ${count === 1 ? noun : `${noun}s`}`;
}
