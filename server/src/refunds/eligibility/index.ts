export type { EligibilityFacts } from './eligibility-facts.js';
export { combineOutcomes, type EligibilityOutcome, type EligibilityVerdict, evaluateEligibility } from './evaluate.js';
export { type RefundableBalance, refundableAmount, refundableBalance } from './refundable.js';
export { RULE_CODES, type RuleCode, type RuleOutcome, type RuleResult } from './rule-result.js';
export {
  aboveMinimum,
  amountPositive,
  amountWithinRefundable,
  currencyMatches,
  type EligibilityRule,
  eligibilityRules,
  identityMatch,
  methodRefundable,
  noOpenCase,
  paymentCaptured,
  reasonCodeKnown,
  withinRefundWindow,
} from './rules.js';
