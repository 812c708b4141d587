import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MoneyError, money } from '../../money/money.js';
import { buildFacts } from './eligibility-facts.fixture.js';
import {
  aboveMinimum,
  amountPositive,
  amountWithinRefundable,
  currencyMatches,
  identityMatch,
  methodRefundable,
  noOpenCase,
  paymentCaptured,
  reasonCodeKnown,
  withinRefundWindow,
} from './rules.js';

describe('payment_captured', () => {
  it('passes a captured payment', () => {
    expect(paymentCaptured(buildFacts())).toMatchObject({ rule: 'payment_captured', outcome: 'pass' });
  });

  it.each(['pending', 'failed'] as const)('fails a %s payment', (status) => {
    const result = paymentCaptured(buildFacts({ payment: { status } }));
    expect(result).toMatchObject({ rule: 'payment_captured', outcome: 'fail', details: { status } });
    expect(result.reason).toContain(status === 'pending' ? 'pending' : 'failed');
  });
});

describe('currency_matches', () => {
  it('passes when the request is in the payment currency', () => {
    expect(currencyMatches(buildFacts())).toMatchObject({ rule: 'currency_matches', outcome: 'pass' });
  });

  it('fails a request in another currency and names both', () => {
    const result = currencyMatches(buildFacts({ requested: money(2500, 'EUR') }));
    expect(result.outcome).toBe('fail');
    expect(result.reason).toBe('the request is in EUR but the payment was made in USD');
  });
});

describe('amount_positive', () => {
  it('passes one minor unit', () => {
    const result = amountPositive(buildFacts({ requested: money(1, 'USD') }));
    expect(result).toMatchObject({ rule: 'amount_positive', outcome: 'pass' });
    expect(result.reason).toContain('USD 0.01');
  });

  it('fails zero', () => {
    const result = amountPositive(buildFacts({ requested: money(0, 'USD') }));
    expect(result.outcome).toBe('fail');
    expect(result.reason).toContain('USD 0.00');
  });

  it('fails a negative amount built without money()', () => {
    expect(amountPositive(buildFacts({ requested: { amount: -1, currency: 'USD' } })).outcome).toBe('fail');
  });
});

