import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { money } from '../../money/money.js';
import type { WebhookRequest } from '../../ports/gateway-webhook.js';
import { WebhookVerificationError } from '../../ports/gateway-webhook.js';
import { type RunningSandbox, startSandboxServer } from '../../sandboxes/sandbox-server.js';
import { createPayPalGateway } from './paypal-gateway.js';
import { type PayPalFixture, startPayPalFixture, TEST_CREDENTIALS } from './paypal-test-fixture.js';
import { createPayPalWebhookVerifier, type PayPalWebhookVerifierConfig } from './paypal-webhook.js';

const WEBHOOK_ID = '8PT597110X687430LKGECATA';
const OLD_WEBHOOK_ID = '1JE4291016473214C';

let fixture: PayPalFixture;
let receiver: RunningSandbox;
const received: WebhookRequest[] = [];

beforeAll(async () => {
  fixture = await startPayPalFixture({ refundFailureDelayMs: 30 });
  const app = new Hono();
  app.post('/webhooks/paypal', async (c) => {
    const headers = Object.fromEntries([...c.req.raw.headers].map(([k, v]) => [k.toLowerCase(), v]));
    received.push({ rawBody: await c.req.text(), headers, url: c.req.url });
    return c.body(null, 200);
  });
  receiver = await startSandboxServer(app);
  fixture.sandbox.setWebhookTarget({ url: `${receiver.url}/webhooks/paypal`, secret: WEBHOOK_ID });
});
afterAll(async () => {
  await fixture.server.close();
  await receiver.close();
});

function verifier(overrides: Partial<PayPalWebhookVerifierConfig> = {}) {
  return createPayPalWebhookVerifier({
    ...TEST_CREDENTIALS,
    webhookId: WEBHOOK_ID,
    baseUrl: fixture.server.url,
    timeoutMs: 2000,
    ...overrides,
  });
}

/** A webhook signed by the sandbox exactly as PayPal signs, for a body of the test's making. */
function signed(body: string, webhookId = WEBHOOK_ID, at = new Date()): WebhookRequest {
  return {
    rawBody: body,
    headers: fixture.sandbox.signWebhook(body, webhookId, at),
    url: `${receiver.url}/webhooks/paypal`,
  };
}

async function verificationError(promise: Promise<unknown>): Promise<WebhookVerificationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return error as WebhookVerificationError;
}

function deliveriesOf(eventType: string): WebhookRequest[] {
  return received.filter((r) => (JSON.parse(r.rawBody) as { event_type: string }).event_type === eventType);
}

