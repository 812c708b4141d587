import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../../test/support/databases.js';
import { createEngineFixture, type EngineFixture, usd } from '../../../test/support/engine-fixtures.js';
import { verifyAuditChain } from '../audit/verify-chain.js';
import { drainFastPaths } from '../jobs/fast-path.js';
import type { SandboxFault } from '../sandboxes/gateway-sandbox.js';
import { approve, cancel, deny } from './decide-case.js';
import { executeCase } from './execute-refund.js';
import { requestRefund } from './request-refund.js';
import { resolveRefund } from './resolve-refund.js';
import { settleRefund } from './settle-refund.js';

const CAPTURED = 100_000;

type Command =
  | { op: 'create'; payment: number; cents: number; by: 'agent' | 'lead' }
  | { op: 'approve' | 'deny' | 'cancel'; pick: number; by: 'lead' | 'manager' | 'manager2' | 'agent' }
  | { op: 'execute'; pick: number }
  | { op: 'fault'; fault: SandboxFault }
  | { op: 'settle_pending'; succeed: boolean }
  | { op: 'resolve' };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    op: fc.constant('create' as const),
    payment: fc.nat(2),
    cents: fc.integer({ min: 1, max: 120_000 }),
    by: fc.constantFrom('agent' as const, 'lead' as const),
  }),
  fc.record({
    op: fc.constantFrom('approve' as const, 'deny' as const, 'cancel' as const),
    pick: fc.nat(20),
    by: fc.constantFrom('lead' as const, 'manager' as const, 'manager2' as const, 'agent' as const),
  }),
  fc.record({ op: fc.constant('execute' as const), pick: fc.nat(20) }),
  fc.record({
    op: fc.constant('fault' as const),
    fault: fc.constantFrom<SandboxFault>(
      { kind: 'timeout' },
      { kind: 'drop_response' },
      { kind: 'http_500' },
      { kind: 'http_429', retryAfterSeconds: 1 },
      { kind: 'pending' },
    ),
  }),
  fc.record({ op: fc.constant('settle_pending' as const), succeed: fc.boolean() }),
  fc.record({ op: fc.constant('resolve' as const) }),
);