describe('amount_within_refundable', () => {
  // USD 100.00 captured, USD 37.50 already refunded or reserved: USD 62.50 left.
  const partlyRefunded = { reserved: money(3750, 'USD') };

  it('passes exactly the remaining refundable amount', () => {
    const result = amountWithinRefundable(buildFacts({ ...partlyRefunded, requested: money(6250, 'USD') }));
    expect(result).toMatchObject({ rule: 'amount_within_refundable', outcome: 'pass' });
    expect(result.details).toMatchObject({ refundableMinor: 6250, requestedMinor: 6250, currency: 'USD' });
  });

  it('fails one minor unit over and states what is left', () => {
    const result = amountWithinRefundable(buildFacts({ ...partlyRefunded, requested: money(6251, 'USD') }));
    expect(result.outcome).toBe('fail');
    expect(result.reason).toBe('USD 62.51 is more than the USD 62.50 still refundable on this payment');
  });

  it('fails anything on a fully refunded payment', () => {
    const result = amountWithinRefundable(buildFacts({ reserved: money(10_000, 'USD'), requested: money(1, 'USD') }));
    expect(result.outcome).toBe('fail');
    expect(result.reason).toContain('USD 0.00 still refundable');
  });

  it('formats JPY without decimals', () => {
    const result = amountWithinRefundable(
      buildFacts({
        requested: money(3801, 'JPY'),
        reserved: money(1200, 'JPY'),
        payment: { amount: money(5000, 'JPY') },
      }),
    );
    expect(result.outcome).toBe('fail');
    expect(result.reason).toBe('JPY 3801 is more than the JPY 3800 still refundable on this payment');
  });

  it('formats KWD with three decimals', () => {
    const result = amountWithinRefundable(
      buildFacts({
        requested: money(7501, 'KWD'),
        reserved: money(2500, 'KWD'),
        payment: { amount: money(10_000, 'KWD') },
      }),
    );
    expect(result.reason).toBe('KWD 7.501 is more than the KWD 7.500 still refundable on this payment');
  });

  it('fails and says so when reservations already exceed the capture', () => {
    const result = amountWithinRefundable(buildFacts({ reserved: money(11_000, 'USD'), requested: money(1, 'USD') }));
    expect(result.outcome).toBe('fail');
    expect(result.reason).toContain('exceed the captured USD 100.00 by USD 10.00');
    expect(result.details).toMatchObject({ overReservedMinor: 1000, refundableMinor: 0 });
  });

  it('fails a request in another currency instead of comparing across currencies', () => {
    const result = amountWithinRefundable(buildFacts({ requested: money(1, 'EUR') }));
    expect(result.outcome).toBe('fail');
    expect(result.reason).toContain('EUR');
  });

  it('throws when reserved is not in the payment currency (a caller bug)', () => {
    expect(() => amountWithinRefundable(buildFacts({ reserved: money(0, 'EUR') }))).toThrow(MoneyError);
  });

  it('passes iff requested ≤ captured − reserved', () => {
    const amounts = fc.nat({ max: 1_000_000_000 });
    const scenario = fc
      .tuple(fc.constantFrom('JPY', 'USD', 'KWD'), amounts, amounts)
      .chain(([currency, captured, reserved]) =>
        fc.record({
          currency: fc.constant(currency),
          captured: fc.constant(captured),
          reserved: fc.constant(reserved),
          // Half the time land on the boundary ±1, where off-by-one bugs live.
          requested: fc.oneof(
            amounts,
            fc.integer({ min: -1, max: 1 }).map((delta) => Math.max(0, captured - reserved + delta)),
          ),
        }),
      );
    fc.assert(
      fc.property(scenario, ({ currency, captured, reserved, requested }) => {
        const facts = buildFacts({
          requested: money(requested, currency),
          reserved: money(reserved, currency),
          payment: { amount: money(captured, currency) },
        });
        const isPass = amountWithinRefundable(facts).outcome === 'pass';
        expect(isPass).toBe(requested <= captured - reserved);
      }),
    );
  });
});

describe('within_refund_window', () => {
  // Captured 2025-03-01T10:00Z with a 30-day window: in window through 2025-03-31 (UTC).
  it('passes on the last moment of the window’s last day', () => {
    const result = withinRefundWindow(buildFacts({ now: new Date('2025-03-31T23:59:59.999Z') }));
    expect(result).toMatchObject({ rule: 'within_refund_window', outcome: 'pass' });
    expect(result.details).toMatchObject({ daysSinceCapture: 30, daysPast: 0 });
  });

  it('asks for review from the first moment after, one day past', () => {
    const result = withinRefundWindow(buildFacts({ now: new Date('2025-04-01T00:00:00.000Z') }));
    expect(result.outcome).toBe('review');
    expect(result.reason).toBe('captured 31 days ago, 1 day past the 30-day refund window');
  });

  it('says how many days past', () => {
    const result = withinRefundWindow(buildFacts({ now: new Date('2025-04-05T08:00:00.000Z') }));
    expect(result.reason).toContain('5 days past');
    expect(result.details).toMatchObject({ daysPast: 5, refundWindowDays: 30 });
  });

  it('counts calendar days, not 24-hour periods', () => {
    const facts = buildFacts({
      now: new Date('2025-03-02T00:01:00.000Z'),
      payment: { capturedAt: new Date('2025-03-01T23:59:00.000Z') },
      reason: { code: 'same_day', label: 'Same day', refundWindowDays: 0 },
    });
    expect(withinRefundWindow(facts).outcome).toBe('review');
  });

  it('passes on the capture day with a zero-day window', () => {
    const facts = buildFacts({
      now: new Date('2025-03-01T23:59:00.000Z'),
      reason: { code: 'same_day', label: 'Same day', refundWindowDays: 0 },
    });
    expect(withinRefundWindow(facts).outcome).toBe('pass');
  });

  it('passes when the clock is slightly behind the capture time', () => {
    const facts = buildFacts({ now: new Date('2025-03-01T09:59:00.000Z') });
    expect(withinRefundWindow(facts).outcome).toBe('pass');
  });

  it('asks for review when the reason, and so the window, is unknown', () => {
    expect(withinRefundWindow(buildFacts({ reason: undefined })).outcome).toBe('review');
  });

  it('asks for review on an invalid date rather than passing it', () => {
    expect(withinRefundWindow(buildFacts({ payment: { capturedAt: new Date(Number.NaN) } })).outcome).toBe('review');
  });
});

