import { beforeAll, describe, expect, it } from 'vitest';
import { createStaff } from '../server/src/orgs/organisations.js';
import { requestRefund } from '../server/src/refunds/request-refund.js';
import type { ApiFixture } from './support/api-fixtures.js';
import { expectError, sleep, useApiSuite } from './support/api-suite.js';
import { BACKENDS } from './support/databases.js';

describe.each(BACKENDS)('HTTP API /api/v1 (decisions) on %s', (backend) => {
  const s = useApiSuite(backend);
  const { fresh, count, refundsOfCase } = s;

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
        const row = await s.tc.ctx.db
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
      expect(res.body).toMatchObject({ customer: null, payments: [] });
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
      (await s.tc.ctx.db.selectFrom('refund_cases').select('state').where('id', '=', caseId).executeTakeFirstOrThrow())
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
      const approvedEvents = await s.tc.ctx.db
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

      const callsBefore = s.gateway.calls;
      const ok = await f.call('POST', `/api/v1/refunds/${caseId}/approve`, {
        token: f.staff.manager.token,
        body: { reason: 'customer is right' },
      });
      expect(ok.status, ok.text).toBe(200);
      expect(ok.body.state).toBe('approved');
      expect(ok.body.decision).toMatchObject({ by: f.staff.manager.id, channel: 'api', reason: 'customer is right' });
      expect((await f.settle(caseId)).state).toBe('succeeded');
      expect(s.gateway.calls - callsBefore).toBe(1);
      expect(s.gateway.refundsOf(ref).map((r) => r.amount.amount)).toEqual([250_000]);

      const again = await f.call('POST', `/api/v1/refunds/${caseId}/approve`, { token: f.staff.admin.token, body: {} });
      expectError(again, 409, 'already_decided');
      expect(again.body.error.details?.decidedBy?.name).toBe(f.staff.manager.name);
      expect(s.gateway.calls - callsBefore).toBe(1);
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
      expect(s.gateway.refundsOf(ref)).toEqual([]);
      expect(await refundsOfCase(caseId)).toEqual([]);
    });

    it('takes one of 20 concurrent approvals by two managers; the others are already_decided naming the winner', async () => {
      const f = await fresh();
      const second = await createStaff(s.tc.ctx.db, {
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
      const callsBefore = s.gateway.calls;
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
      expect(s.gateway.calls - callsBefore).toBe(1);
      expect(s.gateway.refundsOf(ref)).toHaveLength(1);
      const approvals = await s.tc.ctx.db
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
        s.clock.advance(60_000);
        const payment = await f.payment({ amount: '1000.00' });
        const res = await f.call('POST', '/api/v1/refunds', {
          token: f.staff.agent.token,
          body: { paymentId: payment.row.id, amount: '600.00', currency: 'USD', reasonCode: 'overpayment' },
        });
        expect(res.status, res.text).toBe(201);
        created.push(res.body.case.id);
        createdAt.push(res.body.case.createdAt);
      }
      s.clock.advance(60_000);
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
      const portal = await requestRefund(s.tc.ctx, {
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
});
