import { describe, expect, it } from 'vitest';
import { money } from '../money/money.js';
import { DEFAULT_POLICY, policySchema, routeCase } from './policy.js';

const base = {
  reasonCode: 'product_return',
  customerTier: 'standard',
  needsReview: false,
  velocityBreaches: [] as string[],
};

describe('routeCase', () => {
  it('auto-approves below 500.00, asks a lead from 500.00 to 2,000.00 and a manager above', () => {
    expect(routeCase(DEFAULT_POLICY, { ...base, amount: money(49_999, 'USD') }).route).toEqual({ kind: 'auto' });
    expect(routeCase(DEFAULT_POLICY, { ...base, amount: money(50_000, 'USD') }).route).toEqual({
      kind: 'approval',
      approver: 'lead',
    });
    expect(routeCase(DEFAULT_POLICY, { ...base, amount: money(200_000, 'USD') }).route).toEqual({
      kind: 'approval',
      approver: 'lead',
    });
    expect(routeCase(DEFAULT_POLICY, { ...base, amount: money(200_001, 'USD') }).route).toEqual({
      kind: 'approval',
      approver: 'manager',
    });
  });

  it('sends a currency without a tier to a manager', () => {
    const decision = routeCase(DEFAULT_POLICY, { ...base, amount: money(1, 'KWD') });
    expect(decision.route).toEqual({ kind: 'approval', approver: 'manager' });
    expect(decision.because.join(' ')).toContain('KWD');
  });

  it('applies reason and customer-tier overrides, never lowering the approver', () => {
    const policy = policySchema.parse({
      ...DEFAULT_POLICY,
      reasonOverrides: { goodwill: { minimumApprover: 'lead' } },
      customerTierOverrides: { vip: { alwaysReview: true }, risky: { minimumApprover: 'manager' } },
    });
    expect(routeCase(policy, { ...base, reasonCode: 'goodwill', amount: money(100, 'USD') }).route).toEqual({
      kind: 'approval',
      approver: 'lead',
    });
    expect(routeCase(policy, { ...base, customerTier: 'vip', amount: money(100, 'USD') }).route).toEqual({
      kind: 'approval',
      approver: 'lead',
    });
    expect(routeCase(policy, { ...base, customerTier: 'risky', amount: money(100, 'USD') }).route).toEqual({
      kind: 'approval',
      approver: 'manager',
    });
    expect(routeCase(policy, { ...base, reasonCode: 'goodwill', amount: money(300_000, 'USD') }).route).toEqual({
      kind: 'approval',
      approver: 'manager',
    });
  });

  it('forces review for eligibility review flags and velocity breaches, with the reasons', () => {
    expect(routeCase(DEFAULT_POLICY, { ...base, needsReview: true, amount: money(100, 'USD') }).route).toEqual({
      kind: 'approval',
      approver: 'lead',
    });
    const velocity = routeCase(DEFAULT_POLICY, {
      ...base,
      velocityBreaches: ['velocity: 26 refunds'],
      amount: money(100, 'USD'),
    });
    expect(velocity.route).toEqual({ kind: 'approval', approver: 'lead' });
    expect(velocity.because).toContain('velocity: 26 refunds');
  });

  it('rejects an incoherent policy', () => {
    expect(() => policySchema.parse({ tiers: [{ currency: 'USD', autoApproveBelow: 10, leadUpTo: 5 }] })).toThrow();
    expect(() => policySchema.parse({ tiers: [{ currency: 'ABC', autoApproveBelow: 1, leadUpTo: 5 }] })).toThrow();
    expect(() => policySchema.parse({ tiers: [{ currency: 'USD', autoApproveBelow: 1.5, leadUpTo: 5 }] })).toThrow();
  });
});
