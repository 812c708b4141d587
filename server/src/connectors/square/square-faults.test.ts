import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { money } from '../../money/money.js';
import { GatewayError } from '../../ports/payment-gateway.js';
import { freshKey, payWithSdk, type SquareRig, startSquareRig } from './square-test-kit.js';

let rig: SquareRig;
beforeAll(async () => {
  rig = await startSquareRig({ timeoutMs: 300 });
});
afterAll(() => rig.close());

async function newPayment(amount = 1_000): Promise<string> {
  return payWithSdk(rig.sdk, { amount, currency: 'USD', email: 'faults@example.com' });
}

function refundInput(paymentRef: string, amount: number, key = freshKey('fault')) {
  return {
    paymentRef,
    amount: money(amount, 'USD'),
    reason: 'duplicate' as const,
    idempotencyKey: key,
    metadata: { caseId: 'case_fault' },
  };
}

async function caught(run: () => Promise<unknown>): Promise<GatewayError> {
  const error = await run().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

describe('Square sandbox faults seen through the adapter', () => {
  it('latency: answers normally, later', async () => {
    const paymentRef = await newPayment();
    rig.sandbox.injectFaults({ kind: 'latency', ms: 120 });
    const started = Date.now();
    const refund = await rig.gateway.refund(refundInput(paymentRef, 100));
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
    expect(refund.status).toBe('succeeded');
  });

  it('http_500: unavailable, outcome unknown, nothing applied, and the SDK did not retry', async () => {
    const paymentRef = await newPayment();
    rig.sandbox.injectFaults({ kind: 'http_500' });
    const input = refundInput(paymentRef, 100);
    const error = await caught(() => rig.gateway.refund(input));
    expect(error.code).toBe('unavailable');
    expect(error.isOutcomeUnknown).toBe(true);
    expect(error.options.httpStatus).toBe(500);
    expect(error.isAnswerForKey).toBe(true);
    expect(rig.sandbox.refundsOf(paymentRef)).toHaveLength(0);
    // Square replays only a successful response for a key: the same key runs again
    expect((await rig.gateway.refund(input)).status).toBe('succeeded');
    expect(rig.sandbox.refundsOf(paymentRef)).toHaveLength(1);
  });

  it('http_429: rate_limited with Retry-After in ms, nothing applied', async () => {
    const paymentRef = await newPayment();
    rig.sandbox.injectFaults({ kind: 'http_429', retryAfterSeconds: 7 });
    const error = await caught(() => rig.gateway.refund(refundInput(paymentRef, 100)));
    expect(error.code).toBe('rate_limited');
    expect(error.options.retryAfterMs).toBe(7_000);
    expect(error.isRetryable).toBe(true);
    expect(rig.sandbox.refundsOf(paymentRef)).toHaveLength(0);
  });

  it('timeout: the client timeout fires, outcome unknown, nothing applied', async () => {
    const paymentRef = await newPayment();
    rig.sandbox.injectFaults({ kind: 'timeout' });
    const started = Date.now();
    const error = await caught(() => rig.gateway.refund(refundInput(paymentRef, 100)));
    expect(error.code).toBe('timeout');
    expect(error.isOutcomeUnknown).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(rig.sandbox.refundsOf(paymentRef)).toHaveLength(0);
  });

  it('drop_response: outcome unknown, exactly one refund, found again by key and replayed', async () => {
    const paymentRef = await newPayment();
    rig.sandbox.injectFaults({ kind: 'drop_response' });
    const input = refundInput(paymentRef, 250);
    const error = await caught(() => rig.gateway.refund(input));
    expect(error.isOutcomeUnknown).toBe(true);
    expect(rig.sandbox.refundsOf(paymentRef)).toHaveLength(1);
    const { refunds } = await rig.gateway.listRefunds({ paymentRef });
    const found = refunds.find((refund) => refund.metadata.idempotencyKey === input.idempotencyKey);
    expect(found?.amount).toEqual(money(250, 'USD'));
    const retried = await rig.gateway.refund(input);
    expect(retried.gatewayRefundId).toBe(found?.gatewayRefundId);
    expect(rig.sandbox.refundsOf(paymentRef)).toHaveLength(1);
  });

  it('pending: stays pending until settled, then reads as succeeded', async () => {
    const paymentRef = await newPayment();
    rig.sandbox.injectFaults({ kind: 'pending' });
    const refund = await rig.gateway.refund(refundInput(paymentRef, 300));
    expect(refund.status).toBe('pending');
    expect((await rig.gateway.getRefund({ gatewayRefundId: refund.gatewayRefundId })).status).toBe('pending');
    await rig.sandbox.settleRefund(refund.gatewayRefundId, { status: 'succeeded' });
    expect((await rig.gateway.getRefund({ gatewayRefundId: refund.gatewayRefundId })).status).toBe('succeeded');
  });

  it('a pending refund holds its money: the rest is all that can still be refunded', async () => {
    const paymentRef = await newPayment(500);
    rig.sandbox.injectFaults({ kind: 'pending' });
    const pending = await rig.gateway.refund(refundInput(paymentRef, 400));
    const over = await caught(() => rig.gateway.refund(refundInput(paymentRef, 101)));
    expect(over.code).toBe('amount_exceeds_refundable');
    await rig.sandbox.settleRefund(pending.gatewayRefundId, { status: 'failed', reason: 'unknown' });
    const failed = await rig.gateway.getRefund({ gatewayRefundId: pending.gatewayRefundId });
    expect(failed).toMatchObject({ status: 'failed', failureReason: 'unknown' });
    expect((await rig.gateway.refund(refundInput(paymentRef, 500))).status).toBe('succeeded');
  });
});
