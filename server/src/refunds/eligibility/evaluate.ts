import type { Money } from '../../money/money.js';
import type { EligibilityFacts } from './eligibility-facts.js';
import { refundableAmount } from './refundable.js';
import type { RuleOutcome, RuleResult } from './rule-result.js';
import { eligibilityRules } from './rules.js';

/** ineligible if any rule fails, else exception if any, else review if any, else eligible. */
export type EligibilityOutcome = 'eligible' | 'review' | 'exception' | 'ineligible';

/** The explained answer to "can this refund be requested, and how will it go?" */
export interface EligibilityVerdict {
  readonly outcome: EligibilityOutcome;
  /** Every rule's result, in RULE_CODES order. */
  readonly results: RuleResult[];
  /** captured − reserved, never negative (see refundableBalance for over-reserved payments). */
  readonly refundable: Money;
  /** True unless the customer's identity was verified (email and phone, or an external id, agree). */
  readonly unverified: boolean;
}

/** Worst outcome first: a failed request is never queued, an exception needs staff whoever approves. */
const PRECEDENCE: readonly (readonly [RuleOutcome, EligibilityOutcome])[] = [
  ['fail', 'ineligible'],
  ['exception', 'exception'],
  ['review', 'review'],
];

/**
 * Runs every rule against the facts (pure: no database, no clock) and combines the results.
 * Throws MoneyError('currency_mismatch') when `reserved` is not in the payment's currency.
 */
export function evaluateEligibility(facts: EligibilityFacts): EligibilityVerdict {
  const results = eligibilityRules.map((rule) => rule(facts));
  return {
    outcome: combineOutcomes(results),
    results,
    refundable: refundableAmount(facts.payment.amount, facts.reserved),
    unverified: facts.identity !== 'verified',
  };
}

/** The verdict's outcome for a set of rule results (see EligibilityOutcome). */
export function combineOutcomes(results: readonly RuleResult[]): EligibilityOutcome {
  for (const [ruleOutcome, verdict] of PRECEDENCE) {
    if (results.some((result) => result.outcome === ruleOutcome)) return verdict;
  }
  return 'eligible';
}
