/**
 * Issue 12.1: a 5xx answered for an idempotency key, timeouts and lost answers, through the official SDKs
 * against the sandboxes. An attempt is closed as failed only when the gateway has answered for its key
 * and holds no refund carrying it; then its reservation is released and the next attempt gets the next key.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../server/src/app.js';
import { drainFastPaths } from '../server/src/jobs/fast-path.js';
import { attemptKey } from '../server/src/refunds/execute-refund.js';
import { MAX_ATTEMPTS_PER_CASE } from '../server/src/refunds/next-attempt.js';
import { requestRefund } from '../server/src/refunds/request-refund.js';
import { IN_FLIGHT_MARGIN_MS, resolveRefund } from '../server/src/refunds/resolve-refund.js';
import type { SandboxFault } from '../server/src/sandboxes/gateway-sandbox.js';
import { type GatewayRig, money, startGatewayRig, VENDORS, waitFor } from './gateways.fixture.js';
import { TestClock } from './support/context.js';
import { BACKENDS } from './support/databases.js';

const CURRENCY = { stripe: 'USD', paypal: 'EUR', square: 'USD' } as const;
const http500: SandboxFault = { kind: 'http_500' };

describe.each(BACKENDS)('gateway failures through the engine on %s', (backend) => {
  let rig: GatewayRig;
  const clock = new TestClock(new Date());
  beforeAll(async () => {
    rig = await startGatewayRig(backend, { clock });
  });
  afterAll(async () => {
    await rig?.close();
  });
  afterEach(() => {
    for (const vendor of VENDORS) rig.setup.sandboxes[vendor]?.sandbox.clearFaults();
  });

  const sandboxOf = (vendor: (typeof VENDORS)[number]) => {
    const handle = rig.setup.sandboxes[vendor];
    if (!handle) throw new Error('not sandboxed');
    return handle.sandbox;
  };
  const open = async (paymentId: string, amount: number, currency: string) => {
    const { caseRow } = await requestRefund(rig.ctx, {
      orgId: rig.orgId,
      paymentId,
      amount: money(amount, currency),
      reasonCode: 'missed_appointment',
      source: 'api',
      requestedBy: null,
    });
    await drainFastPaths();
    return caseRow;
  };
  const caseRow = (id: string) =>
    rig.ctx.db.selectFrom('refund_cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const attempts = (caseId: string) =>
    rig.ctx.db.selectFrom('refunds').selectAll().where('case_id', '=', caseId).orderBy('created_at').execute();
  const openAttempt = async (caseId: string) => {
    const open = (await attempts(caseId)).filter((r) => r.state === 'unknown' || r.state === 'reserved');
    expect(open).toHaveLength(1);
    return open[0] as NonNullable<(typeof open)[0]>;
  };
  const janitor = (refundId: string) => resolveRefund(rig.ctx, { orgId: rig.orgId, refundId });
  /** Our attempt keys on the gateway's refunds of a payment, read back through the adapter. */
  const keysAtGateway = async (vendor: string, paymentRef: string) => {
    const { refunds } = await rig.setup.registry.forPayment(rig.orgId, vendor).listRefunds({ paymentRef });
    return refunds.map((r) => r.metadata['idempotencyKey'] ?? r.metadata['refund_desk_idempotency_key']);
  };
  const auditActions = async (caseId: string) =>
    (
      await rig.ctx.db
        .selectFrom('audit_events')
        .select('action')
        .where('case_id', '=', caseId)
        .orderBy('seq')
        .execute()
    ).map((e) => e.action);

  describe.each(VENDORS)('%s', (vendor) => {
    const currency = CURRENCY[vendor];

    it('a 5xx answered for the key, no refund at the gateway: attempt 1 fails, its amount is released, attempt 2 (rd-<case>-2) refunds once', async () => {
      const { paymentRef, payment } = await rig.payment(vendor, money(10_000, currency));
      // The first call gets a 5xx; the janitor's resend with the same key gets the gateway's answer for that
      // key again (Stripe and PayPal replay the saved 500; Square, which keeps only successes, answers anew).
      sandboxOf(vendor).injectFaults(http500, http500);
      const opened = await open(payment.id, 2_000, currency);
      const first = await openAttempt(opened.id);
      expect(first).toMatchObject({ state: 'unknown', idempotency_key: attemptKey(opened.id, 1) });
      expect(await rig.refundable(payment.id)).toBe(8_000);

      expect(await janitor(first.id)).toBe('settled');

      const rows = await attempts(opened.id);
      expect(rows.map((r) => [r.idempotency_key, r.state, r.failure_reason])).toEqual([
        [attemptKey(opened.id, 1), 'failed', 'gateway_unavailable'],
        [attemptKey(opened.id, 2), 'succeeded', null],
      ]);
      expect(await caseRow(opened.id)).toMatchObject({ state: 'succeeded', attempt_count: 2 });
      expect(sandboxOf(vendor).refundsOf(paymentRef)).toEqual([expect.objectContaining({ amount: 2_000 })]);
      expect(await keysAtGateway(vendor, paymentRef)).toEqual([attemptKey(opened.id, 2)]);
      expect(await rig.refundable(payment.id)).toBe(8_000);
      const actions = await auditActions(opened.id);
      expect(actions).toEqual(expect.arrayContaining(['refund.failed', 'case.attempt_restarted', 'case.succeeded']));
      const proof = await rig.ctx.db
        .selectFrom('audit_events')
        .select('data')
        .where('case_id', '=', opened.id)
        .where('action', '=', 'refund.failed')
        .executeTakeFirstOrThrow();
      expect(proof.data).toMatchObject({ proof: { matchingRefunds: 0, keyAnswer: { httpStatus: 500 } } });
    });

    it('one 5xx, then the resend: the key only changes where the gateway keeps answering the 5xx for it', async () => {
      const { paymentRef, payment } = await rig.payment(vendor, money(5_000, currency));
      sandboxOf(vendor).injectFaults(http500);
      const opened = await open(payment.id, 1_000, currency);
      expect(await janitor((await openAttempt(opened.id)).id)).toBe('settled');
      // Stripe saves the 500 for the key and PayPal keeps it as the id's latest status: only a new key can
      // refund. Square replays only a successful answer, so the same key refunds.
      const keyThatRefunded = vendor === 'square' ? 1 : 2;
      expect(await keysAtGateway(vendor, paymentRef)).toEqual([attemptKey(opened.id, keyThatRefunded)]);
      expect(await caseRow(opened.id)).toMatchObject({ state: 'succeeded', attempt_count: keyThatRefunded });
      expect(sandboxOf(vendor).refundsOf(paymentRef)).toHaveLength(1);
    });

    it('a 5xx on every attempt: each proven, the case reaches exceptions holding nothing, and retry refunds once', async () => {
      const { paymentRef, payment } = await rig.payment(vendor, money(9_000, currency));
      // Each attempt: its first call and the janitor's resend.
      sandboxOf(vendor).injectFaults(...Array.from({ length: 2 * MAX_ATTEMPTS_PER_CASE }, () => http500));
      const opened = await open(payment.id, 3_000, currency);
      for (let attempt = 1; attempt <= MAX_ATTEMPTS_PER_CASE; attempt++) {
        const current = await openAttempt(opened.id);
        expect(current.idempotency_key).toBe(attemptKey(opened.id, attempt));
        expect(await rig.refundable(payment.id)).toBe(6_000);
        await janitor(current.id);
      }
      const exception = await caseRow(opened.id);
      expect(exception).toMatchObject({ state: 'exception', exception_reason: 'gateway_unavailable' });
      expect((await attempts(opened.id)).map((r) => r.state)).toEqual(['failed', 'failed', 'failed']);
      expect(await rig.refundable(payment.id)).toBe(9_000);
      expect(sandboxOf(vendor).refundsOf(paymentRef)).toHaveLength(0);

      const lead = rig.first.tokens.find((t) => t.role === 'lead')?.token ?? '';
      const response = await createApp(rig.ctx).request(`/api/v1/refunds/${opened.id}/retry`, {
        method: 'POST',
        headers: { authorization: `Bearer ${lead}` },
      });
      expect(response.status).toBe(201);
      const retried = ((await response.json()) as { case: { id: string } }).case;
      await drainFastPaths();
      await waitFor('retried case succeeded', async () =>
        (await caseRow(retried.id)).state === 'succeeded' ? true : undefined,
      );
      expect(sandboxOf(vendor).refundsOf(paymentRef)).toEqual([expect.objectContaining({ amount: 3_000 })]);
      expect(await keysAtGateway(vendor, paymentRef)).toEqual([attemptKey(retried.id, 1)]);
      expect(await rig.refundable(payment.id)).toBe(6_000);
    });

    it('a call that went unanswered may still be running: an error answered for the key proves nothing until it cannot be', async () => {
      const { paymentRef, payment } = await rig.payment(vendor, money(8_000, currency));
      sandboxOf(vendor).injectFaults({ kind: 'timeout' }, http500, http500);
      const opened = await open(payment.id, 2_000, currency);
      const first = await openAttempt(opened.id);
      expect(first.unanswered_at).not.toBeNull();
      clock.advance(2_000);
      expect(await janitor(first.id)).toBe('still_open'); // the gateway answered a 500 for the key: too soon
      expect(await openAttempt(opened.id)).toMatchObject({ id: first.id, idempotency_key: attemptKey(opened.id, 1) });
      expect(await rig.refundable(payment.id)).toBe(6_000);

      clock.advance(IN_FLIGHT_MARGIN_MS);
      expect(await janitor(first.id)).toBe('settled');
      expect((await attempts(opened.id)).map((r) => [r.idempotency_key, r.state])).toEqual([
        [attemptKey(opened.id, 1), 'failed'],
        [attemptKey(opened.id, 2), 'succeeded'],
      ]);
      expect(await keysAtGateway(vendor, paymentRef)).toEqual([attemptKey(opened.id, 2)]);
      expect(await rig.refundable(payment.id)).toBe(6_000);
    });

    it('an attempt left by a process that stopped mid-call counts as unanswered: no new key until its call cannot still run', async () => {
      const { paymentRef, payment } = await rig.payment(vendor, money(8_000, currency));
      sandboxOf(vendor).injectFaults({ kind: 'timeout' });
      const opened = await open(payment.id, 2_000, currency);
      const left = await openAttempt(opened.id);
      // As the executor leaves it when its process dies during the call: reserved, nothing recorded.
      await rig.ctx.db
        .updateTable('refunds')
        .set({ state: 'reserved', unanswered_at: null, next_check_at: null, updated_at: clock.now() })
        .where('id', '=', left.id)
        .execute();
      clock.advance(rig.ctx.config.EXECUTION_LEASE_SECONDS * 1000);
      sandboxOf(vendor).injectFaults(http500, http500);
      expect(await janitor(left.id)).toBe('still_open');
      expect(await openAttempt(opened.id)).toMatchObject({ id: left.id, idempotency_key: attemptKey(opened.id, 1) });

      clock.advance(IN_FLIGHT_MARGIN_MS);
      expect(await janitor(left.id)).toBe('settled');
      expect(await keysAtGateway(vendor, paymentRef)).toEqual([attemptKey(opened.id, 2)]);
      expect(sandboxOf(vendor).refundsOf(paymentRef)).toHaveLength(1);
    });

    it('a lost answer (refund applied, response dropped): the janitor finds it; never a second refund, never a new key', async () => {
      const { paymentRef, payment } = await rig.payment(vendor, money(7_000, currency));
      sandboxOf(vendor).setWebhookTarget(undefined); // only the janitor can learn what happened
      try {
        sandboxOf(vendor).injectFaults({ kind: 'drop_response' });
        const opened = await open(payment.id, 1_500, currency);
        const lost = await openAttempt(opened.id);
        expect(sandboxOf(vendor).refundsOf(paymentRef)).toHaveLength(1);
        expect(await janitor(lost.id)).toBe('settled');
        expect(await janitor(lost.id)).toBe('skipped');
        expect((await attempts(opened.id)).map((r) => [r.idempotency_key, r.state])).toEqual([
          [attemptKey(opened.id, 1), 'succeeded'],
        ]);
        expect(await caseRow(opened.id)).toMatchObject({ state: 'succeeded', attempt_count: 1 });
        expect(await keysAtGateway(vendor, paymentRef)).toEqual([attemptKey(opened.id, 1)]);
        expect(sandboxOf(vendor).refundsOf(paymentRef)).toHaveLength(1);
      } finally {
        rig.setup.setWebhookBase(rig.url);
      }
    });

    it('a timeout and rate limits prove nothing: the attempt stays unknown with its key, checks back off 2 s, 4 s, 8 s on the app clock', async () => {
      const { paymentRef, payment } = await rig.payment(vendor, money(6_000, currency));
      sandboxOf(vendor).injectFaults(
        { kind: 'timeout' },
        { kind: 'http_429', retryAfterSeconds: 1 },
        { kind: 'http_429', retryAfterSeconds: 1 },
      );
      const opened = await open(payment.id, 1_000, currency);
      const waits: number[] = [];
      for (let pass = 0; pass < 3; pass++) {
        const current = await openAttempt(opened.id);
        expect(current).toMatchObject({ state: 'unknown', idempotency_key: attemptKey(opened.id, 1) });
        const wait = (current.next_check_at?.getTime() ?? 0) - clock.now().getTime();
        waits.push(wait);
        expect(await rig.refundable(payment.id)).toBe(5_000);
        clock.advance(wait);
        await janitor(current.id);
      }
      expect(waits).toEqual([2_000, 4_000, 8_000]);
      expect((await attempts(opened.id)).map((r) => [r.idempotency_key, r.state])).toEqual([
        [attemptKey(opened.id, 1), 'succeeded'],
      ]);
      expect(sandboxOf(vendor).refundsOf(paymentRef)).toHaveLength(1);
    });
  });
});
