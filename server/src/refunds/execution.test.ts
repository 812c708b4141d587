import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../../test/support/databases.js';
import { createEngineFixture, type EngineFixture, usd } from '../../../test/support/engine-fixtures.js';
import { verifyAuditChain } from '../audit/verify-chain.js';
import { AppError } from '../errors/app-error.js';
import { drainFastPaths } from '../jobs/fast-path.js';
import { approve, deny } from './decide-case.js';
import { attemptKey, executeCase } from './execute-refund.js';
import { requestRefund } from './request-refund.js';
import { resolveRefund } from './resolve-refund.js';
import { sweep } from './sweep.js';

describe.each(BACKENDS)('refund execution on %s', (backend) => {
  let f: EngineFixture;

  beforeAll(async () => {
    f = await createEngineFixture(backend, { env: { EXECUTION_LEASE_SECONDS: '1' } });
  });
  afterAll(async () => {
    await drainFastPaths();
    await f.close();
  });

  const caseOf = (id: string) =>
    f.ctx.db.selectFrom('refund_cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const refundsOfCase = (id: string) => f.ctx.db.selectFrom('refunds').selectAll().where('case_id', '=', id).execute();
  const request = (paymentId: string, cents: number, by = f.staff.agent) =>
    requestRefund(f.ctx, {
      orgId: f.orgId,
      paymentId,
      amount: usd(cents),
      reasonCode: 'product_return',
      source: 'api',
      requestedBy: by.staffId,
    });

  it('auto-approves a small refund and executes it once, audited on an intact chain', async () => {
    const { paymentId, paymentRef } = await f.addPayment(usd(10_000));
    const calls = f.gateway.calls;
    const { caseRow } = await request(paymentId, 2_500);
    expect(caseRow.state).toBe('approved');
    await drainFastPaths();
    expect((await caseOf(caseRow.id)).state).toBe('succeeded');
    expect(f.gateway.calls - calls).toBe(1);
    expect(f.gateway.refundsOf(paymentRef).map((r) => r.amount.amount)).toEqual([2_500]);
    // the queued job runs later and must not send again
    await executeCase(f.ctx, { orgId: f.orgId, caseId: caseRow.id });
    expect(f.gateway.calls - calls).toBe(1);
    const verification = await verifyAuditChain(f.ctx.db, { orgId: f.orgId });
    expect(verification.ok).toBe(true);
  });

  it('turns 20 concurrent approvals of one case into one decision and one gateway call', async () => {
    const { paymentId, paymentRef } = await f.addPayment(usd(100_000));
    const { caseRow } = await request(paymentId, 60_000);
    expect(caseRow.state).toBe('pending_approval');
    expect(caseRow.required_role).toBe('lead');
    const calls = f.gateway.calls;
    const clicks = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        approve(f.ctx, { principal: i % 2 ? f.staff.manager : f.staff.manager2, caseId: caseRow.id }),
      ),
    );
    const won = clicks.filter((c) => c.status === 'fulfilled');
    const lost = clicks.filter((c): c is PromiseRejectedResult => c.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(19);
    const winner =
      (await caseOf(caseRow.id)).decided_by === f.staff.manager.staffId ? f.staff.manager : f.staff.manager2;
    for (const loss of lost) {
      expect(loss.reason).toBeInstanceOf(AppError);
      expect((loss.reason as AppError).code).toBe('already_decided');
      expect((loss.reason as AppError).message).toContain(winner.name);
    }
    await drainFastPaths();
    expect(f.gateway.calls - calls).toBe(1);
    expect(f.gateway.refundsOf(paymentRef)).toHaveLength(1);
    const decisions = await f.ctx.db
      .selectFrom('audit_events')
      .select('action')
      .where('case_id', '=', caseRow.id)
      .where('action', 'in', ['case.approved', 'case.denied'])
      .execute();
    expect(decisions).toHaveLength(1);
  });

  it('calls the gateway once when two approved 60.00 refunds race on a 100.00 capture', async () => {
    const { paymentId, paymentRef } = await f.addPayment(usd(10_000));
    // creation refuses a second open case on a payment; insert both approved cases so the execution lock alone must hold
    const template = (await request((await f.addPayment(usd(10_000))).paymentId, 100)).caseRow;
    await drainFastPaths();
    const ids = [crypto.randomUUID(), crypto.randomUUID()];
    for (const id of ids) {
      await f.ctx.db
        .insertInto('refund_cases')
        .values({
          ...template,
          id,
          reference: `RD-${id.slice(0, 8).toUpperCase()}`,
          payment_id: paymentId,
          amount: 6_000,
          state: 'approved',
          attempt_count: 0,
          idempotency_key: null,
          eligibility: JSON.stringify(template.eligibility),
          decision_evidence: null,
        })
        .execute();
    }
    const calls = f.gateway.calls;
    const results = await Promise.all(ids.map((caseId) => executeCase(f.ctx, { orgId: f.orgId, caseId })));
    expect(f.gateway.calls - calls).toBe(1);
    expect(results.map((r) => r.kind).sort()).toEqual(['refused', 'settled']);
    const states = await Promise.all(ids.map(async (id) => (await caseOf(id)).state));
    expect(states.sort()).toEqual(['exception', 'succeeded']);
    expect(f.gateway.refundsOf(paymentRef).map((r) => r.amount.amount)).toEqual([6_000]);
  });

  it('resolves a lost response by asking the gateway, without sending again', async () => {
    const { paymentId, paymentRef } = await f.addPayment(usd(10_000));
    f.gateway.faults.push({ kind: 'drop_response' });
    const { caseRow } = await request(paymentId, 4_000);
    await drainFastPaths();
    const [refund] = await refundsOfCase(caseRow.id);
    expect(refund?.state).toBe('unknown');
    expect((await caseOf(caseRow.id)).state).toBe('executing');
    expect(f.gateway.refundsOf(paymentRef)).toHaveLength(1);
    const calls = f.gateway.calls;
    expect(await resolveRefund(f.ctx, { orgId: f.orgId, refundId: refund?.id ?? '' })).toBe('settled');
    expect(f.gateway.calls).toBe(calls); // asked, not resent
    expect((await caseOf(caseRow.id)).state).toBe('succeeded');
    expect(f.gateway.refundsOf(paymentRef)).toHaveLength(1);
  });

  it('resends a timed-out refund with the same key only after the gateway says it never arrived', async () => {
    const { paymentId, paymentRef } = await f.addPayment(usd(10_000));
    f.gateway.faults.push({ kind: 'timeout' });
    const { caseRow } = await request(paymentId, 3_000);
    await drainFastPaths();
    const [refund] = await refundsOfCase(caseRow.id);
    expect(refund?.state).toBe('unknown');
    expect(f.gateway.refundsOf(paymentRef)).toHaveLength(0);
    expect(await resolveRefund(f.ctx, { orgId: f.orgId, refundId: refund?.id ?? '' })).toBe('settled');
    const atGateway = f.gateway.refundsOf(paymentRef);
    expect(atGateway).toHaveLength(1);
    expect(atGateway[0]?.metadata['idempotencyKey']).toBe(attemptKey(caseRow.id, 1));
    expect((await caseOf(caseRow.id)).state).toBe('succeeded');
  });

  it('backs off on 429 and succeeds later with the same key', async () => {
    const { paymentId, paymentRef } = await f.addPayment(usd(10_000));
    f.gateway.faults.push({ kind: 'http_429', retryAfterSeconds: 3 });
    const { caseRow } = await request(paymentId, 1_000);
    await drainFastPaths();
    const [refund] = await refundsOfCase(caseRow.id);
    expect(refund?.state).toBe('unknown');
    expect(refund?.next_check_at?.getTime()).toBeGreaterThanOrEqual(f.clock.now().getTime() + 3_000);
    expect(await resolveRefund(f.ctx, { orgId: f.orgId, refundId: refund?.id ?? '' })).toBe('settled');
    expect(f.gateway.refundsOf(paymentRef)).toHaveLength(1);
  });

  it('sends a terminal gateway refusal to exceptions once, frees the reservation, and does not retry', async () => {
    const { paymentId, paymentRef } = await f.addPayment(usd(10_000));
    f.gateway.declineRefunds(paymentRef, 'card_expired_or_canceled');
    const calls = f.gateway.calls;
    const { caseRow } = await request(paymentId, 5_000);
    await drainFastPaths();
    const after = await caseOf(caseRow.id);
    expect(after.state).toBe('exception');
    expect(after.exception_reason).toBe('card_expired_or_canceled');
    expect((await refundsOfCase(caseRow.id)).map((r) => r.state)).toEqual(['failed']);
    f.clock.advance(10 * 60_000);
    await sweep(f.ctx);
    const resolveJobs = await sql<{
      n: number;
    }>`select count(*)::int as n from pgboss.job where name = 'refund.resolve' and data->>'refundId' in (select id::text from refunds where case_id = ${caseRow.id})`.execute(
      f.ctx.db,
    );
    expect(resolveJobs.rows[0]?.n).toBe(0);
    expect(f.gateway.calls - calls).toBe(1);
  });

  it('refuses self-approval and approvers below the tier, and requires a reason to deny', async () => {
    const { paymentId } = await f.addPayment(usd(500_000));
    const { caseRow } = await request(paymentId, 300_000, f.staff.manager);
    expect(caseRow.required_role).toBe('manager');
    await expect(approve(f.ctx, { principal: f.staff.manager, caseId: caseRow.id })).rejects.toMatchObject({
      code: 'self_approval',
    });
    await expect(approve(f.ctx, { principal: f.staff.lead, caseId: caseRow.id })).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(approve(f.ctx, { principal: f.staff.agent, caseId: caseRow.id })).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(deny(f.ctx, { principal: f.staff.manager2, caseId: caseRow.id })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    const denied = await deny(f.ctx, {
      principal: f.staff.manager2,
      caseId: caseRow.id,
      reason: 'service was delivered',
    });
    expect(denied.state).toBe('denied');
    expect(denied.decision_reason).toBe('service was delivered');
    await expect(approve(f.ctx, { principal: f.staff.admin, caseId: caseRow.id })).rejects.toMatchObject({
      code: 'already_decided',
    });
  });

  it('expires approvals nobody answered', async () => {
    const { paymentId } = await f.addPayment(usd(100_000));
    const { caseRow } = await request(paymentId, 70_000);
    f.clock.advance(15 * 24 * 3600 * 1000);
    const result = await sweep(f.ctx);
    expect(result.expired).toBeGreaterThanOrEqual(1);
    expect((await caseOf(caseRow.id)).state).toBe('expired');
  });
});
