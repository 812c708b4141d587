import { createHmac } from 'node:crypto';
import { Hono } from 'hono';
import { WebhooksHelper } from 'square';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { money } from '../../money/money.js';
import { type WebhookRequest, WebhookVerificationError } from '../../ports/gateway-webhook.js';
import { type RunningSandbox, startSandboxServer } from '../../sandboxes/sandbox-server.js';
import { freshKey, payWithSdk, type SquareRig, startSquareRig } from './square-test-kit.js';
import { createSquareWebhookVerifier } from './square-webhook.js';

const URL_SIGNED = 'https://refund-desk.example/webhooks/square/acme';
const KEY = 'sq-signature-key-current';

/** Signs independently of the code under test, the way Square documents it. */
function squareSign(key: string, url: string, body: string): string {
  return createHmac('sha256', key)
    .update(url + body)
    .digest('base64');
}

function refundEvent(status: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    merchant_id: 'MLTEST',
    type: 'refund.updated',
    event_id: 'evt-1b7e',
    created_at: '2026-05-01T10:00:00Z',
    data: {
      type: 'refund',
      id: 'rf_1',
      object: {
        refund: {
          id: 'rf_1',
          status,
          amount_money: { amount: 1_005, currency: 'KWD' },
          payment_id: 'pay_1',
          reason: 'Requested by customer | refund-desk:idempotencyKey=att-9&caseId=case_3',
          created_at: '2026-05-01T09:59:00Z',
          ...extra,
        },
      },
    },
  });
}

function request(body: string, signature: string | undefined, url = URL_SIGNED): WebhookRequest {
  return { rawBody: body, url, headers: signature === undefined ? {} : { 'x-square-hmacsha256-signature': signature } };
}

async function refusal(run: () => Promise<unknown>): Promise<string> {
  const error = await run().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return (error as WebhookVerificationError).code;
}

describe('Square webhook verifier', () => {
  const verifier = createSquareWebhookVerifier({ signatureKeys: [KEY] });

  it('accepts a valid signature and maps the refund with our metadata', async () => {
    const body = refundEvent('COMPLETED');
    const verified = await verifier.verify(request(body, squareSign(KEY, URL_SIGNED, body)));
    expect(verified).toMatchObject({ gateway: 'square', eventId: 'evt-1b7e', vendorType: 'refund.updated' });
    expect(verified.event).toEqual({
      kind: 'refund.updated',
      refund: {
        gatewayRefundId: 'rf_1',
        paymentRef: 'pay_1',
        amount: money(1_005, 'KWD'),
        status: 'succeeded',
        failureReason: undefined,
        metadata: { idempotencyKey: 'att-9', caseId: 'case_3' },
        createdAt: new Date('2026-05-01T09:59:00Z'),
      },
    });
  });

  it('refuses a body with one byte changed', async () => {
    const body = refundEvent('COMPLETED');
    const signature = squareSign(KEY, URL_SIGNED, body);
    expect(await refusal(() => verifier.verify(request(body.replace('1005', '1006'), signature)))).toBe(
      'invalid_signature',
    );
  });

  it('refuses a wrong key and a different notification URL', async () => {
    const body = refundEvent('COMPLETED');
    expect(await refusal(() => verifier.verify(request(body, squareSign('other', URL_SIGNED, body))))).toBe(
      'invalid_signature',
    );
    const signature = squareSign(KEY, URL_SIGNED, body);
    expect(await refusal(() => verifier.verify(request(body, signature, `${URL_SIGNED}/x`)))).toBe('invalid_signature');
  });

  it('accepts the old and the new key during rotation, and a configured public URL', async () => {
    const rotating = createSquareWebhookVerifier({ signatureKeys: ['old-key', KEY], notificationUrl: URL_SIGNED });
    const body = refundEvent('PENDING');
    for (const key of ['old-key', KEY]) {
      const verified = await rotating.verify(request(body, squareSign(key, URL_SIGNED, body), 'http://10.0.0.5/hook'));
      expect(verified.event.kind).toBe('refund.updated');
    }
  });

  it('refuses a missing or empty signature header', async () => {
    const body = refundEvent('COMPLETED');
    expect(await refusal(() => verifier.verify(request(body, undefined)))).toBe('missing_signature');
    expect(await refusal(() => verifier.verify(request(body, '')))).toBe('missing_signature');
  });

  it('refuses signed JSON that is malformed or not an event', async () => {
    for (const body of ['{"type":"refund.updated",', '{"type":"refund.updated"}', '[]']) {
      expect(await refusal(() => verifier.verify(request(body, squareSign(KEY, URL_SIGNED, body))))).toBe(
        'malformed_payload',
      );
    }
  });

  it('maps a failed refund to a closed card, payment.updated COMPLETED to payment.captured, others to ignored', async () => {
    const card = { card_brand: 'VISA', exp_month: 1, exp_year: 2031, issuer_alert: 'ISSUER_ALERT_CARD_CLOSED' };
    const failed = refundEvent('FAILED', { destination_details: { card_details: { card } } });
    const verifiedFailure = await verifier.verify(request(failed, squareSign(KEY, URL_SIGNED, failed)));
    expect(verifiedFailure.event).toMatchObject({
      refund: { status: 'failed', failureReason: 'card_expired_or_canceled' },
    });
    const payment = {
      id: 'pay_9',
      status: 'COMPLETED',
      created_at: '2026-05-01T09:00:00Z',
      total_money: { amount: 120_000, currency: 'JPY' },
      source_type: 'CARD',
      buyer_email_address: 'ada@example.com',
      card_details: { card: { card_brand: 'JCB', last_4: '0000', card_type: 'CREDIT' }, entry_method: 'KEYED' },
    };
    const paid = JSON.stringify({ type: 'payment.updated', event_id: 'evt-2', data: { object: { payment } } });
    const verifiedPayment = await verifier.verify(request(paid, squareSign(KEY, URL_SIGNED, paid)));
    expect(verifiedPayment.event).toMatchObject({
      kind: 'payment.captured',
      payment: { paymentRef: 'pay_9', amount: money(120_000, 'JPY'), customerEmail: 'ada@example.com' },
    });
    const other = JSON.stringify({ type: 'customer.created', event_id: 'evt-3', data: { object: {} } });
    const verifiedOther = await verifier.verify(request(other, squareSign(KEY, URL_SIGNED, other)));
    expect(verifiedOther.event).toEqual({ kind: 'ignored', vendorType: 'customer.created' });
  });

  it('refuses an empty key list at construction', () => {
    expect(() => createSquareWebhookVerifier({ signatureKeys: [] })).toThrow(/signatureKeys/);
  });
});

