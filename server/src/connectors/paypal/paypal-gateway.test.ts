import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { money } from '../../money/money.js';
import {
  GatewayError,
  type GatewayPayment,
  type PaymentGateway,
  type RefundInput,
} from '../../ports/payment-gateway.js';
import { createPayPalGateway } from './paypal-gateway.js';
import { type PayPalFixture, startPayPalFixture, TEST_CREDENTIALS } from './paypal-test-fixture.js';

let fixture: PayPalFixture;
let gateway: PaymentGateway;

beforeAll(async () => {
  fixture = await startPayPalFixture();
  gateway = createPayPalGateway({ ...TEST_CREDENTIALS, baseUrl: fixture.server.url, timeoutMs: 500 });
});
afterAll(() => fixture.server.close());

function refundInput(
  paymentRef: string,
  amount: number,
  currency = 'USD',
  extra: Partial<RefundInput> = {},
): RefundInput {
  const idempotencyKey = `att_${randomUUID()}`;
  return {
    paymentRef,
    amount: money(amount, currency),
    reason: 'requested_by_customer',
    idempotencyKey,
    metadata: { caseId: 'case_42', attemptKey: idempotencyKey },
    ...extra,
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

describe('createPayPalGateway', () => {
  it('refuses bad configuration at construction, naming the option', () => {
    expect(() => createPayPalGateway({ clientId: '', clientSecret: 'x' })).toThrow(/clientId/);
    expect(() => createPayPalGateway({ clientId: 'x', clientSecret: 'y', timeoutMs: -1 })).toThrow(/timeoutMs/);
    expect(() => createPayPalGateway({ clientId: 'x', clientSecret: 'y', baseUrl: 'ftp://x' })).toThrow(/baseUrl/);
    expect(() => createPayPalGateway({ clientId: 'x', clientSecret: 'y', searchLookbackDays: 40 })).toThrow(
      /searchLookbackDays/,
    );
  });

  it('reads a card payment made through the SDK, with its card facts', async () => {
    const captureId = await fixture.payByCard({ value: '25.00', currency: 'USD', name: 'Grace Hopper' });
    const payment = await gateway.getPayment({ paymentRef: captureId });
    expect(payment).toMatchObject({
      paymentRef: captureId,
      amount: { amount: 2500, currency: 'USD' },
      amountRefunded: { amount: 0, currency: 'USD' },
      status: 'captured',
      customerName: 'Grace Hopper',
      method: { type: 'card', brand: 'visa', last4: '1111', expMonth: 12, expYear: 2030, funding: 'credit' },
    });
  });

  it('refunds in full and the payment reads as refunded', async () => {
    const captureId = await fixture.payByCard({ value: '10.00', currency: 'USD' });
    const refund = await gateway.refund(refundInput(captureId, 1000));
    expect(refund).toMatchObject({
      paymentRef: captureId,
      amount: { amount: 1000, currency: 'USD' },
      status: 'succeeded',
    });
    expect(await gateway.getPayment({ paymentRef: captureId })).toMatchObject({
      status: 'refunded',
      amountRefunded: { amount: 1000 },
    });
    const again = await rejection(gateway.refund(refundInput(captureId, 1)));
    expect(again.code).toBe('already_refunded');
  });

  it('refunds several partials, lists them newest first with metadata, and refuses an over-refund', async () => {
    const captureId = await fixture.payByCard({ value: '30.00', currency: 'USD' });
    const first = await gateway.refund(refundInput(captureId, 1000));
    const second = await gateway.refund(refundInput(captureId, 500, 'USD', { reason: 'duplicate' }));
    const over = await rejection(gateway.refund(refundInput(captureId, 1501)));
    expect(over.code).toBe('amount_exceeds_refundable');
    expect(over.options.vendorCode).toBe('REFUND_AMOUNT_EXCEEDED');
    const { refunds } = await gateway.listRefunds({ paymentRef: captureId });
    expect(refunds.map((r) => r.gatewayRefundId).sort()).toEqual(
      [first.gatewayRefundId, second.gatewayRefundId].sort(),
    );
    expect(refunds[0]!.createdAt.getTime()).toBeGreaterThanOrEqual(refunds[1]!.createdAt.getTime());
    expect(refunds.find((r) => r.gatewayRefundId === first.gatewayRefundId)?.metadata).toMatchObject({
      caseId: 'case_42',
    });
    const read = await gateway.getRefund({ gatewayRefundId: second.gatewayRefundId });
    expect(read).toMatchObject({ amount: { amount: 500 }, status: 'succeeded', paymentRef: captureId });
    expect(await gateway.getPayment({ paymentRef: captureId })).toMatchObject({
      status: 'captured',
      amountRefunded: { amount: 1500 },
    });
  });

  it('replays the same PayPal-Request-Id as the same refund and refuses it with another amount', async () => {
    const captureId = await fixture.payByCard({ value: '20.00', currency: 'USD' });
    const input = refundInput(captureId, 700);
    const first = await gateway.refund(input);
    const replay = await gateway.refund(input);
    expect(replay.gatewayRefundId).toBe(first.gatewayRefundId);
    expect(fixture.sandbox.refundsOf(captureId)).toHaveLength(1);
    const conflict = await rejection(gateway.refund({ ...input, amount: money(800, 'USD') }));
    expect(conflict.code).toBe('idempotency_conflict');
    expect(fixture.sandbox.refundsOf(captureId)).toHaveLength(1);
  });

  it('maps an unknown capture to not_found', async () => {
    const error = await rejection(gateway.getPayment({ paymentRef: 'NOSUCHCAPTURE0000' }));
    expect(error.code).toBe('not_found');
  });

  it('maps wrong credentials to authentication_failed, on every call', async () => {
    const wrong = createPayPalGateway({
      clientId: 'AZ-wrong',
      clientSecret: 'nope',
      baseUrl: fixture.server.url,
      timeoutMs: 500,
    });
    const { paymentRef } = await fixture.sandbox.createPayment({ amount: money(100, 'USD'), email: 'a@example.com' });
    for (let call = 0; call < 2; call++) {
      const error = await rejection(wrong.getPayment({ paymentRef }));
      expect(error.code).toBe('authentication_failed');
      expect(error.options.httpStatus).toBe(401);
    }
  });

  it.each([
    ['JPY', 1234, 500],
    ['USD', 1234, 567],
    ['EUR', 100_001, 99_999],
    ['KWD', 12_345, 1_005],
  ])('round-trips %s amounts exactly', async (currency, captured, refunded) => {
    const { paymentRef } = await fixture.sandbox.createPayment({
      amount: money(captured, currency),
      email: 'fx@example.com',
    });
    const payment = await gateway.getPayment({ paymentRef });
    expect(payment.amount).toEqual({ amount: captured, currency });
    const refund = await gateway.refund(refundInput(paymentRef, refunded, currency));
    expect(refund.amount).toEqual({ amount: refunded, currency });
    expect(fixture.sandbox.refundsOf(paymentRef)).toEqual([expect.objectContaining({ amount: refunded })]);
    expect((await gateway.getPayment({ paymentRef })).amountRefunded).toEqual({ amount: refunded, currency });
  });

  it('lists the payments captured since a date, page by page through the cursor, each with its payer', async () => {
    const since = new Date(Date.now() - 1_000);
    const mine = new Set<string>();
    for (let i = 0; i < 105; i++) {
      const email = `bulk-paypal-${i}@example.com`;
      const payment = await fixture.sandbox.createPayment({ amount: money(100 + i, 'EUR'), email, name: 'Bulk Payer' });
      mine.add(payment.paymentRef);
    }
    const seen = new Map<string, GatewayPayment>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await gateway.listPayments({ since, cursor });
      for (const payment of page.payments) seen.set(payment.paymentRef, payment);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== undefined && pages < 50);
    expect(cursor).toBeUndefined();
    expect(pages).toBeGreaterThan(1);
    for (const ref of mine) {
      expect(seen.get(ref)).toMatchObject({
        status: 'captured',
        customerEmail: expect.stringMatching(/^bulk-paypal-\d+@example\.com$/),
        customerName: 'Bulk Payer',
      });
    }
    const future = await gateway.listPayments({ since: new Date(Date.now() + 3_600_000) });
    expect(future).toEqual({ payments: [] });
  });

  it('finds payments by payer email through Transaction Search, case-insensitively', async () => {
    const email = `buyer-${randomUUID()}@example.com`;
    const mine = await fixture.sandbox.createPayment({ amount: money(4200, 'EUR'), email, name: 'Mary Jackson' });
    await fixture.sandbox.createPayment({ amount: money(100, 'EUR'), email: 'someone-else@example.com' });
    const { payments } = await gateway.findPayments({ email: email.toUpperCase() });
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({
      paymentRef: mine.paymentRef,
      customerEmail: email,
      customerName: 'Mary Jackson',
    });
    expect((await gateway.findPayments({ email: 'nobody@example.com' })).payments).toEqual([]);
  });
});
