import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { money } from '../../money/money.js';
import { buildFacts } from './eligibility-facts.fixture.js';
import { combineOutcomes, evaluateEligibility } from './evaluate.js';
import { RULE_CODES, type RuleOutcome, type RuleResult } from './rule-result.js';
import { eligibilityRules } from './rules.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('evaluateEligibility', () => {
  it('is eligible when every rule passes, reporting every rule in the documented order', () => {
    const verdict = evaluateEligibility(buildFacts());
    expect(verdict.outcome).toBe('eligible');
    expect(verdict.results.map((result) => result.rule)).toEqual(RULE_CODES);
    expect(verdict.results.every((result) => result.outcome === 'pass')).toBe(true);
    expect(verdict.unverified).toBe(false);
  });

  it('keeps eligibilityRules in RULE_CODES order', () => {
    expect(eligibilityRules.map((rule) => rule(buildFacts()).rule)).toEqual(RULE_CODES);
  });

  it('is ineligible when any rule fails, even with exceptions and reviews', () => {
    const verdict = evaluateEligibility(
      buildFacts({
        openCases: { samePayment: 1, sameTicket: 0 }, // fail
        method: { expMonth: 1, expYear: 2025 }, // exception
        identity: 'email_only', // review
      }),
    );
    expect(verdict.outcome).toBe('ineligible');
  });

  it('is an exception when no rule fails but one cannot go back automatically, even with reviews', () => {
    const verdict = evaluateEligibility(
      buildFacts({ method: { cardPresent: true, funding: 'debit' }, identity: 'phone_only' }),
    );
    expect(verdict.outcome).toBe('exception');
  });

  it('is review when the only objection needs a person', () => {
    const verdict = evaluateEligibility(buildFacts({ now: new Date('2025-04-20T00:00:00.000Z') }));
    expect(verdict.outcome).toBe('review');
    expect(verdict.results.find((result) => result.rule === 'within_refund_window')?.outcome).toBe('review');
  });

  it('flags unverified customers', () => {
    expect(evaluateEligibility(buildFacts({ identity: 'email_only' })).unverified).toBe(true);
    expect(evaluateEligibility(buildFacts({ identity: 'phone_only' })).unverified).toBe(true);
    expect(evaluateEligibility(buildFacts({ identity: 'unmatched' })).unverified).toBe(true);
  });

  it('reports what is still refundable, clamped at zero when over-reserved', () => {
    expect(evaluateEligibility(buildFacts({ reserved: money(3750, 'USD') })).refundable).toEqual(money(6250, 'USD'));
    const overReserved = evaluateEligibility(buildFacts({ reserved: money(12_000, 'USD') }));
    expect(overReserved.refundable).toEqual(money(0, 'USD'));
    expect(overReserved.outcome).toBe('ineligible');
  });

  it('reads the time from the facts, never from the clock', () => {
    vi.useFakeTimers({ now: new Date('2099-01-01T00:00:00.000Z') });
    expect(evaluateEligibility(buildFacts()).outcome).toBe('eligible');
  });

  it('keeps refundable + reserved == captured whenever reserved ≤ captured', () => {
    const scenario = fc
      .tuple(fc.constantFrom('JPY', 'USD', 'KWD'), fc.nat({ max: Number.MAX_SAFE_INTEGER }))
      .chain(([currency, captured]) =>
        fc.record({
          currency: fc.constant(currency),
          captured: fc.constant(captured),
          reserved: fc.nat({ max: captured }),
          requested: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        }),
      );
    fc.assert(
      fc.property(scenario, ({ currency, captured, reserved, requested }) => {
        const verdict = evaluateEligibility(
          buildFacts({
            requested: money(requested, currency),
            reserved: money(reserved, currency),
            payment: { amount: money(captured, currency) },
          }),
        );
        expect(verdict.refundable.currency).toBe(currency);
        expect(verdict.refundable.amount + reserved).toBe(captured);
      }),
    );
  });
});

describe('combineOutcomes', () => {
  const result = (outcome: RuleOutcome): RuleResult => ({ rule: 'amount_positive', outcome, reason: outcome });

  it.each([
    [[], 'eligible'],
    [['pass', 'pass'], 'eligible'],
    [['pass', 'review'], 'review'],
    [['review', 'exception', 'pass'], 'exception'],
    [['exception', 'review', 'fail'], 'ineligible'],
    [['fail', 'pass'], 'ineligible'],
  ] as const)('%j → %s', (outcomes, expected) => {
    expect(combineOutcomes(outcomes.map(result))).toBe(expected);
  });
});
