import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiFixture } from './support/api-fixtures.js';
import { expectError, sleep, useApiSuite } from './support/api-suite.js';
import { BACKENDS } from './support/databases.js';

describe.each(BACKENDS)('HTTP API /api/v1 (requests) on %s', (backend) => {
  const s = useApiSuite(backend);
  const { fresh, count, refundsOfCase } = s;

  describe('authentication', () => {
    let f: ApiFixture;
    beforeAll(async () => {
      f = await fresh();
    });

    it('refunds a request without a token with 401 unauthenticated and the error body shape', async () => {
      const res = await f.call('GET', '/api/v1/refunds');
      expectError(res, 401, 'unauthenticated');
      expect(Object.keys(res.body.error).sort()).toEqual(['code', 'message']);
    });

    it.each([
      ['a Basic scheme', 'Basic dXNlcjpwYXNz'],
      ['Bearer without a token', 'Bearer'],
      ['Bearer with two words', 'Bearer abc def'],
      ['a bare token', 'rd_abcdef'],
    ])('refuses a malformed Authorization header (%s) with 401', async (_label, header) => {
      const res = await f.call('GET', '/api/v1/refunds', { headers: { authorization: header } });
      expectError(res, 401, 'unauthenticated');
      expect(Object.keys(res.body.error).sort()).toEqual(['code', 'message']);
    });

    it('refuses an unknown token with 401 and writes nothing', async () => {
      const payment = await f.payment({ amount: '10.00' });
      const before = await f.countCases();
      const unknown = await f.call('GET', '/api/v1/refunds', { token: 'rd_not-a-real-token' });
      expectError(unknown, 401, 'unauthenticated');
      const post = await f.call('POST', '/api/v1/refunds', {
        token: 'rd_not-a-real-token',
        body: { paymentId: payment.row.id, reasonCode: 'goodwill' },
      });
      expectError(post, 401, 'unauthenticated');
      expect(await f.countCases()).toBe(before);
      // and a real token works on the same route
      const ok = await f.call('GET', '/api/v1/refunds', { token: f.staff.agent.token });
      expect(ok.status).toBe(200);
    });
  });

  describe('creating refunds', () => {
    it('opens a full refund (no amount) under 500.00, auto-approves it and executes exactly once', async () => {
      const f = await fresh();
      const payment = await f.payment({ amount: '100.00' });
      const callsBefore = s.gateway.calls;
      const res = await f.call('POST', '/api/v1/refunds', {
        token: f.staff.agent.token,
        body: { paymentId: payment.row.id, reasonCode: 'missed_appointment', note: 'patient cancelled' },
      });
      expect(res.status, res.text).toBe(201);
      expect(res.body.case.amount).toEqual({ value: '100.00', minor: 10_000, currency: 'USD' });
      expect(res.body.case.paymentId).toBe(payment.row.id);
      expect(res.body.case.requestedBy).toBe(f.staff.agent.id);
      expect(res.body.case.source).toBe('api');
      expect(res.body.case.reference).toMatch(/^RD-[0-9A-Z]{8}$/);
      expect(['approved', 'executing', 'succeeded']).toContain(res.body.case.state);
      expect(res.body.eligibility.outcome).toBe('eligible');
      const settled = await f.settle(res.body.case.id);
      expect(settled.state).toBe('succeeded');
      expect(s.gateway.calls - callsBefore).toBe(1);
      const atGateway = s.gateway.refundsOf(payment.ref);
      expect(atGateway.map((r) => [r.amount.amount, r.status])).toEqual([[10_000, 'succeeded']]);
      const rows = await refundsOfCase(res.body.case.id);
      expect(rows.map((r) => [r.amount, r.state, r.gateway_refund_id])).toEqual([
        [10_000, 'succeeded', atGateway[0]?.gatewayRefundId],
      ]);
    });

    it('opens a partial refund of "12.50" USD and executes exactly that amount', async () => {
      const f = await fresh();
      const payment = await f.payment({ amount: '80.00' });
      const callsBefore = s.gateway.calls;
      const res = await f.call('POST', '/api/v1/refunds', {
        token: f.staff.agent.token,
        body: { paymentId: payment.row.id, amount: '12.50', currency: 'USD', reasonCode: 'overpayment' },
      });
      expect(res.status, res.text).toBe(201);
      expect(res.body.case.amount).toEqual({ value: '12.50', minor: 1250, currency: 'USD' });
      expect((await f.settle(res.body.case.id)).state).toBe('succeeded');
      expect(s.gateway.calls - callsBefore).toBe(1);
      expect(s.gateway.refundsOf(payment.ref).map((r) => r.amount)).toEqual([{ amount: 1250, currency: 'USD' }]);
      const row = await s.tc.ctx.db
        .selectFrom('refund_cases')
        .selectAll()
        .where('id', '=', res.body.case.id)
        .executeTakeFirstOrThrow();
      expect([row.amount, row.currency, row.state]).toEqual([1250, 'USD', 'succeeded']);
    });

    it.each([
      ['499.99', 'auto', null],
      ['500.00', 'pending_approval', 'lead'],
      ['2000.00', 'pending_approval', 'lead'],
      ['2000.01', 'pending_approval', 'manager'],
      ['4500.00', 'pending_approval', 'manager'],
    ])('routes %s USD by the default tiers (%s, %s)', async (amount, expected, role) => {
      const f = await fresh();
      const payment = await f.payment({ amount: '5000.00' });
      const callsBefore = s.gateway.calls;
      const res = await f.call('POST', '/api/v1/refunds', {
        token: f.staff.agent.token,
        body: { paymentId: payment.row.id, amount, currency: 'USD', reasonCode: 'overpayment' },
      });
      expect(res.status, res.text).toBe(201);
      if (expected === 'auto') {
        expect((await f.settle(res.body.case.id)).state).toBe('succeeded');
        expect(s.gateway.calls - callsBefore).toBe(1);
      } else {
        expect(res.body.case.state).toBe('pending_approval');
        expect(res.body.case.requiredRole).toBe(role);
        await sleep(50);
        const stored = await f.call('GET', `/api/v1/refunds/${res.body.case.id}`, { token: f.staff.agent.token });
        expect([stored.body.state, stored.body.requiredRole]).toEqual(['pending_approval', role]);
        expect(s.gateway.calls - callsBefore).toBe(0);
        expect(await refundsOfCase(res.body.case.id)).toEqual([]);
      }
    });

    it('replays the same Idempotency-Key and body with 200 and the same case, and refuses another body with 409', async () => {
      const f = await fresh();
      const payment = await f.payment({ amount: '1000.00' });
      const body = { paymentId: payment.row.id, amount: '600.00', currency: 'USD', reasonCode: 'overpayment' };
      const headers = { 'idempotency-key': 'ticket-4711-refund' };
      const before = await f.countCases();
      const first = await f.call('POST', '/api/v1/refunds', { token: f.staff.agent.token, body, headers });
      expect(first.status, first.text).toBe(201);
      const second = await f.call('POST', '/api/v1/refunds', { token: f.staff.agent.token, body, headers });
      expect(second.status, second.text).toBe(200);
      expect(second.body.case.id).toBe(first.body.case.id);
      expect(second.body.case.state).toBe('pending_approval');
      expect(await f.countCases()).toBe(before + 1);

      const other = await f.call('POST', '/api/v1/refunds', {
        token: f.staff.agent.token,
        body: { ...body, amount: '601.00' },
        headers,
      });
      expectError(other, 409, 'idempotency_conflict');
      expect(await f.countCases()).toBe(before + 1);
    });

    it('opens one case for 10 concurrent POSTs with the same Idempotency-Key and body', async () => {
      const f = await fresh();
      const payment = await f.payment({ amount: '1000.00' });
      const body = { paymentId: payment.row.id, amount: '700.00', currency: 'USD', reasonCode: 'overpayment' };
      const headers = { 'idempotency-key': 'concurrent-key-1' };
      const before = await f.countCases();
      const responses = await Promise.all(
        Array.from({ length: 10 }, () =>
          f.call('POST', '/api/v1/refunds', { token: f.staff.agent.token, body, headers }),
        ),
      );
      expect(await f.countCases()).toBe(before + 1);
      const summary = responses.map((r) => `${r.status} ${r.body?.case?.id ?? r.body?.error?.code}`);
      expect(
        responses.map((r) => r.status).sort(),
        `same key + same body must replay the one case; got ${summary.join(', ')}`,
      ).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
      const ids = new Set(responses.map((r) => r.body.case.id));
      expect(ids.size).toBe(1);
    });
  });

  describe('bad input writes nothing', () => {
    let f: ApiFixture;
    let usd: string;
    let jpy: string;
    beforeAll(async () => {
      f = await fresh();
      usd = (await f.payment({ amount: '100.00' })).row.id;
      jpy = (await f.payment({ amount: '5000', currency: 'JPY' })).row.id;
    });

    const snapshot = async () => ({
      cases: await count('refund_cases'),
      refunds: await count('refunds'),
      audit: await count('audit_events'),
    });

    type Case = [string, () => unknown, number, string];
    const cases: Case[] = [
      ['malformed JSON', () => '{"paymentId": "', 400, 'invalid_json'],
      ['an unknown field', () => ({ paymentId: usd, reasonCode: 'goodwill', refundAll: true }), 400, 'invalid_request'],
      [
        'amount "-1"',
        () => ({ paymentId: usd, amount: '-1', currency: 'USD', reasonCode: 'goodwill' }),
        400,
        'invalid_amount',
      ],
      [
        'amount "1e3"',
        () => ({ paymentId: usd, amount: '1e3', currency: 'USD', reasonCode: 'goodwill' }),
        400,
        'invalid_amount',
      ],
      [
        'amount ""',
        () => ({ paymentId: usd, amount: '', currency: 'USD', reasonCode: 'goodwill' }),
        400,
        'invalid_amount',
      ],
      [
        'amount "12.345" USD',
        () => ({ paymentId: usd, amount: '12.345', currency: 'USD', reasonCode: 'goodwill' }),
        400,
        'invalid_amount',
      ],
      [
        'amount "1.5" JPY',
        () => ({ paymentId: jpy, amount: '1.5', currency: 'JPY', reasonCode: 'goodwill' }),
        400,
        'invalid_amount',
      ],
      [
        'currency "XXX"',
        () => ({ paymentId: usd, amount: '1.00', currency: 'XXX', reasonCode: 'goodwill' }),
        400,
        'unknown_currency',
      ],
      [
        'currency "usd"',
        () => ({ paymentId: usd, amount: '1.00', currency: 'usd', reasonCode: 'goodwill' }),
        400,
        'invalid_request',
      ],
      [
        'an amount without a currency',
        () => ({ paymentId: usd, amount: '1.00', reasonCode: 'goodwill' }),
        400,
        'invalid_request',
      ],
      [
        'a currency other than the payment’s',
        () => ({ paymentId: usd, amount: '10.00', currency: 'EUR', reasonCode: 'goodwill' }),
        422,
        'not_refundable',
      ],
      [
        'a currency other than the payment’s, without an amount',
        () => ({ paymentId: usd, currency: 'EUR', reasonCode: 'goodwill' }),
        422,
        'not_refundable',
      ],
      [
        'an unknown reason code',
        () => ({ paymentId: usd, amount: '10.00', currency: 'USD', reasonCode: 'felt_like_it' }),
        422,
        'not_refundable',
      ],
      [
        'a paymentId that is not a uuid',
        () => ({ paymentId: 'pay_123', reasonCode: 'goodwill' }),
        400,
        'invalid_request',
      ],
      ['no reasonCode', () => ({ paymentId: usd }), 400, 'invalid_request'],
      [
        'a body over 1 MiB',
        () => ({ paymentId: usd, reasonCode: 'goodwill', note: 'x'.repeat(1024 * 1024 + 10) }),
        413,
        'payload_too_large',
      ],
    ];

    it.each(cases.map(([label, body, status, code]) => ({ label, body, status, code })))(
      'answers $label with $status $code and writes nothing',
      async ({ body, status, code }) => {
        const before = await snapshot();
        const res = await f.call('POST', '/api/v1/refunds', { token: f.staff.agent.token, body: body() });
        expectError(res, status, code);
        expect(await snapshot()).toEqual(before);
      },
    );

    it('refuses an amount above the remaining refundable with 422 and the verdict in details', async () => {
      const payment = await f.payment({ amount: '100.00' });
      const first = await f.call('POST', '/api/v1/refunds', {
        token: f.staff.agent.token,
        body: { paymentId: payment.row.id, amount: '30.00', currency: 'USD', reasonCode: 'overpayment' },
      });
      expect(first.status, first.text).toBe(201);
      expect((await f.settle(first.body.case.id)).state).toBe('succeeded');
      const before = await snapshot();
      const res = await f.call('POST', '/api/v1/refunds', {
        token: f.staff.agent.token,
        body: { paymentId: payment.row.id, amount: '70.01', currency: 'USD', reasonCode: 'overpayment' },
      });
      expectError(res, 422, 'not_refundable');
      const verdict = res.body.error.details.verdict;
      expect(verdict.outcome).toBe('ineligible');
      const rule = verdict.results.find((r: { rule: string }) => r.rule === 'amount_within_refundable');
      expect(rule.outcome).toBe('fail');
      expect(rule.details).toMatchObject({ refundableMinor: 7000, requestedMinor: 7001, reservedMinor: 3000 });
      expect(await snapshot()).toEqual(before);
      // exactly the remainder is still accepted
      const rest = await f.call('POST', '/api/v1/refunds', {
        token: f.staff.agent.token,
        body: { paymentId: payment.row.id, amount: '70.00', currency: 'USD', reasonCode: 'overpayment' },
      });
      expect(rest.status, rest.text).toBe(201);
      expect((await f.settle(rest.body.case.id)).state).toBe('succeeded');
      expect(s.gateway.refundsOf(payment.ref).reduce((sum, r) => sum + r.amount.amount, 0)).toBe(10_000);
    });

    it('refuses a second case while one is open on the same payment with 422', async () => {
      const payment = await f.payment({ amount: '1000.00' });
      const open = await f.call('POST', '/api/v1/refunds', {
        token: f.staff.agent.token,
        body: { paymentId: payment.row.id, amount: '600.00', currency: 'USD', reasonCode: 'overpayment' },
      });
      expect(open.status, open.text).toBe(201);
      expect(open.body.case.state).toBe('pending_approval');
      const before = await snapshot();
      const res = await f.call('POST', '/api/v1/refunds', {
        token: f.staff.lead.token,
        body: { paymentId: payment.row.id, amount: '10.00', currency: 'USD', reasonCode: 'overpayment' },
      });
      expectError(res, 422, 'not_refundable');
      const rule = res.body.error.details.verdict.results.find((r: { rule: string }) => r.rule === 'no_open_case');
      expect(rule.outcome).toBe('fail');
      expect(await snapshot()).toEqual(before);
    });

    it('refuses refunds from roles that cannot request them (auditor) with 403', async () => {
      const before = await snapshot();
      const res = await f.call('POST', '/api/v1/refunds', {
        token: f.staff.auditor.token,
        body: { paymentId: usd, amount: '1.00', currency: 'USD', reasonCode: 'goodwill' },
      });
      expectError(res, 403, 'forbidden');
      expect(await snapshot()).toEqual(before);
    });
  });
});
