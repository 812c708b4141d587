import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../server/src/app.js';
import { MemoryGateway } from '../server/src/connectors/memory/memory-gateway.js';
import { staticGatewayRegistry } from '../server/src/gateways/gateway-registry.js';
import type { JobDefinition } from '../server/src/jobs/job-definition.js';
import { createStaff } from '../server/src/orgs/organisations.js';
import { refundExecuteJob, refundResolveJob, refundSweepJob } from '../server/src/refunds/refund-jobs.js';
import { requestRefund } from '../server/src/refunds/request-refund.js';
import { type ApiFixture, type ApiResponse, createApiFixture } from './support/api-fixtures.js';
import { createTestContext, TestClock, type TestContext } from './support/context.js';
import { BACKENDS } from './support/databases.js';

const JOBS = [refundExecuteJob, refundResolveJob, refundSweepJob] as ReadonlyArray<JobDefinition<unknown>>;

/** Every /api/v1 route declared in server/src (refund-routes, eligibility-routes, ledger-routes, admin-routes, audit-routes, gateway-settings-routes). */
const API_ROUTES = [
  'GET /api/v1/audit/export',
  'GET /api/v1/audit/verify',
  'GET /api/v1/eligibility',
  'GET /api/v1/policy',
  'GET /api/v1/reason-codes',
  'GET /api/v1/reconciliation/issues',
  'GET /api/v1/refunds',
  'GET /api/v1/refunds/{id}',
  'GET /api/v1/refunds/{id}/audit',
  'GET /api/v1/staff',
  'POST /api/v1/balances',
  'POST /api/v1/payments',
  'POST /api/v1/reconciliation/run',
  'POST /api/v1/refunds',
  'POST /api/v1/refunds/{id}/approve',
  'POST /api/v1/refunds/{id}/cancel',
  'POST /api/v1/refunds/{id}/deny',
  'POST /api/v1/refunds/{id}/resolve',
  'POST /api/v1/refunds/{id}/retry',
  'POST /api/v1/staff',
  'PUT /api/v1/gateways/{vendor}',
  'PUT /api/v1/policy',
  'PUT /api/v1/reason-codes/{code}',
].sort();

