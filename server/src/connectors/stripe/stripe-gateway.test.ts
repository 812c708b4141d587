import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Money, money } from '../../money/money.js';
import {
  GatewayError,
  type GatewayPayment,
  type PaymentGateway,
  type RefundInput,
} from '../../ports/payment-gateway.js';
import { createStripeGateway, IDEMPOTENCY_METADATA_KEY } from './stripe-gateway.js';
import {
  payWithPaymentIntent,
  type RunningStripeSandbox,
  startStripeSandbox,
  TEST_SECRET_KEY,
} from './stripe-testing.js';

let running: RunningStripeSandbox;
let gateway: PaymentGateway;
let keySeq = 0;

beforeAll(async () => {
  running = await startStripeSandbox();
  gateway = createStripeGateway({ secretKey: TEST_SECRET_KEY, baseUrl: running.server.url, timeoutMs: 800 });
});
afterAll(() => running.server.close());

function refundInput(paymentRef: string, amount: Money, overrides: Partial<RefundInput> = {}): RefundInput {
  keySeq += 1;
  return {
    paymentRef,
    amount,
    reason: 'requested_by_customer',
    idempotencyKey: `attempt-${keySeq}`,
    metadata: { case_id: `case-${keySeq}` },
    ...overrides,
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

describe('createStripeGateway', () => {
  it('refuses bad configuration at construction, naming the option', () => {
    expect(() => createStripeGateway({ secretKey: 'pk_test_x' })).toThrow(/secretKey/);
    expect(() => createStripeGateway({ secretKey: TEST_SECRET_KEY, baseUrl: 'ftp://x' })).toThrow(/baseUrl/);
    expect(() => createStripeGateway({ secretKey: TEST_SECRET_KEY, baseUrl: 'http://h/v1' })).toThrow(/baseUrl/);
    expect(() => createStripeGateway({ secretKey: TEST_SECRET_KEY, timeoutMs: 0 })).toThrow(/timeoutMs/);
  });

  it('refunds fully and partially, carrying metadata and the idempotency key', async () => {
    const { paymentRef } = await running.sandbox.createPayment({
      amount: money(5000, 'USD'),
      email: 'full@example.com',
    });
    const partial = await gateway.refund(refundInput(paymentRef, money(1200, 'USD')));
    expect(partial).toMatchObject({ paymentRef, status: 'succeeded', amount: { amount: 1200, currency: 'USD' } });
    expect(partial.metadata).toMatchObject({
      case_id: `case-${keySeq}`,
      [IDEMPOTENCY_METADATA_KEY]: `attempt-${keySeq}`,
    });
    const second = await gateway.refund(refundInput(paymentRef, money(800, 'USD')));
    const rest = await gateway.refund(refundInput(paymentRef, money(3000, 'USD')));
    const { refunds } = await gateway.listRefunds({ paymentRef });
    expect(refunds.map((refund) => refund.gatewayRefundId)).toEqual(
      [rest, second, partial].map((r) => r.gatewayRefundId),
    );
    expect(await gateway.getRefund({ gatewayRefundId: second.gatewayRefundId })).toMatchObject({
      amount: second.amount,
    });
    const payment = await gateway.getPayment({ paymentRef });
    expect(payment).toMatchObject({ status: 'refunded', amountRefunded: { amount: 5000, currency: 'USD' } });
    const already = await gatewayError(gateway.refund(refundInput(paymentRef, money(1, 'USD'))));
    expect(already.code).toBe('already_refunded');
  });

  it('maps an over-refund to amount_exceeds_refundable', async () => {
    const { paymentRef } = await running.sandbox.createPayment({
      amount: money(1000, 'EUR'),
      email: 'over@example.com',
    });
    await gateway.refund(refundInput(paymentRef, money(600, 'EUR')));
    const over = await gatewayError(gateway.refund(refundInput(paymentRef, money(401, 'EUR'))));
    expect(over).toMatchObject({ code: 'amount_exceeds_refundable', isOutcomeUnknown: false });
    expect(over.options).toMatchObject({ vendorCode: 'amount_too_large', httpStatus: 400 });
  });

  it('returns the same refund for a repeated key and calls another amount an idempotency conflict', async () => {
    const { paymentRef } = await running.sandbox.createPayment({
      amount: money(900, 'USD'),
      email: 'idem@example.com',
    });
    const input = refundInput(paymentRef, money(300, 'USD'));
    const first = await gateway.refund(input);
    const again = await gateway.refund(input);
    expect(again.gatewayRefundId).toBe(first.gatewayRefundId);
    expect(running.sandbox.refundsOf(paymentRef)).toHaveLength(1);
    const conflict = await gatewayError(gateway.refund({ ...input, amount: money(301, 'USD') }));
    expect(conflict.code).toBe('idempotency_conflict');
    expect(running.sandbox.refundsOf(paymentRef)).toHaveLength(1);
  });

  it.each([
    [money(5000, 'JPY'), money(1234, 'JPY')],
    [money(10_050, 'USD'), money(1, 'USD')],
    [money(99_999, 'EUR'), money(12_345, 'EUR')],
    [money(12_340, 'KWD'), money(1_230, 'KWD')],
    [money(700, 'ISK'), money(150, 'ISK')],
  ])('round-trips %o exactly (refund %o)', async (paid, refunded) => {
    const { paymentRef } = await running.sandbox.createPayment({ amount: paid, email: 'fx@example.com' });
    expect((await gateway.getPayment({ paymentRef })).amount).toEqual(paid);
    const refund = await gateway.refund(refundInput(paymentRef, refunded));
    expect(refund.amount).toEqual(refunded);
    expect((await gateway.getPayment({ paymentRef })).amountRefunded).toEqual(refunded);
  });

  it('stores ISK at Stripe with two decimals and refuses KWD amounts Stripe cannot take', async () => {
    const { paymentRef } = await running.sandbox.createPayment({ amount: money(700, 'ISK'), email: 'isk@example.com' });
    const intent = await running.stripe.paymentIntents.retrieve(paymentRef);
    expect(intent.amount).toBe(70_000);
    const kwd = await running.sandbox.createPayment({ amount: money(5_000, 'KWD'), email: 'kwd@example.com' });
    const odd = await gatewayError(gateway.refund(refundInput(kwd.paymentRef, money(1_235, 'KWD'))));
    expect(odd.code).toBe('invalid_request');
    expect(running.sandbox.refundsOf(kwd.paymentRef)).toHaveLength(0);
  });

  it('refuses a refund in another currency than the payment before calling Stripe', async () => {
    const { paymentRef } = await running.sandbox.createPayment({
      amount: money(1000, 'USD'),
      email: 'cur@example.com',
    });
    const error = await gatewayError(gateway.refund(refundInput(paymentRef, money(1000, 'JPY'))));
    expect(error.code).toBe('invalid_request');
    expect(running.sandbox.refundsOf(paymentRef)).toHaveLength(0);
  });

  it('reads card facts for SDK-made payments by charge and by payment intent', async () => {
    const paid = await payWithPaymentIntent(running.stripe, {
      amount: 4200,
      currency: 'usd',
      email: 'facts@example.com',
      paymentMethod: 'pm_card_visa_debit',
    });
    const byIntent = await gateway.getPayment({ paymentRef: paid.paymentIntentId });
    expect(byIntent).toMatchObject({
      paymentRef: paid.paymentIntentId,
      status: 'captured',
      customerEmail: 'facts@example.com',
      customerName: 'Test Customer',
      method: { type: 'card', brand: 'visa', last4: '5556', funding: 'debit', cardPresent: false, expMonth: 12 },
    });
    const byCharge = await gateway.getPayment({ paymentRef: paid.chargeId });
    expect(byCharge).toMatchObject({ paymentRef: paid.chargeId, amount: { amount: 4200, currency: 'USD' } });
  });

  it('finds a customer’s payments by email, newest first, and nothing for strangers', async () => {
    const first = await running.sandbox.createPayment({ amount: money(100, 'USD'), email: 'finder@example.com' });
    const second = await payWithPaymentIntent(running.stripe, {
      amount: 200,
      currency: 'usd',
      email: 'finder@example.com',
    });
    const { payments } = await gateway.findPayments({ email: 'finder@example.com' });
    expect(payments.map((payment) => payment.paymentRef)).toEqual([second.paymentIntentId, first.paymentRef]);
    expect((await gateway.findPayments({ email: 'nobody@example.com' })).payments).toEqual([]);
  });

  it('lists the payments captured since a date, page by page through the cursor, each with its payer', async () => {
    const since = new Date(Date.now() - 1_000);
    const mine = new Set<string>();
    for (let i = 0; i < 105; i++) {
      const email = `bulk-stripe-${i}@example.com`;
      const payment = await running.sandbox.createPayment({ amount: money(100 + i, 'USD'), email, name: 'Bulk Payer' });
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
        customerEmail: expect.stringMatching(/^bulk-stripe-\d+@example\.com$/),
        customerName: 'Bulk Payer',
      });
    }
    const future = await gateway.listPayments({ since: new Date(Date.now() + 3_600_000) });
    expect(future).toEqual({ payments: [] });
  });

  it('maps wrong credentials, unknown ids and card-present Interac refunds', async () => {
    const wrong = createStripeGateway({ secretKey: 'sk_test_wrong', baseUrl: running.server.url, timeoutMs: 800 });
    expect((await gatewayError(wrong.getRefund({ gatewayRefundId: 're_x' }))).code).toBe('authentication_failed');
    expect((await gatewayError(gateway.getRefund({ gatewayRefundId: 're_missing' }))).code).toBe('not_found');
    expect((await gatewayError(gateway.getPayment({ paymentRef: 'pi_missing' }))).code).toBe('not_found');
    const interac = await running.sandbox.createPayment({
      amount: money(2000, 'CAD'),
      email: 'interac@example.com',
      kind: 'debit_card_present',
    });
    expect((await gateway.getPayment(interac)).method).toMatchObject({ cardPresent: true, funding: 'debit' });
    const refused = await gatewayError(gateway.refund(refundInput(interac.paymentRef, money(2000, 'CAD'))));
    expect(refused.code).toBe('card_present_required');
  });
});
