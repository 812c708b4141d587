import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { money } from '../../money/money.js';
import { GatewayError, type PaymentGateway, type RefundInput } from '../../ports/payment-gateway.js';
import { createPayPalGateway } from './paypal-gateway.js';
import { IDEMPOTENCY_KEY_METADATA } from './paypal-mapping.js';
import { type PayPalFixture, startPayPalFixture, TEST_CREDENTIALS } from './paypal-test-fixture.js';

let fixture: PayPalFixture;
let gateway: PaymentGateway;

beforeAll(async () => {
  fixture = await startPayPalFixture();
  gateway = createPayPalGateway({ ...TEST_CREDENTIALS, baseUrl: fixture.server.url, timeoutMs: 400 });
});
afterAll(() => fixture.server.close());

async function freshPayment(amount = 5000): Promise<string> {
  return (await fixture.sandbox.createPayment({ amount: money(amount, 'USD'), email: 'faults@example.com' }))
    .paymentRef;
}

function refundInput(paymentRef: string, amount: number): RefundInput {
  const idempotencyKey = `att_${randomUUID()}`;
  return {
    paymentRef,
    amount: money(amount, 'USD'),
    reason: 'requested_by_customer',
    idempotencyKey,
    metadata: { caseId: `case_${randomUUID().slice(0, 8)}` },
  };
}

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

describe('PayPal faults through the adapter', () => {
  it('answers 500 as unavailable (outcome unknown), answered for the key: the same PayPal-Request-Id keeps answering it, a new one refunds', async () => {
    const paymentRef = await freshPayment();
    const input = refundInput(paymentRef, 1000);
    fixture.sandbox.injectFaults({ kind: 'http_500' });
    const error = await rejection(gateway.refund(input));
    expect(error.code).toBe('unavailable');
    expect(error.options.httpStatus).toBe(500);
    expect(error.isOutcomeUnknown).toBe(true);
    expect(error.isAnswerForKey).toBe(true);
    expect(fixture.sandbox.refundsOf(paymentRef)).toHaveLength(0);
    // "the latest status of the previous request" for this id is that failure
    const again = await rejection(gateway.refund(input));
    expect(again).toMatchObject({ code: 'unavailable', message: error.message });
    expect(again.isAnswerForKey).toBe(true);
    expect(fixture.sandbox.refundsOf(paymentRef)).toHaveLength(0);
    expect((await gateway.refund({ ...input, idempotencyKey: `${input.idempotencyKey}-2` })).status).toBe('succeeded');
    expect(fixture.sandbox.refundsOf(paymentRef)).toHaveLength(1);
  });

  it('answers 429 as rate_limited with Retry-After in ms and applies nothing', async () => {
    const paymentRef = await freshPayment();
    fixture.sandbox.injectFaults({ kind: 'http_429', retryAfterSeconds: 3 });
    const error = await rejection(gateway.refund(refundInput(paymentRef, 1000)));
    expect(error.code).toBe('rate_limited');
    expect(error.options.retryAfterMs).toBe(3000);
    expect(error.options.vendorCode).toBe('RATE_LIMIT_REACHED');
    expect(error.isRetryable).toBe(true);
    expect(fixture.sandbox.refundsOf(paymentRef)).toHaveLength(0);
  });

  it('turns a request that is never answered into timeout, outcome unknown, nothing applied', async () => {
    const paymentRef = await freshPayment();
    fixture.sandbox.injectFaults({ kind: 'timeout' });
    const startedAt = Date.now();
    const error = await rejection(gateway.refund(refundInput(paymentRef, 1000)));
    expect(error.code).toBe('timeout');
    expect(error.isOutcomeUnknown).toBe(true);
    expect(Date.now() - startedAt).toBeLessThan(3000);
    expect(fixture.sandbox.refundsOf(paymentRef)).toHaveLength(0);
  });

  it('surfaces a dropped response as outcome unknown; listRefunds finds the one refund by key and metadata', async () => {
    const paymentRef = await freshPayment();
    const input = refundInput(paymentRef, 1200);
    fixture.sandbox.injectFaults({ kind: 'drop_response' });
    const error = await rejection(gateway.refund(input));
    expect(error.isOutcomeUnknown).toBe(true);
    expect(error.code).toBe('unavailable');
    expect(fixture.sandbox.refundsOf(paymentRef)).toHaveLength(1);
    const { refunds } = await gateway.listRefunds({ paymentRef });
    const match = refunds.find((r) => r.metadata[IDEMPOTENCY_KEY_METADATA] === input.idempotencyKey);
    expect(match).toMatchObject({
      amount: { amount: 1200 },
      status: 'succeeded',
      metadata: { caseId: input.metadata.caseId },
    });
    // Retrying with the same PayPal-Request-Id returns that refund rather than making a second one.
    expect((await gateway.refund(input)).gatewayRefundId).toBe(match?.gatewayRefundId);
    expect(fixture.sandbox.refundsOf(paymentRef)).toHaveLength(1);
  });

  it('answers normally after injected latency shorter than the timeout', async () => {
    const paymentRef = await freshPayment();
    fixture.sandbox.injectFaults({ kind: 'latency', ms: 100 });
    const startedAt = Date.now();
    const refund = await gateway.refund(refundInput(paymentRef, 300));
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(95);
    expect(refund.status).toBe('succeeded');
  });

  it('reports a concurrent call with the same key as idempotency_in_progress', async () => {
    const paymentRef = await freshPayment();
    const input = refundInput(paymentRef, 400);
    fixture.sandbox.injectFaults({ kind: 'latency', ms: 200 });
    const slow = gateway.refund(input);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const concurrent = await rejection(gateway.refund(input));
    expect(concurrent.code).toBe('idempotency_in_progress');
    expect((await slow).status).toBe('succeeded');
    expect(fixture.sandbox.refundsOf(paymentRef)).toHaveLength(1);
  });

  it('keeps a refund pending until the sandbox settles it', async () => {
    const paymentRef = await freshPayment();
    fixture.sandbox.injectFaults({ kind: 'pending' });
    const refund = await gateway.refund(refundInput(paymentRef, 2500));
    expect(refund.status).toBe('pending');
    await fixture.sandbox.settleRefund(refund.gatewayRefundId, { status: 'succeeded' });
    expect((await gateway.getRefund({ gatewayRefundId: refund.gatewayRefundId })).status).toBe('succeeded');
  });

  it('counts a pending refund against the refundable amount', async () => {
    const paymentRef = await freshPayment(1000);
    fixture.sandbox.injectFaults({ kind: 'pending' });
    await gateway.refund(refundInput(paymentRef, 800));
    const error = await rejection(gateway.refund(refundInput(paymentRef, 300)));
    expect(error.code).toBe('amount_exceeds_refundable');
  });
});