describe('PayPal webhooks from the sandbox to our verifier', () => {
  it('delivers a refund that fails on a refund-fails card as pending, then failed with card_expired_or_canceled', async () => {
    const gateway = createPayPalGateway({ ...TEST_CREDENTIALS, baseUrl: fixture.server.url, timeoutMs: 800 });
    const { paymentRef } = await fixture.sandbox.createPayment({
      amount: money(5000, 'USD'),
      email: 'f@example.com',
      kind: 'card_refund_fails',
    });
    const key = `att_${randomUUID()}`;
    const refund = await gateway.refund({
      paymentRef,
      amount: money(2000, 'USD'),
      reason: 'requested_by_customer',
      idempotencyKey: key,
      metadata: { caseId: 'case_7' },
    });
    expect(refund.status).toBe('pending');
    await expect
      .poll(async () => (await gateway.getRefund({ gatewayRefundId: refund.gatewayRefundId })).status)
      .toBe('failed');
    await fixture.sandbox.drainWebhooks();
    const failed = deliveriesOf('PAYMENT.REFUND.FAILED').find((r) => r.rawBody.includes(refund.gatewayRefundId));
    expect(failed).toBeDefined();
    const verified = await verifier().verify(failed!);
    expect(verified.eventId).toMatch(/^WH-/);
    expect(verified.event).toEqual({
      kind: 'refund.updated',
      refund: expect.objectContaining({
        gatewayRefundId: refund.gatewayRefundId,
        paymentRef,
        amount: { amount: 2000, currency: 'USD' },
        status: 'failed',
        failureReason: 'card_expired_or_canceled',
        metadata: { caseId: 'case_7', idempotencyKey: key },
      }),
    });
    const pending = deliveriesOf('PAYMENT.REFUND.PENDING').find((r) => r.rawBody.includes(refund.gatewayRefundId));
    const pendingEvent = (await verifier().verify(pending!)).event;
    expect(pendingEvent.kind === 'refund.updated' && pendingEvent.refund.status).toBe('pending');
  });

  it('maps PAYMENT.CAPTURE.COMPLETED to payment.captured', async () => {
    const { paymentRef } = await fixture.sandbox.createPayment({ amount: money(990, 'EUR'), email: 'c@example.com' });
    await fixture.sandbox.drainWebhooks();
    const delivery = deliveriesOf('PAYMENT.CAPTURE.COMPLETED').find((r) => r.rawBody.includes(paymentRef));
    const verified = await verifier().verify(delivery!);
    expect(verified.event).toMatchObject({
      kind: 'payment.captured',
      payment: { paymentRef, amount: { amount: 990, currency: 'EUR' } },
    });
  });

  it('refuses a body with one byte changed', async () => {
    const body = JSON.stringify({
      id: 'WH-1',
      event_type: 'PAYMENT.CAPTURE.COMPLETED',
      resource: { id: 'X', amount: { currency_code: 'USD', value: '10.00' } },
    });
    const request = signed(body);
    const tampered = { ...request, rawBody: request.rawBody.replace('10.00', '90.00') };
    expect((await verificationError(verifier().verify(tampered))).code).toBe('invalid_signature');
  });

  it('refuses a webhook signed for another webhook id and accepts either id during rotation', async () => {
    const body = JSON.stringify({ id: 'WH-2', event_type: 'BILLING.PLAN.CREATED', resource: {} });
    const wrong = verifier({ webhookId: 'WH-SOMEONE-ELSE' });
    expect((await verificationError(wrong.verify(signed(body)))).code).toBe('invalid_signature');
    const rotating = verifier({ webhookId: [OLD_WEBHOOK_ID, WEBHOOK_ID] });
    expect((await rotating.verify(signed(body, OLD_WEBHOOK_ID))).event).toEqual({
      kind: 'ignored',
      vendorType: 'BILLING.PLAN.CREATED',
    });
    expect((await rotating.verify(signed(body, WEBHOOK_ID))).eventId).toBe('WH-2');
  });

  it('refuses a transmission time more than 300 s away', async () => {
    const sentAt = new Date('2026-03-01T10:00:00Z');
    const request = signed(JSON.stringify({ id: 'WH-3', event_type: 'X.Y', resource: {} }), WEBHOOK_ID, sentAt);
    const late = verifier({ now: () => sentAt.getTime() + 301_000 });
    expect((await verificationError(late.verify(request))).code).toBe('stale_timestamp');
    const inTime = verifier({ now: () => sentAt.getTime() + 299_000 });
    expect((await inTime.verify(request)).eventId).toBe('WH-3');
  });

  it('refuses missing headers, a foreign cert URL before any call, and a body that is not JSON', async () => {
    const request = signed(JSON.stringify({ id: 'WH-4', event_type: 'X.Y' }));
    const { 'paypal-transmission-sig': _dropped, ...withoutSig } = request.headers;
    expect((await verificationError(verifier().verify({ ...request, headers: withoutSig }))).code).toBe(
      'missing_signature',
    );
    const foreign = {
      ...request,
      headers: { ...request.headers, 'paypal-cert-url': 'https://paypal.com.evil.example/cert' },
    };
    const unreachable = verifier({ baseUrl: 'http://127.0.0.1:9' });
    expect((await verificationError(unreachable.verify(foreign))).code).toBe('invalid_signature');
    expect((await verificationError(verifier().verify(signed('{"id": "WH-5",')))).code).toBe('malformed_payload');
  });

  it('refuses a signed refund event whose resource cannot be read', async () => {
    const body = JSON.stringify({
      id: 'WH-6',
      event_type: 'PAYMENT.CAPTURE.REFUNDED',
      resource_type: 'refund',
      resource: { id: 'R1' },
    });
    expect((await verificationError(verifier().verify(signed(body)))).code).toBe('malformed_payload');
  });
});
