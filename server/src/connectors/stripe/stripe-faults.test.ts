import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { money } from '../../money/money.js';
import { GatewayError, type PaymentGateway, type RefundInput } from '../../ports/payment-gateway.js';
import { createStripeGateway, IDEMPOTENCY_METADATA_KEY } from './stripe-gateway.js';
import { type RunningStripeSandbox, startStripeSandbox, TEST_SECRET_KEY } from './stripe-testing.js';

let running: RunningStripeSandbox;
let gateway: PaymentGateway;
let seq = 0;

beforeAll(async () => {
  running = await startStripeSandbox();
  gateway = createStripeGateway({ secretKey: TEST_SECRET_KEY, baseUrl: running.server.url, timeoutMs: 400 });
});
afterAll(() => running.server.close());

async function paidRefundInput(amount = 1000): Promise<RefundInput> {
  seq += 1;
  const { paymentRef } = await running.sandbox.createPayment({ amount: money(amount, 'USD'), email: 'f@example.com' });
  return {
    paymentRef,
    amount: money(400, 'USD'),
    reason: 'requested_by_customer',
    idempotencyKey: `fault-${seq}`,
    metadata: { case_id: `case-${seq}` },
  };
}

async function gatewayError(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

describe('Stripe faults through the adapter', () => {
  it('latency delays the answer but applies once', async () => {
    const input = await paidRefundInput();
    running.sandbox.injectFaults({ kind: 'latency', ms: 120 });
    const started = performance.now();
    const refund = await gateway.refund(input);
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    expect(running.sandbox.refundsOf(input.paymentRef)).toEqual([
      { gatewayRefundId: refund.gatewayRefundId, amount: 400, status: 'succeeded' },
    ]);
  });

  it('http_500 is unavailable, applies nothing, and is replayed for the same key like Stripe', async () => {
    const input = await paidRefundInput();
    running.sandbox.injectFaults({ kind: 'http_500' });
    const error = await gatewayError(gateway.refund(input));
    expect(error).toMatchObject({ code: 'unavailable', isOutcomeUnknown: true, isRetryable: true });
    expect(error.options.httpStatus).toBe(500);
    expect(error.isAnswerForKey).toBe(true); // Stripe's own error body: its answer for the key
    expect(running.sandbox.refundsOf(input.paymentRef)).toHaveLength(0);
    const replayed = await gatewayError(gateway.refund(input));
    expect(replayed).toMatchObject({ code: 'unavailable', message: error.message });
    expect(replayed.isAnswerForKey).toBe(true); // saved for the key and replayed
    const fresh = await gateway.refund({ ...input, idempotencyKey: `${input.idempotencyKey}-new` });
    expect(fresh.status).toBe('succeeded');
  });

  it('http_429 is rate_limited with Retry-After in milliseconds, and a retry with the same key applies', async () => {
    const input = await paidRefundInput();
    running.sandbox.injectFaults({ kind: 'http_429', retryAfterSeconds: 2 });
    const error = await gatewayError(gateway.refund(input));
    expect(error).toMatchObject({
      code: 'rate_limited',
      isOutcomeUnknown: false,
      isRetryable: true,
      isAnswerForKey: false,
    });
    expect(error.options.retryAfterMs).toBe(2000);
    expect(running.sandbox.refundsOf(input.paymentRef)).toHaveLength(0);
    expect((await gateway.refund(input)).status).toBe('succeeded');
  });

  it('timeout surfaces as timeout with an unknown outcome and nothing applied', async () => {
    const input = await paidRefundInput();
    running.sandbox.injectFaults({ kind: 'timeout' });
    const started = performance.now();
    const error = await gatewayError(gateway.refund(input));
    expect(error).toMatchObject({ code: 'timeout', isOutcomeUnknown: true, isAnswerForKey: false });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(running.sandbox.refundsOf(input.paymentRef)).toHaveLength(0);
    expect((await gateway.refund(input)).status).toBe('succeeded');
  });

  it('drop_response applies once, surfaces as outcome unknown, and listRefunds finds it by metadata', async () => {
    const input = await paidRefundInput();
    running.sandbox.injectFaults({ kind: 'drop_response' });
    const error = await gatewayError(gateway.refund(input));
    expect(error.isOutcomeUnknown).toBe(true);
    expect(error.code).toBe('unavailable');
    expect(error.isAnswerForKey).toBe(false);
    const held = running.sandbox.refundsOf(input.paymentRef);
    expect(held).toHaveLength(1);
    const { refunds } = await gateway.listRefunds({ paymentRef: input.paymentRef });
    const match = refunds.find((refund) => refund.metadata[IDEMPOTENCY_METADATA_KEY] === input.idempotencyKey);
    expect(match?.gatewayRefundId).toBe(held[0]?.gatewayRefundId);
    expect(match?.metadata['case_id']).toBe(input.metadata['case_id']);
    const retried = await gateway.refund(input);
    expect(retried.gatewayRefundId).toBe(match?.gatewayRefundId);
    expect(running.sandbox.refundsOf(input.paymentRef)).toHaveLength(1);
  });

  it('pending stays pending until settled', async () => {
    const input = await paidRefundInput();
    running.sandbox.injectFaults({ kind: 'pending' });
    const refund = await gateway.refund(input);
    expect(refund.status).toBe('pending');
    await running.sandbox.settleRefund(refund.gatewayRefundId, { status: 'succeeded' });
    expect((await gateway.getRefund(refund)).status).toBe('succeeded');
  });

  it('clearFaults drops queued faults', async () => {
    const input = await paidRefundInput();
    running.sandbox.injectFaults({ kind: 'http_500' }, { kind: 'timeout' });
    running.sandbox.clearFaults();
    expect((await gateway.refund(input)).status).toBe('succeeded');
  });
});