describe('reason_code_known', () => {
  it('passes a known reason', () => {
    const result = reasonCodeKnown(buildFacts());
    expect(result).toMatchObject({ rule: 'reason_code_known', outcome: 'pass', details: { code: 'damaged' } });
  });

  it('fails an unknown or inactive reason', () => {
    expect(reasonCodeKnown(buildFacts({ reason: undefined })).outcome).toBe('fail');
  });
});

describe('no_open_case', () => {
  it('passes when nothing else is open', () => {
    expect(noOpenCase(buildFacts())).toMatchObject({ rule: 'no_open_case', outcome: 'pass' });
  });

  it('fails on an open case on the same payment and says so', () => {
    const result = noOpenCase(buildFacts({ openCases: { samePayment: 1, sameTicket: 0 } }));
    expect(result.outcome).toBe('fail');
    expect(result.reason).toContain('1 other case on this payment is still open');
    expect(result.reason).not.toContain('ticket');
  });

  it('fails on open cases on the same ticket and says so', () => {
    const result = noOpenCase(buildFacts({ openCases: { samePayment: 0, sameTicket: 2 } }));
    expect(result.outcome).toBe('fail');
    expect(result.reason).toContain('2 other cases on this ticket are still open');
    expect(result.reason).not.toContain('payment');
  });

  it('names both when both have open cases', () => {
    const result = noOpenCase(buildFacts({ openCases: { samePayment: 1, sameTicket: 1 } }));
    expect(result.reason).toContain('1 other case on this payment and 1 other case on this ticket are still open');
    expect(result.details).toEqual({ samePayment: 1, sameTicket: 1 });
  });
});

describe('method_refundable', () => {
  it('passes a valid credit card', () => {
    expect(methodRefundable(buildFacts())).toMatchObject({ rule: 'method_refundable', outcome: 'pass' });
  });

  it('treats a card expiring this month as valid up to the month’s last moment', () => {
    const facts = buildFacts({ now: new Date('2025-03-31T23:59:59.999Z'), method: { expMonth: 3, expYear: 2025 } });
    expect(methodRefundable(facts).outcome).toBe('pass');
  });

  it('sends a card that expired last month to exceptions', () => {
    const result = methodRefundable(buildFacts({ method: { expMonth: 2, expYear: 2025 } }));
    expect(result.outcome).toBe('exception');
    expect(result.reason).toBe('card expired 02/25 — refund by another method');
  });

  it('sees a card as expired from the first moment of the next month', () => {
    const facts = buildFacts({ now: new Date('2025-04-01T00:00:00.000Z'), method: { expMonth: 3, expYear: 2025 } });
    expect(methodRefundable(facts).reason).toBe('card expired 03/25 — refund by another method');
  });

  it('compares across a year boundary', () => {
    const facts = buildFacts({ now: new Date('2025-01-10T00:00:00.000Z'), method: { expMonth: 12, expYear: 2024 } });
    expect(methodRefundable(facts).reason).toBe('card expired 12/24 — refund by another method');
    const valid = buildFacts({ now: new Date('2024-12-10T00:00:00.000Z'), method: { expMonth: 1, expYear: 2025 } });
    expect(methodRefundable(valid).outcome).toBe('pass');
  });

  it('reads a two-digit expiry year as 20YY', () => {
    expect(methodRefundable(buildFacts({ method: { expMonth: 2, expYear: 25 } })).outcome).toBe('exception');
    expect(methodRefundable(buildFacts({ method: { expMonth: 4, expYear: 25 } })).outcome).toBe('pass');
  });

  it('asks for review when the expiry is present but unreadable', () => {
    expect(methodRefundable(buildFacts({ method: { expMonth: 13, expYear: 2027 } })).outcome).toBe('review');
    expect(methodRefundable(buildFacts({ method: { expMonth: 3, expYear: undefined } })).outcome).toBe('review');
  });

  it('sends card-present debit to exceptions', () => {
    const result = methodRefundable(buildFacts({ method: { cardPresent: true, funding: 'debit' } }));
    expect(result.outcome).toBe('exception');
    expect(result.reason).toBe('card-present debit needs the card at a terminal');
  });

  it('passes card-present credit and online debit', () => {
    expect(methodRefundable(buildFacts({ method: { cardPresent: true, funding: 'credit' } })).outcome).toBe('pass');
    expect(methodRefundable(buildFacts({ method: { cardPresent: false, funding: 'debit' } })).outcome).toBe('pass');
  });

  it('reports an expired card before card-present debit', () => {
    const facts = buildFacts({ method: { cardPresent: true, funding: 'debit', expMonth: 1, expYear: 2025 } });
    expect(methodRefundable(facts).reason).toContain('card expired 01/25');
  });

  it('asks for review on a prepaid card', () => {
    expect(methodRefundable(buildFacts({ method: { funding: 'prepaid' } })).outcome).toBe('review');
  });

  it.each(['bank', 'paypal', 'wallet', 'other'] as const)('passes a %s payment without card details', (type) => {
    const facts = buildFacts({
      method: { type, brand: undefined, last4: undefined, expMonth: undefined, expYear: undefined, funding: undefined },
    });
    expect(methodRefundable(facts).outcome).toBe('pass');
  });

  it('never puts the card number in the reason', () => {
    const result = methodRefundable(buildFacts({ method: { expMonth: 2, expYear: 2025, last4: '4242' } }));
    expect(result.reason).not.toContain('4242');
  });
});

