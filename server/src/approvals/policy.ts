import { z } from 'zod';
import { isKnownCurrency } from '../money/currency.js';
import type { Money } from '../money/money.js';
import type { ApproverRole } from '../orgs/roles.js';

const minorUnits = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const currencyCode = z.string().refine(isKnownCurrency, 'unknown ISO 4217 currency');
const routeOverride = z.object({
  /** Never auto-approve this reason / customer tier. */
  alwaysReview: z.boolean().optional(),
  /** At least this approver, whatever the amount. */
  minimumApprover: z.enum(['lead', 'manager']).optional(),
});
const velocityLimit = z.object({
  maxCount: z.number().int().positive(),
  /** Per currency, minor units. */
  maxAmount: z.record(currencyCode, minorUnits),
});

/** An organisation's approval policy; stored as JSON, edited by admins through the API. */
export const policySchema = z.object({
  /** Per currency: below `autoApproveBelow` auto-approve (when every rule passes); up to `leadUpTo` a lead; above, a manager. */
  tiers: z
    .array(z.object({ currency: currencyCode, autoApproveBelow: minorUnits, leadUpTo: minorUnits }))
    .refine((tiers) => new Set(tiers.map((t) => t.currency)).size === tiers.length, 'one tier per currency')
    .refine(
      (tiers) => tiers.every((t) => t.autoApproveBelow <= t.leadUpTo),
      'autoApproveBelow must not exceed leadUpTo',
    ),
  reasonOverrides: z.record(z.string(), routeOverride).default({}),
  customerTierOverrides: z.record(z.string(), routeOverride).default({}),
  velocity: z.object({ perRequester: velocityLimit.optional(), perOrganisation: velocityLimit.optional() }).default({}),
  /** Cases pending approval longer than this expire. */
  expireAfterHours: z
    .number()
    .int()
    .positive()
    .max(24 * 90)
    .default(24 * 14),
  /** Optional minimum refund per currency (minor units). */
  minimumRefund: z.record(currencyCode, minorUnits).default({}),
});

export type ApprovalPolicy = z.infer<typeof policySchema>;

/** Below 500.00 auto-approve, 500.00–2,000.00 a lead, above a manager (USD, EUR, GBP, CAD, AUD; JPY scaled). */
export const DEFAULT_POLICY: ApprovalPolicy = policySchema.parse({
  tiers: [
    { currency: 'USD', autoApproveBelow: 50_000, leadUpTo: 200_000 },
    { currency: 'EUR', autoApproveBelow: 50_000, leadUpTo: 200_000 },
    { currency: 'GBP', autoApproveBelow: 50_000, leadUpTo: 200_000 },
    { currency: 'CAD', autoApproveBelow: 50_000, leadUpTo: 200_000 },
    { currency: 'AUD', autoApproveBelow: 50_000, leadUpTo: 200_000 },
    { currency: 'JPY', autoApproveBelow: 50_000, leadUpTo: 200_000 },
  ],
  reasonOverrides: { goodwill: { minimumApprover: 'lead' } },
  customerTierOverrides: {},
  velocity: {
    perRequester: { maxCount: 25, maxAmount: { USD: 1_000_000, EUR: 1_000_000 } },
    perOrganisation: { maxCount: 500, maxAmount: { USD: 10_000_000, EUR: 10_000_000 } },
  },
});

export interface RouteInput {
  readonly amount: Money;
  readonly reasonCode: string;
  readonly customerTier: string;
  /** The eligibility verdict asks for a person (window, identity, prepaid…). */
  readonly needsReview: boolean;
  /** Velocity limits exceeded (reasons). */
  readonly velocityBreaches: readonly string[];
}

export type Route = { readonly kind: 'auto' } | { readonly kind: 'approval'; readonly approver: ApproverRole };

export interface RouteDecision {
  readonly route: Route;
  /** Why, in order: each line is shown to approvers and audited. */
  readonly because: readonly string[];
}

const RANK: Record<ApproverRole, number> = { lead: 1, manager: 2 };
const higher = (a: ApproverRole, b: ApproverRole): ApproverRole => (RANK[a] >= RANK[b] ? a : b);

/** Decides who must approve: pure, explained. A currency without a tier always needs a manager. */
export function routeCase(policy: ApprovalPolicy, input: RouteInput): RouteDecision {
  const because: string[] = [];
  const tier = policy.tiers.find((t) => t.currency === input.amount.currency);
  let approver: ApproverRole | undefined;
  if (!tier) {
    approver = 'manager';
    because.push(`no approval tier for ${input.amount.currency}: a manager decides`);
  } else if (input.amount.amount > tier.leadUpTo) {
    approver = 'manager';
    because.push('amount above the lead tier: a manager decides');
  } else if (input.amount.amount >= tier.autoApproveBelow) {
    approver = 'lead';
    because.push('amount in the lead tier');
  } else {
    because.push('amount below the auto-approval threshold');
  }
  for (const [label, override] of [
    [`reason ${input.reasonCode}`, policy.reasonOverrides[input.reasonCode]],
    [`customer tier ${input.customerTier}`, policy.customerTierOverrides[input.customerTier]],
  ] as const) {
    if (!override) continue;
    if (override.minimumApprover) {
      approver = approver ? higher(approver, override.minimumApprover) : override.minimumApprover;
      because.push(`${label} needs at least a ${override.minimumApprover}`);
    }
    if (override.alwaysReview && !approver) {
      approver = 'lead';
      because.push(`${label} is always reviewed`);
    }
  }
  if (input.needsReview && !approver) {
    approver = 'lead';
    because.push('eligibility asks for a person to review');
  }
  if (input.velocityBreaches.length > 0 && !approver) {
    approver = 'lead';
  }
  because.push(...input.velocityBreaches);
  return { route: approver ? { kind: 'approval', approver } : { kind: 'auto' }, because };
}
