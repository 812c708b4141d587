/**
 * The eligibility rules, in the order they are evaluated and reported. The order is part of
 * the contract: the sidebar lists results as given, money checks first, people checks last.
 */
export const RULE_CODES = [
  'payment_captured',
  'currency_matches',
  'amount_positive',
  'amount_within_refundable',
  'within_refund_window',
  'reason_code_known',
  'no_open_case',
  'method_refundable',
  'above_minimum',
  'identity_match',
] as const;

export type RuleCode = (typeof RULE_CODES)[number];

/**
 * - `pass`: nothing to say against the request.
 * - `fail`: the request cannot be made (the agent gets a 422).
 * - `review`: a person must approve, even if the amount would auto-approve.
 * - `exception`: the money cannot go back the automatic way; staff refund it by hand
 *   (cheque, terminal…) from the exceptions queue. Not a gateway failure.
 */
export type RuleOutcome = 'pass' | 'fail' | 'review' | 'exception';

/** What one rule concluded, in one human sentence with no personal data. */
export interface RuleResult {
  readonly rule: RuleCode;
  readonly outcome: RuleOutcome;
  /** One sentence for agents; amounts formatted with formatMoney. */
  readonly reason: string;
  /** Machine-readable figures behind the sentence (amounts in minor units). */
  readonly details?: Readonly<Record<string, string | number>>;
}
