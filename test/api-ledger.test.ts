import { describe, expect, it } from 'vitest';
import type { ApiResponse } from './support/api-fixtures.js';
import { expectError, sleep, useApiSuite } from './support/api-suite.js';
import { BACKENDS } from './support/databases.js';

describe.each(BACKENDS)('HTTP API /api/v1 (ledger and eligibility) on %s', (backend) => {
  const s = useApiSuite(backend);
  const { fresh, count, refundsOfCase } = s;

  describe('ledger batches', () => {
    const paymentItem = (ref: string, amount: string, extra: Record<string, unknown> = {}) => ({
      gateway: 'billing',
      gatewayPaymentId: ref,
      amount,
      currency: 'USD',
      capturedAt: '2026-11-01T09:00:00Z',
      customer: { email: `${ref}@example.test`, name: 'Batch Customer' },
      ...extra,
    });
    const statuses = (res: ApiResponse) =>
      res.body.results.map((r: { status: string; error?: { code: string } }) => r.error?.code ?? r.status);

    it('upserts payments idempotently on their natural keys', async () => {
      const f = await fresh();
      const batch = {
        payments: [paymentItem('inv-1', '10.00'), paymentItem('inv-2', '20.00'), paymentItem('inv-3', '30.00')],
      };
      const first = await f.call('POST', '/api/v1/payments', { token: f.staff.admin.token, body: batch });
      expect(first.status, first.text).toBe(200);
      expect(statuses(first)).toEqual(['created', 'created', 'created']);
      const second = await f.call('POST', '/api/v1/payments', { token: f.staff.manager.token, body: batch });
      expect(second.status, second.text).toBe(200);
      expect(statuses(second)).toEqual(['updated', 'updated', 'updated']);
      expect(second.body.results.map((r: { id: string }) => r.id)).toEqual(
        first.body.results.map((r: { id: string }) => r.id),
      );
      expect(await count('payments', f.orgId)).toBe(3);
      expect(await count('customers', f.orgId)).toBe(3);

      const changed = await f.call('POST', '/api/v1/payments', {
        token: f.staff.admin.token,
        body: {
          payments: [paymentItem('inv-1', '10.00'), paymentItem('inv-2', '25.00'), paymentItem('inv-4', '40.00')],
        },
      });
      expect(changed.status, changed.text).toBe(200);
      expect(statuses(changed)).toEqual(['updated', 'conflict', 'created']);
      expect(changed.body.results[1].status).toBe('rejected');
      const inv2 = await s.tc.ctx.db
        .selectFrom('payments')
        .select(['amount', 'currency'])
        .where('org_id', '=', f.orgId)
        .where('gateway_payment_id', '=', 'inv-2')
        .executeTakeFirstOrThrow();
      expect(inv2).toEqual({ amount: 2000, currency: 'USD' });
      expect(await count('payments', f.orgId)).toBe(4);
    });

    it('rejects invalid items one by one and keeps the valid ones', async () => {
      const f = await fresh();
      const res = await f.call('POST', '/api/v1/payments', {
        token: f.staff.admin.token,
        body: {
          payments: [
            paymentItem('ok-1', '15.00'),
            paymentItem('neg-1', '-5'),
            paymentItem('xxx-1', '5.00', { currency: 'XXX' }),
            paymentItem('zero-1', '0.00'),
            paymentItem('ok-2', '16.00'),
          ],
        },
      });
      expect(res.status, res.text).toBe(200);
      expect(statuses(res)).toEqual(['created', 'invalid_amount', 'unknown_currency', 'invalid_amount', 'created']);
      expect(res.body.results.map((r: { index: number }) => r.index)).toEqual([0, 1, 2, 3, 4]);
      const stored = await s.tc.ctx.db
        .selectFrom('payments')
        .select('gateway_payment_id')
        .where('org_id', '=', f.orgId)
        .orderBy('gateway_payment_id')
        .execute();
      expect(stored.map((p) => p.gateway_payment_id)).toEqual(['ok-1', 'ok-2']);
    });

    it('refuses payments and balances from an agent with 403 and writes nothing', async () => {
      const f = await fresh();
      const payments = await f.call('POST', '/api/v1/payments', {
        token: f.staff.agent.token,
        body: { payments: [paymentItem('agent-1', '10.00')] },
      });
      expectError(payments, 403, 'forbidden');
      const balances = await f.call('POST', '/api/v1/balances', {
        token: f.staff.agent.token,
        body: {
          balances: [
            {
              sourceSystem: 'pm',
              externalRef: 'acct-1',
              amount: '1.00',
              currency: 'USD',
              asOf: '2026-11-20T00:00:00Z',
              customer: { email: 'b@example.test' },
            },
          ],
        },
      });
      expectError(balances, 403, 'forbidden');
      expect(await count('payments', f.orgId)).toBe(0);
      expect(await count('credit_balances', f.orgId)).toBe(0);
    });

    it('upserts balances idempotently on sourceSystem + externalRef', async () => {
      const f = await fresh();
      const balance = (ref: string, amount: string) => ({
        sourceSystem: 'practice-mgmt',
        externalRef: ref,
        amount,
        currency: 'USD',
        asOf: '2026-11-20T00:00:00Z',
        customer: { email: `${ref}@example.test` },
      });
      const batch = { balances: [balance('acct-1', '12.00'), balance('acct-2', '7.50')] };
      const first = await f.call('POST', '/api/v1/balances', { token: f.staff.admin.token, body: batch });
      expect(first.status, first.text).toBe(200);
      expect(statuses(first)).toEqual(['created', 'created']);
      const second = await f.call('POST', '/api/v1/balances', { token: f.staff.admin.token, body: batch });
      expect(statuses(second)).toEqual(['updated', 'updated']);
      expect(second.body.results.map((r: { id: string }) => r.id)).toEqual(
        first.body.results.map((r: { id: string }) => r.id),
      );
      expect(await count('credit_balances', f.orgId)).toBe(2);
      const third = await f.call('POST', '/api/v1/balances', {
        token: f.staff.manager.token,
        body: { balances: [balance('acct-1', '3.00'), balance('acct-3', '-2')] },
      });
      expect(statuses(third)).toEqual(['updated', 'invalid_amount']);
      const rows = await s.tc.ctx.db
        .selectFrom('credit_balances')
        .select(['external_ref', 'amount'])
        .where('org_id', '=', f.orgId)
        .orderBy('external_ref')
        .execute();
      expect(rows).toEqual([
        { external_ref: 'acct-1', amount: 300 },
        { external_ref: 'acct-2', amount: 750 },
      ]);
    });
  });

  describe('eligibility', () => {
    it('lists the customer’s payments with what is still refundable and explained verdicts (email only: unverified)', async () => {
      const f = await fresh();
      const email = `Pat.Doe+${f.slug}@Example.test`;
      const big = await f.payment({ amount: '100.00', email });
      const small = await f.payment({
        amount: '50.00',
        email,
        capturedAt: new Date(s.clock.now().getTime() - 5 * 86_400_000),
      });
      const refund = await f.call('POST', '/api/v1/refunds', {
        token: f.staff.agent.token,
        body: { paymentId: big.row.id, amount: '30.00', currency: 'USD', reasonCode: 'overpayment' },
      });
      expect(refund.status, refund.text).toBe(201);
      expect((await f.settle(refund.body.case.id)).state).toBe('succeeded');

      const res = await f.call('GET', `/api/v1/eligibility?email=${encodeURIComponent(email.toUpperCase())}`, {
        token: f.staff.agent.token,
      });
      expect(res.status, res.text).toBe(200);
      expect(res.body.customer).toMatchObject({ match: 'email_only', unverified: true, name: 'Casey Customer' });
      const byId = new Map(res.body.payments.map((p: { paymentId: string }) => [p.paymentId, p]));
      expect([...byId.keys()]).toEqual([big.row.id, small.row.id]);
      // biome-ignore lint/suspicious/noExplicitAny: JSON
      const bigView = byId.get(big.row.id) as any;
      // biome-ignore lint/suspicious/noExplicitAny: JSON
      const smallView = byId.get(small.row.id) as any;
      expect(bigView.amount).toEqual({ value: '100.00', minor: 10_000, currency: 'USD' });
      expect(bigView.refundable).toEqual({ value: '70.00', minor: 7000, currency: 'USD' });
      expect(smallView.refundable).toEqual({ value: '50.00', minor: 5000, currency: 'USD' });
      expect(bigView.gateway).toBe('memory');
      expect(bigView.gatewayPaymentId).toBe(big.ref);
      for (const view of [bigView, smallView]) {
        expect(view.verdict.unverified).toBe(true);
        expect(view.verdict.outcome).toBe('review');
        const identity = view.verdict.results.find((r: { rule: string }) => r.rule === 'identity_match');
        expect(identity).toMatchObject({ outcome: 'review' });
        expect(view.verdict.results.length).toBeGreaterThanOrEqual(10);
        for (const result of view.verdict.results) expect(typeof result.reason).toBe('string');
      }
      expect(bigView.verdict.refundable).toEqual({ amount: 7000, currency: 'USD' });

      const missing = await f.call('GET', '/api/v1/eligibility?email=nobody%40example.test', {
        token: f.staff.agent.token,
      });
      expect(missing.body).toMatchObject({ customer: null, payments: [] });
      const neither = await f.call('GET', '/api/v1/eligibility', { token: f.staff.agent.token });
      expectError(neither, 400, 'invalid_request');
    });

    it('flags an expired card as an exception and opens the case in the exceptions queue without a gateway call', async () => {
      const f = await fresh();
      const email = `expired-${f.slug}@example.test`;
      const atGateway = s.gateway.addPayment({ amount: { amount: 8000, currency: 'USD' }, email });
      const upsert = await f.call('POST', '/api/v1/payments', {
        token: f.staff.admin.token,
        body: {
          payments: [
            {
              gateway: 'memory',
              gatewayPaymentId: atGateway.paymentRef,
              amount: '80.00',
              currency: 'USD',
              capturedAt: new Date(s.clock.now().getTime() - 2 * 86_400_000).toISOString(),
              method: { type: 'card', brand: 'visa', last4: '4242', expMonth: 3, expYear: 2024, funding: 'credit' },
              customer: { email, name: 'Exp Ired' },
            },
          ],
        },
      });
      expect(upsert.status, upsert.text).toBe(200);
      expect(upsert.body.results[0].status).toBe('created');
      const paymentId = upsert.body.results[0].id;

      const eligibility = await f.call('GET', `/api/v1/eligibility?email=${encodeURIComponent(email)}`, {
        token: f.staff.agent.token,
      });
      const view = eligibility.body.payments[0];
      expect(view.paymentId).toBe(paymentId);
      expect(view.method.expiry).toBe('03/24');
      expect(view.verdict.outcome).toBe('exception');
      expect(view.verdict.results.find((r: { rule: string }) => r.rule === 'method_refundable')).toMatchObject({
        outcome: 'exception',
      });

      const callsBefore = s.gateway.calls;
      const res = await f.call('POST', '/api/v1/refunds', {
        token: f.staff.agent.token,
        body: { paymentId, reasonCode: 'overpayment' },
      });
      expect(res.status, res.text).toBe(201);
      expect(res.body.case.state).toBe('exception');
      expect(res.body.case.exceptionReason).toMatch(/expired/i);
      expect(res.body.case.exceptionReason).toContain('03/24');
      await sleep(100);
      const queue = await f.call('GET', '/api/v1/refunds?state=exception', { token: f.staff.lead.token });
      expect(queue.body.cases.map((c: { id: string }) => c.id)).toEqual([res.body.case.id]);
      expect(s.gateway.calls - callsBefore).toBe(0);
      expect(s.gateway.refundsOf(atGateway.paymentRef)).toEqual([]);
      expect(await refundsOfCase(res.body.case.id)).toEqual([]);
    });
  });
});