describe.each(BACKENDS)('refund engine model on %s', (backend) => {
  let f: EngineFixture;
  beforeAll(async () => {
    f = await createEngineFixture(backend, { env: { EXECUTION_LEASE_SECONDS: '1' } });
  });
  afterAll(async () => {
    await drainFastPaths();
    await f.close();
  });

  it('never refunds more than was captured, sends each attempt once, and decides each case once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(command, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 8 }),
        async (batches) => {
          f.gateway.faults.clear();
          const payments = await Promise.all([0, 1, 2].map(() => f.addPayment(usd(CAPTURED))));
          const cases: string[] = [];
          const run = async (c: Command): Promise<unknown> => {
            switch (c.op) {
              case 'create': {
                const p = payments[c.payment] ?? payments[0]!;
                const out = await requestRefund(f.ctx, {
                  orgId: f.orgId,
                  paymentId: p.paymentId,
                  amount: usd(c.cents),
                  reasonCode: 'product_return',
                  source: 'api',
                  requestedBy: f.staff[c.by].staffId,
                });
                cases.push(out.caseRow.id);
                return out;
              }
              case 'approve':
              case 'deny':
              case 'cancel': {
                const caseId = cases[c.pick % Math.max(1, cases.length)];
                if (!caseId) return undefined;
                const decide = { approve, deny, cancel }[c.op];
                return decide(f.ctx, { principal: f.staff[c.by], caseId, reason: 'model' });
              }
              case 'execute': {
                const caseId = cases[c.pick % Math.max(1, cases.length)];
                return caseId ? executeCase(f.ctx, { orgId: f.orgId, caseId }) : undefined;
              }
              case 'fault':
                f.gateway.faults.push(c.fault);
                return undefined;
              case 'settle_pending':
                return settleAllPending(c.succeed);
              case 'resolve':
                return resolveAll();
            }
          };
          const settleAllPending = async (succeed: boolean) => {
            for (const p of payments) {
              for (const r of f.gateway.refundsOf(p.paymentRef).filter((x) => x.status === 'pending')) {
                const settled = f.gateway.settle(
                  r.gatewayRefundId,
                  succeed ? 'succeeded' : 'failed',
                  'card_expired_or_canceled',
                );
                const ours = await f.ctx.db
                  .selectFrom('refunds')
                  .select(['id'])
                  .where('gateway_refund_id', '=', settled.gatewayRefundId)
                  .executeTakeFirst();
                if (!ours) continue;
                await f.ctx.db.transaction().execute((trx) =>
                  settleRefund(trx, {
                    refundId: ours.id,
                    orgId: f.orgId,
                    outcome: {
                      status: settled.status,
                      gatewayRefundId: settled.gatewayRefundId,
                      failureReason: settled.failureReason,
                    },
                    actor: { type: 'gateway', id: null },
                    at: f.clock.now(),
                  }),
                );
              }
            }
          };
          const resolveAll = async () => {
            f.clock.advance(60_000);
            const open = await f.ctx.db
              .selectFrom('refunds')
              .select('id')
              .where('org_id', '=', f.orgId)
              .where('state', 'in', ['reserved', 'unknown'])
              .execute();
            for (const r of open) await resolveRefund(f.ctx, { orgId: f.orgId, refundId: r.id });
          };
          for (const batch of batches) {
            await Promise.allSettled(batch.map(run));
            await assertNoOverRefund(payments);
          }
          await drainFastPaths();
          f.gateway.faults.clear();
          for (let i = 0; i < 5; i++) await resolveAll();
          await assertNoOverRefund(payments);
          await assertExactlyOnce(payments);
          await assertOneDecisionPerCase(cases);
        },
      ),
      { numRuns: 25 },
    );
    const outcomes = await f.ctx.db
      .selectFrom('refund_cases')
      .select(['state', sql<number>`count(*)::int`.as('n')])
      .where('org_id', '=', f.orgId)
      .groupBy('state')
      .execute();
    const byState = Object.fromEntries(outcomes.map((o) => [o.state, o.n]));
    // the random runs must have reached the interesting states, or the property proved nothing
    expect(byState['succeeded'] ?? 0, JSON.stringify(byState)).toBeGreaterThan(0);
    expect(
      (byState['pending_approval'] ?? 0) + (byState['denied'] ?? 0) + (byState['cancelled'] ?? 0),
      JSON.stringify(byState),
    ).toBeGreaterThan(0);
    // how many calls the random runs make varies with the seed and the machine's speed; some must happen
    expect(f.gateway.calls).toBeGreaterThan(0);
    expect((await verifyAuditChain(f.ctx.db, { orgId: f.orgId })).ok).toBe(true);
  });

  async function assertNoOverRefund(payments: Array<{ paymentId: string; paymentRef: string }>): Promise<void> {
    for (const p of payments) {
      const atGateway = f.gateway
        .refundsOf(p.paymentRef)
        .filter((r) => r.status !== 'failed')
        .reduce((s, r) => s + r.amount.amount, 0);
      expect(atGateway).toBeLessThanOrEqual(CAPTURED);
      const ledger = await sql<{
        total: string;
      }>`select coalesce(sum(amount), 0)::text as total from refunds where payment_id = ${p.paymentId} and state <> 'failed'`.execute(
        f.ctx.db,
      );
      expect(Number(ledger.rows[0]?.total)).toBeLessThanOrEqual(CAPTURED);
    }
  }

  async function assertExactlyOnce(payments: Array<{ paymentId: string; paymentRef: string }>): Promise<void> {
    for (const p of payments) {
      const ledger = await f.ctx.db
        .selectFrom('refunds')
        .select(['gateway_refund_id', 'state', 'amount'])
        .where('payment_id', '=', p.paymentId)
        .execute();
      for (const g of f.gateway.refundsOf(p.paymentRef)) {
        const matches = ledger.filter((r) => r.gateway_refund_id === g.gatewayRefundId);
        expect(matches, `gateway refund ${g.gatewayRefundId} recorded once`).toHaveLength(1);
        expect(matches[0]?.amount).toBe(g.amount.amount);
      }
      const succeeded = ledger.filter((r) => r.state === 'succeeded');
      expect(
        succeeded.every((r) =>
          f.gateway
            .refundsOf(p.paymentRef)
            .some((g) => g.gatewayRefundId === r.gateway_refund_id && g.status === 'succeeded'),
        ),
      ).toBe(true);
    }
  }

  async function assertOneDecisionPerCase(cases: string[]): Promise<void> {
    if (cases.length === 0) return;
    const rows = await f.ctx.db
      .selectFrom('audit_events')
      .select(['case_id', sql<number>`count(*)::int`.as('n')])
      .where('case_id', 'in', cases)
      .where('action', 'in', ['case.approved', 'case.denied', 'case.cancelled', 'case.auto_approved'])
      .groupBy('case_id')
      .execute();
    for (const row of rows) expect(row.n, `decisions on case ${row.case_id}`).toBe(1);
  }
});
