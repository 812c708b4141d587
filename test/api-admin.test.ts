import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../server/src/app.js';
import type { ApiFixture } from './support/api-fixtures.js';
import { API_ROUTES, expectError, useApiSuite } from './support/api-suite.js';
import { BACKENDS } from './support/databases.js';

describe.each(BACKENDS)('HTTP API /api/v1 (staff, policy, audit, OpenAPI) on %s', (backend) => {
  const s = useApiSuite(backend);
  const { fresh, count } = s;

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
      const row = await s.tc.ctx.db
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
      const app = createApp(s.tc.ctx);
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
      const res = await createApp(s.tc.ctx).request('/docs');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      const html = await res.text();
      expect(html).toContain('/openapi.json');
    });
  });
});