describe('Square sandbox webhooks end to end', () => {
  let rig: SquareRig;
  let receiver: RunningSandbox;
  const received: WebhookRequest[] = [];

  beforeAll(async () => {
    const inbox = new Hono();
    inbox.post('/webhooks/square', async (c) => {
      const headers = Object.fromEntries([...c.req.raw.headers].map(([name, value]) => [name.toLowerCase(), value]));
      received.push({ rawBody: await c.req.text(), headers, url: c.req.url });
      return c.body(null, 200);
    });
    receiver = await startSandboxServer(inbox);
    rig = await startSquareRig({ sandbox: { refundFailureDelayMs: 30 } });
    rig.sandbox.setWebhookTarget({ url: `${receiver.url}/webhooks/square`, secret: KEY });
  });
  afterAll(async () => {
    await rig.close();
    await receiver.close();
  });

  it('a refund on a card that fails goes pending, then failed, with signed webhooks saying so', async () => {
    const paymentRef = await payWithSdk(rig.sdk, {
      amount: 3_000,
      currency: 'USD',
      email: 'fails@example.com',
      sourceId: 'cnon:refund-desk-refund-fails',
    });
    const refund = await rig.gateway.refund({
      paymentRef,
      amount: money(3_000, 'USD'),
      reason: 'requested_by_customer',
      idempotencyKey: freshKey('fails'),
      metadata: { caseId: 'case_fail' },
    });
    expect(refund.status).toBe('pending');
    for (let tries = 0; tries < 50; tries++) {
      if ((await rig.gateway.getRefund(refund)).status !== 'pending') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await rig.gateway.getRefund(refund)).toMatchObject({
      status: 'failed',
      failureReason: 'card_expired_or_canceled',
    });
    await rig.sandbox.drainWebhooks();

    const verifier = createSquareWebhookVerifier({ signatureKeys: ['retired-key', KEY] });
    const events = [];
    for (const delivery of received) {
      const signature = delivery.headers['x-square-hmacsha256-signature'] ?? '';
      const official = await WebhooksHelper.verifySignature({
        requestBody: delivery.rawBody,
        signatureHeader: signature,
        signatureKey: KEY,
        notificationUrl: delivery.url,
      });
      expect(official).toBe(true);
      events.push(await verifier.verify(delivery));
    }
    const refundEvents = events.filter((event) => event.event.kind === 'refund.updated');
    expect(refundEvents.map((event) => event.vendorType)).toEqual(['refund.created', 'refund.updated']);
    expect(refundEvents.at(-1)?.event).toMatchObject({
      kind: 'refund.updated',
      refund: {
        gatewayRefundId: refund.gatewayRefundId,
        paymentRef,
        status: 'failed',
        failureReason: 'card_expired_or_canceled',
        amount: money(3_000, 'USD'),
        metadata: { caseId: 'case_fail', idempotencyKey: refund.metadata.idempotencyKey },
      },
    });
    expect(events.some((event) => event.event.kind === 'payment.captured')).toBe(true);
    expect(new Set(events.map((event) => event.eventId)).size).toBe(events.length);
  });
});