describe('above_minimum', () => {
  it('passes when no minimum is set', () => {
    expect(aboveMinimum(buildFacts())).toMatchObject({ rule: 'above_minimum', outcome: 'pass' });
  });

  it('passes exactly the minimum', () => {
    const facts = buildFacts({ minimum: money(2500, 'USD'), requested: money(2500, 'USD') });
    expect(aboveMinimum(facts).outcome).toBe('pass');
  });

  it('fails one minor unit under the minimum', () => {
    const result = aboveMinimum(buildFacts({ minimum: money(2500, 'USD'), requested: money(2499, 'USD') }));
    expect(result.outcome).toBe('fail');
    expect(result.reason).toBe('USD 24.99 is below the minimum refund of USD 25.00');
  });

  it('formats JPY and KWD minimums', () => {
    const jpy = aboveMinimum(buildFacts({ minimum: money(500, 'JPY'), requested: money(499, 'JPY') }));
    expect(jpy.reason).toBe('JPY 499 is below the minimum refund of JPY 500');
    const kwd = aboveMinimum(buildFacts({ minimum: money(1000, 'KWD'), requested: money(999, 'KWD') }));
    expect(kwd.reason).toBe('KWD 0.999 is below the minimum refund of KWD 1.000');
  });

  it('asks for review when the minimum is in another currency', () => {
    expect(aboveMinimum(buildFacts({ minimum: money(1, 'EUR') })).outcome).toBe('review');
  });
});

describe('identity_match', () => {
  it('passes a verified customer', () => {
    expect(identityMatch(buildFacts())).toMatchObject({ rule: 'identity_match', outcome: 'pass' });
  });

  it('asks for review when matched by email only', () => {
    expect(identityMatch(buildFacts({ identity: 'email_only' }))).toEqual({
      rule: 'identity_match',
      outcome: 'review',
      reason: 'unverified: matched by email only',
    });
  });

  it('asks for review when matched by phone only', () => {
    const result = identityMatch(buildFacts({ identity: 'phone_only' }));
    expect(result.outcome).toBe('review');
    expect(result.reason).toBe('unverified: matched by phone only');
  });

  it('fails an unmatched customer', () => {
    expect(identityMatch(buildFacts({ identity: 'unmatched' })).outcome).toBe('fail');
  });
});