function expectError(res: ApiResponse, status: number, code: string | readonly string[]): void {
  const context = `${res.status} ${res.text}`;
  expect(res.status, context).toBe(status);
  expect(res.headers.get('content-type') ?? '', context).toContain('application/json');
  expect(Object.keys(res.body ?? {}), context).toEqual(['error']);
  if (typeof code === 'string') expect(res.body.error.code, context).toBe(code);
  else expect(code, context).toContain(res.body.error.code);
  expect(typeof res.body.error.message, context).toBe('string');
  expect(res.body.error.message.length, context).toBeGreaterThan(0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(BACKENDS)('HTTP API /api/v1 on %s', (backend) => {
  let tc: TestContext;
  let gateway: MemoryGateway;
  let clock: TestClock;

  beforeAll(async () => {
    gateway = new MemoryGateway();
    clock = new TestClock();
    tc = await createTestContext(backend, { jobs: JOBS, gateways: staticGatewayRegistry([gateway]), clock });
  });
  afterAll(async () => {
    await tc?.close();
  });

  const fresh = (): Promise<ApiFixture> => createApiFixture(tc, gateway);
  const count = async (table: string, orgId?: string): Promise<number> => {
    const where = orgId ? sql` where org_id = ${orgId}` : sql``;
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}${where}`.execute(
      tc.ctx.db,
    );
    return rows[0]?.n ?? -1;
  };
  const refundsOfCase = (caseId: string) =>
    tc.ctx.db.selectFrom('refunds').selectAll().where('case_id', '=', caseId).execute();

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
      const callsBefore = gateway.calls;
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
      expect(gateway.calls - callsBefore).toBe(1);
      const atGateway = gateway.refundsOf(payment.ref);
      expect(atGateway.map((r) => [r.amount.amount, r.status])).toEqual([[10_000, 'succeeded']]);
      const rows = await refundsOfCase(res.body.case.id);
      expect(rows.map((r) => [r.amount, r.state, r.gateway_refund_id])).toEqual([
        [10_000, 'succeeded', atGateway[0]?.gatewayRefundId],
      ]);
    });

    it('opens a partial refund of "12.50" USD and executes exactly that amount', async () => {
      const f = await fresh();
      const payment = await f.payment({ amount: '80.00' });
      const callsBefore = gateway.calls;
      const res = await f.call('POST', '/api/v1/refunds', {
        token: f.staff.agent.token,
        body: { paymentId: payment.row.id, amount: '12.50', currency: 'USD', reasonCode: 'overpayment' },
      });
      expect(res.status, res.text).toBe(201);
      expect(res.body.case.amount).toEqual({ value: '12.50', minor: 1250, currency: 'USD' });
      expect((await f.settle(res.body.case.id)).state).toBe('succeeded');
      expect(gateway.calls - callsBefore).toBe(1);
      expect(gateway.refundsOf(payment.ref).map((r) => r.amount)).toEqual([{ amount: 1250, currency: 'USD' }]);
      const row = await tc.ctx.db
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
      const callsBefore = gateway.calls;
      const res = await f.call('POST', '/api/v1/refunds', {
        token: f.staff.agent.token,
        body: { paymentId: payment.row.id, amount, currency: 'USD', reasonCode: 'overpayment' },
      });
      expect(res.status, res.text).toBe(201);
      if (expected === 'auto') {
        expect((await f.settle(res.body.case.id)).state).toBe('succeeded');
        expect(gateway.calls - callsBefore).toBe(1);
      } else {
        expect(res.body.case.state).toBe('pending_approval');
        expect(res.body.case.requiredRole).toBe(role);
        await sleep(50);
        const stored = await f.call('GET', `/api/v1/refunds/${res.body.case.id}`, { token: f.staff.agent.token });
        expect([stored.body.state, stored.body.requiredRole]).toEqual(['pending_approval', role]);
        expect(gateway.calls - callsBefore).toBe(0);
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
      expect(gateway.refundsOf(payment.ref).reduce((sum, r) => sum + r.amount.amount, 0)).toBe(10_000);
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

  describe('organisations', () => {
    let a: ApiFixture;
    let b: ApiFixture;
    let caseId: string;
    let paymentId: string;
    let email: string;
    beforeAll(async () => {
      a = await fresh();
      b = await fresh();
      const payment = await a.payment({ amount: '1000.00' });
      paymentId = payment.row.id;
      email = payment.email;
      const res = await a.call('POST', '/api/v1/refunds', {
        token: a.staff.agent.token,
        body: { paymentId, amount: '600.00', currency: 'USD', reasonCode: 'overpayment' },
      });
      expect(res.status, res.text).toBe(201);
      caseId = res.body.case.id;
    });

    it.each([
      ['GET', '', undefined],
      ['GET', '/audit', undefined],
      ['POST', '/approve', {}],
      ['POST', '/deny', { reason: 'not ours' }],
      ['POST', '/cancel', {}],
    ])(
      "answers another organisation's %s /refunds/{id}%s with 404 not_found and no details",
      async (method, suffix, body) => {
        for (const role of ['manager', 'admin', 'agent'] as const) {
          const res = await b.call(method, `/api/v1/refunds/${caseId}${suffix}`, { token: b.staff[role].token, body });
          expectError(res, 404, 'not_found');
          expect(res.body.error.details).toBeUndefined();
          expect(res.text).not.toContain(caseId);
        }
        const row = await tc.ctx.db
          .selectFrom('refund_cases')
          .select(['state', 'decided_by'])
          .where('id', '=', caseId)
          .executeTakeFirstOrThrow();
        expect(row).toEqual({ state: 'pending_approval', decided_by: null });
      },
    );

    it("answers a refund on another organisation's payment with 404 and writes nothing", async () => {
      const before = await count('refund_cases');
      const res = await b.call('POST', '/api/v1/refunds', {
        token: b.staff.manager.token,
        body: { paymentId, amount: '1.00', currency: 'USD', reasonCode: 'goodwill' },
      });
      expectError(res, 404, 'not_found');
      expect(res.body.error.details).toBeUndefined();
      expect(await count('refund_cases')).toBe(before);
    });

    it("answers eligibility by another organisation's customer email with customer null", async () => {
      const res = await b.call('GET', `/api/v1/eligibility?email=${encodeURIComponent(email)}`, {
        token: b.staff.agent.token,
      });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ customer: null, payments: [] });
      const own = await a.call('GET', `/api/v1/eligibility?email=${encodeURIComponent(email)}`, {
        token: a.staff.agent.token,
      });
      expect(own.body.customer).not.toBeNull();
      expect(own.body.payments.map((p: { paymentId: string }) => p.paymentId)).toEqual([paymentId]);
    });

    it("never lists another organisation's cases", async () => {
      const res = await b.call('GET', '/api/v1/refunds?limit=200', { token: b.staff.manager.token });
      expect(res.status).toBe(200);
      expect(res.body.cases.map((c: { id: string }) => c.id)).not.toContain(caseId);
      const own = await a.call('GET', '/api/v1/refunds?limit=200', { token: a.staff.manager.token });
      expect(own.body.cases.map((c: { id: string }) => c.id)).toContain(caseId);
    });
  });

  describe('decisions', () => {
    const open = async (f: ApiFixture, token: string, amount: string) => {
      const payment = await f.payment({ amount: '5000.00' });
      const res = await f.call('POST', '/api/v1/refunds', {
        token,
        body: { paymentId: payment.row.id, amount, currency: 'USD', reasonCode: 'overpayment' },
      });
      expect(res.status, res.text).toBe(201);
      expect(res.body.case.state).toBe('pending_approval');
      return { caseId: res.body.case.id as string, ref: payment.ref };
    };
    const stateOf = async (caseId: string) =>
      (await tc.ctx.db.selectFrom('refund_cases').select('state').where('id', '=', caseId).executeTakeFirstOrThrow())
        .state;

    it('refuses self-approval (403 self_approval) and approval by agent or auditor (403 forbidden)', async () => {
      const f = await fresh();
      const { caseId } = await open(f, f.staff.lead.token, '600.00');
      const self = await f.call('POST', `/api/v1/refunds/${caseId}/approve`, { token: f.staff.lead.token, body: {} });
      expectError(self, 403, 'self_approval');
      for (const role of ['agent', 'auditor'] as const) {
        const res = await f.call('POST', `/api/v1/refunds/${caseId}/approve`, { token: f.staff[role].token, body: {} });
        expectError(res, 403, 'forbidden');
      }
      expect(await stateOf(caseId)).toBe('pending_approval');
      expect(await count('audit_events', f.orgId)).toBeGreaterThan(0);
      const approvedEvents = await tc.ctx.db
        .selectFrom('audit_events')
        .select('id')
        .where('case_id', '=', caseId)
        .where('action', '=', 'case.approved')
        .execute();
      expect(approvedEvents).toEqual([]);
    });

    it('refuses a lead on a manager-tier case; a manager approves, the case executes, a second approve is already_decided by the manager', async () => {
      const f = await fresh();
      const { caseId, ref } = await open(f, f.staff.agent.token, '2500.00');
      const lead = await f.call('POST', `/api/v1/refunds/${caseId}/approve`, { token: f.staff.lead.token, body: {} });
      expectError(lead, 403, 'forbidden');
      expect(await stateOf(caseId)).toBe('pending_approval');

      const callsBefore = gateway.calls;
      const ok = await f.call('POST', `/api/v1/refunds/${caseId}/approve`, {
        token: f.staff.manager.token,
        body: { reason: 'customer is right' },
      });
      expect(ok.status, ok.text).toBe(200);
      expect(ok.body.state).toBe('approved');
      expect(ok.body.decision).toMatchObject({ by: f.staff.manager.id, channel: 'api', reason: 'customer is right' });
      expect((await f.settle(caseId)).state).toBe('succeeded');
      expect(gateway.calls - callsBefore).toBe(1);
      expect(gateway.refundsOf(ref).map((r) => r.amount.amount)).toEqual([250_000]);

      const again = await f.call('POST', `/api/v1/refunds/${caseId}/approve`, { token: f.staff.admin.token, body: {} });
      expectError(again, 409, 'already_decided');
      expect(again.body.error.details?.decidedBy?.name).toBe(f.staff.manager.name);
      expect(gateway.calls - callsBefore).toBe(1);
    });

    it('denies only with a reason', async () => {
      const f = await fresh();
      const { caseId } = await open(f, f.staff.agent.token, '600.00');
      const none = await f.call('POST', `/api/v1/refunds/${caseId}/deny`, { token: f.staff.lead.token });
      expectError(none, 400, 'invalid_request');
      const blank = await f.call('POST', `/api/v1/refunds/${caseId}/deny`, {
        token: f.staff.lead.token,
        body: { reason: '   ' },
      });
      expectError(blank, 400, 'invalid_request');
      expect(await stateOf(caseId)).toBe('pending_approval');
      const res = await f.call('POST', `/api/v1/refunds/${caseId}/deny`, {
        token: f.staff.lead.token,
        body: { reason: 'outside policy' },
      });
      expect(res.status, res.text).toBe(200);
      expect(res.body.state).toBe('denied');
      expect(res.body.decision).toMatchObject({ by: f.staff.lead.id, reason: 'outside policy' });
      expect(await stateOf(caseId)).toBe('denied');
      expect(await refundsOfCase(caseId)).toEqual([]);
    });

    it('lets the requester cancel; approving after the cancel is 409 and sends nothing', async () => {
      const f = await fresh();
      const { caseId, ref } = await open(f, f.staff.agent.token, '600.00');
      const res = await f.call('POST', `/api/v1/refunds/${caseId}/cancel`, { token: f.staff.agent.token, body: {} });
      expect(res.status, res.text).toBe(200);
      expect(res.body.state).toBe('cancelled');
      const approve = await f.call('POST', `/api/v1/refunds/${caseId}/approve`, {
        token: f.staff.manager.token,
        body: {},
      });
      expectError(approve, 409, ['already_decided', 'illegal_transition']);
      await sleep(50);
      expect(await stateOf(caseId)).toBe('cancelled');
      expect(gateway.refundsOf(ref)).toEqual([]);
      expect(await refundsOfCase(caseId)).toEqual([]);
    });

    it('takes one of 20 concurrent approvals by two managers; the others are already_decided naming the winner', async () => {
      const f = await fresh();
      const second = await createStaff(tc.ctx.db, {
        orgId: f.orgId,
        name: 'Second Manager',
        email: `manager2@${f.slug}.test`,
        role: 'manager',
      });
      const managers = [
        { token: f.staff.manager.token, name: f.staff.manager.name, id: f.staff.manager.id },
        { token: second.token, name: 'Second Manager', id: second.staff.id },
      ];
      const { caseId, ref } = await open(f, f.staff.agent.token, '1000.00');
      const callsBefore = gateway.calls;
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          f.call('POST', `/api/v1/refunds/${caseId}/approve`, { token: managers[i % 2]?.token, body: {} }),
        ),
      );
      const winners = responses.filter((r) => r.status === 200);
      expect(winners, responses.map((r) => `${r.status} ${r.text}`).join('\n')).toHaveLength(1);
      const winner = managers.find((m) => m.id === winners[0]?.body.decision.by);
      expect(winner).toBeDefined();
      const losers = responses.filter((r) => r.status !== 200);
      const loserCodes = losers.map((r) => `${r.status} ${r.body?.error?.code}`);
      expect(new Set(loserCodes), `losers answered: ${loserCodes.join(', ')}`).toEqual(
        new Set(['409 already_decided']),
      );
      for (const loser of losers) expect(loser.body.error.details.decidedBy.name).toBe(winner?.name);

      expect((await f.settle(caseId)).state).toBe('succeeded');
      await sleep(100);
      expect(gateway.calls - callsBefore).toBe(1);
      expect(gateway.refundsOf(ref)).toHaveLength(1);
      const approvals = await tc.ctx.db
        .selectFrom('audit_events')
        .select('actor_id')
        .where('case_id', '=', caseId)
        .where('action', '=', 'case.approved')
        .execute();
      expect(approvals).toEqual([{ actor_id: winner?.id }]);
    });
  });

  describe('listing cases', () => {
    let f: ApiFixture;
    const created: string[] = [];
    const createdAt: string[] = [];
    beforeAll(async () => {
      f = await fresh();
      for (let i = 0; i < 7; i++) {
        clock.advance(60_000);
        const payment = await f.payment({ amount: '1000.00' });
        const res = await f.call('POST', '/api/v1/refunds', {
          token: f.staff.agent.token,
          body: { paymentId: payment.row.id, amount: '600.00', currency: 'USD', reasonCode: 'overpayment' },
        });
        expect(res.status, res.text).toBe(201);
        created.push(res.body.case.id);
        createdAt.push(res.body.case.createdAt);
      }
      clock.advance(60_000);
    });

    it('pages 7 cases by 3 (3 + 3 + 1), newest first, without duplicates', async () => {
      const pages: string[][] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `limit=3&cursor=${encodeURIComponent(cursor)}` : 'limit=3';
        const res = await f.call('GET', `/api/v1/refunds?${query}`, { token: f.staff.manager.token });
        expect(res.status, res.text).toBe(200);
        pages.push(res.body.cases.map((c: { id: string }) => c.id));
        cursor = res.body.nextCursor;
        expect(pages.length).toBeLessThan(5);
      } while (cursor);
      expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
      expect(pages.flat()).toEqual([...created].reverse());
      expect(new Set(pages.flat()).size).toBe(7);
    });

    it('filters by state', async () => {
      for (const id of [created[1], created[4]]) {
        const res = await f.call('POST', `/api/v1/refunds/${id}/deny`, {
          token: f.staff.lead.token,
          body: { reason: 'duplicate request' },
        });
        expect(res.status, res.text).toBe(200);
      }
      const denied = await f.call('GET', '/api/v1/refunds?state=denied', { token: f.staff.agent.token });
      expect(denied.body.cases.map((c: { id: string }) => c.id)).toEqual([created[4], created[1]]);
      const pending = await f.call('GET', '/api/v1/refunds?state=pending_approval', { token: f.staff.agent.token });
      expect(pending.body.cases.map((c: { id: string }) => c.id)).toEqual(
        [created[0], created[2], created[3], created[5], created[6]].reverse(),
      );
      const bad = await f.call('GET', '/api/v1/refunds?state=nonsense', { token: f.staff.agent.token });
      expectError(bad, 400, 'invalid_request');
    });

    it('filters by source', async () => {
      const payment = await f.payment({ amount: '1000.00' });
      const portal = await requestRefund(tc.ctx, {
        orgId: f.orgId,
        paymentId: payment.row.id,
        amount: { amount: 60_000, currency: 'USD' },
        reasonCode: 'overpayment',
        source: 'portal',
        requestedBy: null,
      });
      const bySource = await f.call('GET', '/api/v1/refunds?source=portal', { token: f.staff.agent.token });
      expect(bySource.body.cases.map((c: { id: string }) => c.id)).toEqual([portal.caseRow.id]);
      const api = await f.call('GET', '/api/v1/refunds?source=api', { token: f.staff.agent.token });
      expect(api.body.cases.map((c: { id: string }) => c.id)).toEqual([...created].reverse());
    });

    it('filters by a date range (from inclusive, to exclusive)', async () => {
      const from = createdAt[2] ?? '';
      const to = createdAt[5] ?? '';
      const res = await f.call(
        'GET',
        `/api/v1/refunds?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&source=api`,
        { token: f.staff.agent.token },
      );
      expect(res.status, res.text).toBe(200);
      expect(res.body.cases.map((c: { id: string }) => c.id)).toEqual([created[4], created[3], created[2]]);
      const badDate = await f.call('GET', '/api/v1/refunds?from=yesterday', { token: f.staff.agent.token });
      expectError(badDate, 400, 'invalid_request');
    });

    it('refuses a tampered cursor with 400', async () => {
      const first = await f.call('GET', '/api/v1/refunds?limit=3', { token: f.staff.agent.token });
      const cursor: string = first.body.nextCursor;
      expect(typeof cursor).toBe('string');
      const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      const tampered = [
        Buffer.from(JSON.stringify({ ...decoded, at: 'not a date' })).toString('base64url'),
        Buffer.from(JSON.stringify({ at: decoded.at, id: 42 })).toString('base64url'),
        `${cursor.slice(0, -4)}!!!!`,
        'bm90IGpzb24',
      ];
      for (const bad of tampered) {
        const res = await f.call('GET', `/api/v1/refunds?limit=3&cursor=${encodeURIComponent(bad)}`, {
          token: f.staff.agent.token,
        });
        expectError(res, 400, 'invalid_request');
      }
    });
  });

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
      const inv2 = await tc.ctx.db
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
      const stored = await tc.ctx.db
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
      const rows = await tc.ctx.db
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
        capturedAt: new Date(clock.now().getTime() - 5 * 86_400_000),
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
      expect(missing.body).toEqual({ customer: null, payments: [] });
      const neither = await f.call('GET', '/api/v1/eligibility', { token: f.staff.agent.token });
      expectError(neither, 400, 'invalid_request');
    });

    it('flags an expired card as an exception and opens the case in the exceptions queue without a gateway call', async () => {
      const f = await fresh();
      const email = `expired-${f.slug}@example.test`;
      const atGateway = gateway.addPayment({ amount: { amount: 8000, currency: 'USD' }, email });
      const upsert = await f.call('POST', '/api/v1/payments', {
        token: f.staff.admin.token,
        body: {
          payments: [
            {
              gateway: 'memory',
              gatewayPaymentId: atGateway.paymentRef,
              amount: '80.00',
              currency: 'USD',
              capturedAt: new Date(clock.now().getTime() - 2 * 86_400_000).toISOString(),
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

      const callsBefore = gateway.calls;
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
      expect(gateway.calls - callsBefore).toBe(0);
      expect(gateway.refundsOf(atGateway.paymentRef)).toEqual([]);
      expect(await refundsOfCase(res.body.case.id)).toEqual([]);
    });
  });

  describe('staff and policy', () => {
    it('lets an admin create staff whose token works; a lead cannot; a duplicate email is 409', async () => {
      const f = await fresh();
      const body = { name: 'Nia New', email: `nia@${f.slug}.test`, role: 'lead' };
      const created = await f.call('POST', '/api/v1/staff', { token: f.staff.admin.token, body });
      expect(created.status, created.text).toBe(201);
      expect(created.body.staff).toMatchObject({ name: 'Nia New', email: body.email, role: 'lead', active: true });
      expect(created.body.token).toMatch(/^rd_/);
      const works = await f.call('GET', '/api/v1/refunds', { token: created.body.token });
      expect(works.status, works.text).toBe(200);
      const row = await tc.ctx.db
        .selectFrom('staff')
        .select(['org_id', 'role'])
        .where('id', '=', created.body.staff.id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ org_id: f.orgId, role: 'lead' });

      const before = await count('staff', f.orgId);
      const byLead = await f.call('POST', '/api/v1/staff', {
        token: f.staff.lead.token,
        body: { ...body, email: `other@${f.slug}.test` },
      });
      expectError(byLead, 403, 'forbidden');
      const duplicate = await f.call('POST', '/api/v1/staff', {
        token: f.staff.admin.token,
        body: { ...body, email: body.email.toUpperCase() },
      });
      expectError(duplicate, 409, 'conflict');
      expect(await count('staff', f.orgId)).toBe(before);
    });

    it('refuses an invalid policy whole, keeps the old one, and applies a valid one to new requests', async () => {
      const f = await fresh();
      const original = await f.call('GET', '/api/v1/policy', { token: f.staff.admin.token });
      expect(original.status).toBe(200);
      const policy = original.body.policy;
      const usdTier = (p: { tiers: { currency: string }[] }) => p.tiers.find((t) => t.currency === 'USD');
      expect(usdTier(policy)).toEqual({ currency: 'USD', autoApproveBelow: 50_000, leadUpTo: 200_000 });

      const invalid = [
        {
          ...policy,
          tiers: policy.tiers.map((t: { currency: string }) =>
            t.currency === 'USD' ? { ...t, autoApproveBelow: 300_000 } : t,
          ),
        },
        { ...policy, tiers: [...policy.tiers, { currency: 'XXX', autoApproveBelow: 1, leadUpTo: 2 }] },
        { ...policy, tiers: 'all of them' },
      ];
      for (const bad of invalid) {
        const res = await f.call('PUT', '/api/v1/policy', { token: f.staff.admin.token, body: { policy: bad } });
        expectError(res, 400, 'invalid_request');
      }
      const byManager = await f.call('PUT', '/api/v1/policy', { token: f.staff.manager.token, body: { policy } });
      expectError(byManager, 403, 'forbidden');
      const still = await f.call('GET', '/api/v1/policy', { token: f.staff.admin.token });
      expect(still.body.policy).toEqual(policy);

      const p1 = await f.payment({ amount: '100.00' });
      const auto = await f.call('POST', '/api/v1/refunds', {
        token: f.staff.agent.token,
        body: { paymentId: p1.row.id, amount: '20.00', currency: 'USD', reasonCode: 'overpayment' },
      });
      expect(auto.status, auto.text).toBe(201);
      expect((await f.settle(auto.body.case.id)).state).toBe('succeeded');

      const lowered = {
        ...policy,
        tiers: policy.tiers.map((t: { currency: string }) =>
          t.currency === 'USD' ? { ...t, autoApproveBelow: 1000 } : t,
        ),
      };
      const saved = await f.call('PUT', '/api/v1/policy', { token: f.staff.admin.token, body: { policy: lowered } });
      expect(saved.status, saved.text).toBe(200);
      expect(usdTier(saved.body.policy)).toEqual({ currency: 'USD', autoApproveBelow: 1000, leadUpTo: 200_000 });

      const p2 = await f.payment({ amount: '100.00' });
      const routed = await f.call('POST', '/api/v1/refunds', {
        token: f.staff.agent.token,
        body: { paymentId: p2.row.id, amount: '20.00', currency: 'USD', reasonCode: 'overpayment' },
      });
      expect(routed.status, routed.text).toBe(201);
      expect(routed.body.case.state).toBe('pending_approval');
      expect(routed.body.case.requiredRole).toBe('lead');
      const small = await f.payment({ amount: '100.00' });
      const below = await f.call('POST', '/api/v1/refunds', {
        token: f.staff.agent.token,
        body: { paymentId: small.row.id, amount: '9.99', currency: 'USD', reasonCode: 'overpayment' },
      });
      expect((await f.settle(below.body.case.id)).state).toBe('succeeded');
    });
  });

  describe('audit', () => {
    let f: ApiFixture;
    let caseId: string;
    beforeAll(async () => {
      f = await fresh();
      const payment = await f.payment({ amount: '40.00' });
      const res = await f.call('POST', '/api/v1/refunds', {
        token: f.staff.agent.token,
        body: { paymentId: payment.row.id, reasonCode: 'double_charge' },
      });
      expect(res.status, res.text).toBe(201);
      caseId = res.body.case.id;
      expect((await f.settle(caseId)).state).toBe('succeeded');
    });

    it("lists a case's events in order", async () => {
      const res = await f.call('GET', `/api/v1/refunds/${caseId}/audit`, { token: f.staff.auditor.token });
      expect(res.status, res.text).toBe(200);
      const events = res.body.events as { seq: number; action: string; hash: string; actor: { type: string } }[];
      expect(events.map((e) => e.action)).toEqual([
        'case.requested',
        'case.auto_approved',
        'case.execution_started',
        'refund.succeeded',
        'case.succeeded',
      ]);
      const seqs = events.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(events[0]?.actor).toEqual({ type: 'staff', id: f.staff.agent.id });
      for (const e of events) expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('verifies the chain for an auditor and refuses an agent', async () => {
      const ok = await f.call('GET', '/api/v1/audit/verify', { token: f.staff.auditor.token });
      expect(ok.status, ok.text).toBe(200);
      expect(ok.body.ok).toBe(true);
      expect(ok.body.checked).toBe(await count('audit_events', f.orgId));
      const agent = await f.call('GET', '/api/v1/audit/verify', { token: f.staff.agent.token });
      expectError(agent, 403, 'forbidden');
    });

    it("exports the organisation's events as CSV: the header line and one line per event", async () => {
      const res = await f.call('GET', '/api/v1/audit/export?format=csv', { token: f.staff.auditor.token });
      expect(res.status, res.text).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/csv');
      const lines = res.text.split('\r\n');
      expect(lines.at(-1)).toBe('');
      lines.pop();
      expect(lines[0]).toBe('seq,created_at,case_id,actor_type,actor_id,action,data,prev_hash,hash');
      expect(lines.length - 1).toBe(await count('audit_events', f.orgId));
      expect(lines.filter((l) => l.includes(caseId))).toHaveLength(5);
      const agent = await f.call('GET', '/api/v1/audit/export?format=csv', { token: f.staff.agent.token });
      expectError(agent, 403, 'forbidden');
    });

    it('exports NDJSON lines that parse, one per event of this organisation', async () => {
      const res = await f.call('GET', '/api/v1/audit/export?format=ndjson', { token: f.staff.auditor.token });
      expect(res.status, res.text).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/x-ndjson');
      expect(res.text.endsWith('\n')).toBe(true);
      const rows = res.text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(rows.length).toBe(await count('audit_events', f.orgId));
      for (const row of rows) {
        expect(row.org_id).toBe(f.orgId);
        expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
      }
      expect(rows.filter((r) => r.case_id === caseId).map((r) => r.action)).toEqual([
        'case.requested',
        'case.auto_approved',
        'case.execution_started',
        'refund.succeeded',
        'case.succeeded',
      ]);
    });
  });

  describe('OpenAPI and docs', () => {
    it('documents every /api/v1 route in /openapi.json', async () => {
      const app = createApp(tc.ctx);
      const res = await app.request('/openapi.json');
      expect(res.status).toBe(200);
      const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
      expect(doc.openapi).toBe('3.1.0');
      const documented = Object.entries(doc.paths)
        .filter(([path]) => path.startsWith('/api/v1'))
        .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`))
        .sort();
      expect(documented).toEqual(API_ROUTES);
      // and everything the router actually serves under /api/v1 is documented
      const served = [
        ...new Set(
          app.routes
            .filter((r) => r.path.startsWith('/api/v1') && r.method !== 'ALL' && !r.path.endsWith('*'))
            .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
        ),
      ].sort();
      expect(served).toEqual(API_ROUTES);
    });

    it('serves /docs as HTML pointing at /openapi.json', async () => {
      const res = await createApp(tc.ctx).request('/docs');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      const html = await res.text();
      expect(html).toContain('/openapi.json');
    });
  });
});
