import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { money } from '../../money/money.js';
import { GatewayError, type GatewayPayment } from '../../ports/payment-gateway.js';
import { createSquareGateway } from './square-gateway.js';
import { freshKey, payWithSdk, type SquareRig, startSquareRig, TEST_ACCESS_TOKEN } from './square-test-kit.js';

let rig: SquareRig;
beforeAll(async () => {
  rig = await startSquareRig();
});
afterAll(() => rig.close());

async function refundError(run: () => Promise<unknown>): Promise<GatewayError> {
  const error = await run().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

function refundInput(paymentRef: string, amount: number, currency = 'USD', key = freshKey()) {
  return {
    paymentRef,
    amount: money(amount, currency),
    reason: 'requested_by_customer' as const,
    idempotencyKey: key,
    metadata: { caseId: 'case_42', organisationId: 'org_7', requesterEmail: 'ada@example.com' },
  };
}

describe('Square gateway through the official SDK', () => {
  it('reads a payment taken with cnon:card-nonce-ok, with card facts and the customer', async () => {
    const paymentRef = await payWithSdk(rig.sdk, { amount: 4_200, currency: 'USD', email: 'reader@example.com' });
    const payment = await rig.gateway.getPayment({ paymentRef });
    expect(payment).toMatchObject({
      paymentRef,
      amount: { amount: 4_200, currency: 'USD' },
      amountRefunded: { amount: 0, currency: 'USD' },
      status: 'captured',
      customerEmail: 'reader@example.com',
      customerName: 'Ada Lovelace',
      method: { type: 'card', brand: 'visa', last4: '1111', funding: 'credit', cardPresent: false },
    });
    expect(payment.capturedAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('refunds in full and the payment then reads as refunded', async () => {
    const paymentRef = await payWithSdk(rig.sdk, { amount: 2_500, currency: 'USD', email: 'full@example.com' });
    const refund = await rig.gateway.refund(refundInput(paymentRef, 2_500));
    expect(refund).toMatchObject({ paymentRef, status: 'succeeded', amount: { amount: 2_500, currency: 'USD' } });
    const payment = await rig.gateway.getPayment({ paymentRef });
    expect(payment.status).toBe('refunded');
    expect(payment.amountRefunded.amount).toBe(2_500);
  });

  it('takes several partial refunds, refuses the over-refund, and lists newest first with our keys', async () => {
    const paymentRef = await payWithSdk(rig.sdk, { amount: 1_000, currency: 'USD', email: 'partial@example.com' });
    const keys = [freshKey(), freshKey(), freshKey()];
    for (const [index, amount] of [300, 300, 250].entries()) {
      await rig.gateway.refund(refundInput(paymentRef, amount, 'USD', keys[index]));
    }
    const over = await refundError(() => rig.gateway.refund(refundInput(paymentRef, 151)));
    expect(over.code).toBe('amount_exceeds_refundable');
    expect(over.options.vendorCode).toBe('REFUND_AMOUNT_INVALID');
    expect(over.options.httpStatus).toBe(400);
    const { refunds } = await rig.gateway.listRefunds({ paymentRef });
    expect(refunds.map((refund) => refund.metadata.idempotencyKey)).toEqual([...keys].reverse());
    expect(refunds[0]?.metadata).toMatchObject({ caseId: 'case_42', organisationId: 'org_7' });
    expect(refunds[0]?.metadata).not.toHaveProperty('requesterEmail');
    const last = await rig.gateway.refund(refundInput(paymentRef, 150));
    expect(last.status).toBe('succeeded');
    expect(rig.sandbox.refundsOf(paymentRef)).toHaveLength(4);
  });

  it('replays the same key as the same refund and creates only one', async () => {
    const paymentRef = await payWithSdk(rig.sdk, { amount: 900, currency: 'USD', email: 'replay@example.com' });
    const input = refundInput(paymentRef, 400);
    const first = await rig.gateway.refund(input);
    const second = await rig.gateway.refund(input);
    expect(second.gatewayRefundId).toBe(first.gatewayRefundId);
    expect(rig.sandbox.refundsOf(paymentRef)).toHaveLength(1);
  });

  it('refuses the same key with another amount as an idempotency conflict', async () => {
    const paymentRef = await payWithSdk(rig.sdk, { amount: 900, currency: 'USD', email: 'conflict@example.com' });
    const key = freshKey();
    await rig.gateway.refund(refundInput(paymentRef, 100, 'USD', key));
    const conflict = await refundError(() => rig.gateway.refund(refundInput(paymentRef, 200, 'USD', key)));
    expect(conflict.code).toBe('idempotency_conflict');
    expect(conflict.options.vendorCode).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(rig.sandbox.refundsOf(paymentRef)).toHaveLength(1);
  });

  it('maps a key longer than Square allows to the same short key every time', async () => {
    const paymentRef = await payWithSdk(rig.sdk, { amount: 900, currency: 'USD', email: 'longkey@example.com' });
    const key = `attempt-${'x'.repeat(60)}-${freshKey()}`;
    const first = await rig.gateway.refund(refundInput(paymentRef, 100, 'USD', key));
    const again = await rig.gateway.refund(refundInput(paymentRef, 100, 'USD', key));
    expect(again.gatewayRefundId).toBe(first.gatewayRefundId);
    expect(first.metadata.idempotencyKey).toBe(key);
  });

  it('reads one refund back by id', async () => {
    const paymentRef = await payWithSdk(rig.sdk, { amount: 700, currency: 'USD', email: 'getrefund@example.com' });
    const created = await rig.gateway.refund(refundInput(paymentRef, 700));
    const read = await rig.gateway.getRefund({ gatewayRefundId: created.gatewayRefundId });
    expect(read).toEqual(created);
  });

  it.each([
    ['JPY', 12_345, 2_345],
    ['USD', 1_999, 1],
    ['EUR', 1_050, 1_049],
    ['KWD', 12_345, 1_005],
  ])('round-trips %s minor units exactly', async (currency, paid, refunded) => {
    const paymentRef = await payWithSdk(rig.sdk, { amount: paid, currency, email: `fx-${currency}@example.com` });
    const refund = await rig.gateway.refund(refundInput(paymentRef, refunded, currency));
    expect(refund.amount).toEqual({ amount: refunded, currency });
    const payment = await rig.gateway.getPayment({ paymentRef });
    expect(payment.amount).toEqual({ amount: paid, currency });
    expect(payment.amountRefunded).toEqual({ amount: refunded, currency });
    expect(rig.sandbox.refundsOf(paymentRef)[0]?.amount).toBe(refunded);
  });

  it('maps an Interac card-present payment to card_present_required', async () => {
    const paymentRef = await payWithSdk(rig.sdk, {
      amount: 1_500,
      currency: 'CAD',
      email: 'interac@example.com',
      sourceId: 'cnon:refund-desk-interac-present',
    });
    const payment = await rig.gateway.getPayment({ paymentRef });
    expect(payment.method).toMatchObject({ brand: 'interac', funding: 'debit', cardPresent: true });
    const error = await refundError(() => rig.gateway.refund(refundInput(paymentRef, 1_500, 'CAD')));
    expect(error.code).toBe('card_present_required');
    expect(error.isRetryable).toBe(false);
    expect(rig.sandbox.refundsOf(paymentRef)).toHaveLength(0);
  });

  it('answers not_found for an unknown payment', async () => {
    const error = await refundError(() => rig.gateway.getPayment({ paymentRef: 'no-such-payment' }));
    expect(error.code).toBe('not_found');
    expect(error.options.httpStatus).toBe(404);
  });

  it('answers authentication_failed with a wrong access token', async () => {
    const paymentRef = await payWithSdk(rig.sdk, { amount: 500, currency: 'USD', email: 'auth@example.com' });
    const intruder = createSquareGateway({ accessToken: 'EAAAl-wrong', baseUrl: rig.server.url, timeoutMs: 800 });
    const error = await refundError(() => intruder.refund(refundInput(paymentRef, 100)));
    expect(error.code).toBe('authentication_failed');
    expect(error.options).toMatchObject({ httpStatus: 401, vendorCode: 'UNAUTHORIZED' });
    expect(rig.sandbox.refundsOf(paymentRef)).toHaveLength(0);
  });

  it('lists the payments captured since a date, page by page through the cursor, each with its payer', async () => {
    const since = new Date(Date.now() - 1_000);
    const mine = new Set<string>();
    for (let i = 0; i < 105; i++) {
      const email = `bulk-square-${i}@example.com`;
      const payment = await rig.sandbox.createPayment({ amount: money(100 + i, 'USD'), email, name: 'Bulk Payer' });
      mine.add(payment.paymentRef);
    }
    const seen = new Map<string, GatewayPayment>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await rig.gateway.listPayments({ since, cursor });
      for (const payment of page.payments) seen.set(payment.paymentRef, payment);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== undefined && pages < 50);
    expect(cursor).toBeUndefined();
    expect(pages).toBeGreaterThan(1);
    for (const ref of mine) {
      expect(seen.get(ref)).toMatchObject({
        status: 'captured',
        customerEmail: expect.stringMatching(/^bulk-square-\d+@example\.com$/),
        customerName: 'Bulk Payer',
      });
    }
    const future = await rig.gateway.listPayments({ since: new Date(Date.now() + 3_600_000) });
    expect(future).toEqual({ payments: [] });
  });

  it('finds payments by customer and by buyer email, case-insensitively, and nobody else’s', async () => {
    const email = `finder-${freshKey()}@example.com`;
    const viaCustomer = await payWithSdk(rig.sdk, { amount: 1_100, currency: 'USD', email });
    const viaBuyerEmail = await payWithSdk(rig.sdk, { amount: 2_200, currency: 'USD', email, linkCustomer: false });
    await payWithSdk(rig.sdk, { amount: 3_300, currency: 'USD', email: `other-${email}` });
    const { payments } = await rig.gateway.findPayments({ email: email.toUpperCase() });
    expect(payments.map((payment) => payment.paymentRef).sort()).toEqual([viaCustomer, viaBuyerEmail].sort());
    expect(payments.find((payment) => payment.paymentRef === viaCustomer)?.customerName).toBe('Ada Lovelace');
  });

  it('stops scanning at findPaymentsScanLimit', async () => {
    const email = `limited-${freshKey()}@example.com`;
    await payWithSdk(rig.sdk, { amount: 100, currency: 'USD', email });
    await payWithSdk(rig.sdk, { amount: 100, currency: 'USD', email: `noise-${email}` });
    const narrow = createSquareGateway({
      accessToken: TEST_ACCESS_TOKEN,
      baseUrl: rig.server.url,
      findPaymentsScanLimit: 1,
    });
    expect((await narrow.findPayments({ email })).payments).toHaveLength(0);
    expect((await rig.gateway.findPayments({ email })).payments).toHaveLength(1);
  });

  it('refuses bad configuration at construction, naming the option', () => {
    expect(() => createSquareGateway({ accessToken: '' })).toThrow(/accessToken/);
    expect(() => createSquareGateway({ accessToken: 't', baseUrl: 'ftp://x' })).toThrow(/baseUrl/);
    expect(() => createSquareGateway({ accessToken: 't', timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => createSquareGateway({ accessToken: 't', timeoutMs: 1.5 })).toThrow(/timeoutMs/);
    expect(() => createSquareGateway({ accessToken: 't', findPaymentsScanLimit: -1 })).toThrow(/findPaymentsScanLimit/);
  });
});
