import { Hono } from 'hono';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { money } from '../../money/money.js';
import { type VerifiedWebhook, WebhookVerificationError } from '../../ports/gateway-webhook.js';
import { type RunningSandbox, startSandboxServer } from '../../sandboxes/sandbox-server.js';
import { createStripeGateway } from './stripe-gateway.js';
import {
  payWithPaymentIntent,
  type RunningStripeSandbox,
  startStripeSandbox,
  TEST_SECRET_KEY,
} from './stripe-testing.js';
import { createStripeWebhookVerifier } from './stripe-webhook.js';

const SECRET = 'whsec_test_current';
const OLD_SECRET = 'whsec_test_previous';
const NOW_MS = 1_790_000_000_000;
const sdk = new Stripe('sk_test_unused');

const refundEvent = JSON.stringify({
  id: 'evt_1',
  object: 'event',
  type: 'refund.updated',
  created: NOW_MS / 1000,
  livemode: false,
  data: {
    object: {
      id: 're_1',
      object: 'refund',
      amount: 1500,
      currency: 'jpy',
      created: NOW_MS / 1000,
      status: 'failed',
      failure_reason: 'lost_or_stolen_card',
      metadata: { case_id: 'c9' },
      charge: 'ch_1',
      payment_intent: 'pi_1',
    },
  },
});

function signed(body: string, secret = SECRET, timestamp = NOW_MS / 1000) {
  const header = sdk.webhooks.generateTestHeaderString({ payload: body, secret, timestamp });
  return { rawBody: body, headers: { 'stripe-signature': header }, url: 'https://desk.example/webhooks/stripe' };
}

async function rejection(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return (error as WebhookVerificationError).code;
}

describe('createStripeWebhookVerifier', () => {
  const verifier = createStripeWebhookVerifier({ secrets: [SECRET, OLD_SECRET], now: () => NOW_MS });

  it('accepts a header made by the official SDK and maps a refund event with its failure reason', async () => {
    const verified = await verifier.verify(signed(refundEvent));
    expect(verified).toMatchObject({ gateway: 'stripe', eventId: 'evt_1', vendorType: 'refund.updated' });
    expect(verified.event).toEqual({
      kind: 'refund.updated',
      refund: {
        gatewayRefundId: 're_1',
        paymentRef: 'pi_1',
        amount: money(1500, 'JPY'),
        status: 'failed',
        failureReason: 'card_lost_or_stolen',
        metadata: { case_id: 'c9' },
        createdAt: new Date(NOW_MS),
      },
    });
  });

  it('accepts the rotated (old) secret and any matching v1 among several', async () => {
    expect((await verifier.verify(signed(refundEvent, OLD_SECRET))).eventId).toBe('evt_1');
    const good = signed(refundEvent).headers['stripe-signature'];
    const header = `t=${NOW_MS / 1000},v1=${'0'.repeat(64)},${good.split(',')[1]}`;
    expect((await verifier.verify({ ...signed(refundEvent), headers: { 'stripe-signature': header } })).eventId).toBe(
      'evt_1',
    );
  });

  it('refuses one changed byte, a wrong secret, and a missing or empty header', async () => {
    const tampered = { ...signed(refundEvent), rawBody: refundEvent.replace('1500', '1600') };
    expect(await rejection(verifier.verify(tampered))).toBe('invalid_signature');
    expect(await rejection(verifier.verify(signed(refundEvent, 'whsec_other')))).toBe('invalid_signature');
    expect(await rejection(verifier.verify({ ...signed(refundEvent), headers: {} }))).toBe('missing_signature');
    const noV1 = { ...signed(refundEvent), headers: { 'stripe-signature': `t=${NOW_MS / 1000}` } };
    expect(await rejection(verifier.verify(noV1))).toBe('invalid_signature');
  });

  it('refuses a timestamp 301 s old but accepts one 299 s old', async () => {
    expect(await rejection(verifier.verify(signed(refundEvent, SECRET, NOW_MS / 1000 - 301)))).toBe('stale_timestamp');
    expect((await verifier.verify(signed(refundEvent, SECRET, NOW_MS / 1000 - 299))).eventId).toBe('evt_1');
  });

  it('refuses signed bodies that are not JSON events and ignores unrelated event types', async () => {
    expect(await rejection(verifier.verify(signed('{not json')))).toBe('malformed_payload');
    expect(await rejection(verifier.verify(signed('{"id":"evt_2"}')))).toBe('malformed_payload');
    const other = JSON.stringify({ id: 'evt_3', type: 'customer.created', data: { object: { id: 'cus_1' } } });
    expect((await verifier.verify(signed(other))).event).toEqual({ kind: 'ignored', vendorType: 'customer.created' });
  });

  it('refuses construction without secrets', () => {
    expect(() => createStripeWebhookVerifier({ secrets: [] })).toThrow(/secrets/);
  });
});

describe('Stripe sandbox webhooks end to end', () => {
  let running: RunningStripeSandbox;
  let receiver: RunningSandbox;
  const received: VerifiedWebhook[] = [];
  const refusals: string[] = [];
  const verifier = createStripeWebhookVerifier({ secrets: [SECRET] });

  beforeAll(async () => {
    const app = new Hono();
    app.post('/webhooks/stripe', async (c) => {
      const rawBody = await c.req.text();
      const headers = Object.fromEntries([...c.req.raw.headers.entries()]);
      try {
        // The official SDK must accept what the sandbox signs, exactly as it accepts Stripe's.
        sdk.webhooks.constructEvent(rawBody, headers['stripe-signature'] ?? '', SECRET);
        received.push(await verifier.verify({ rawBody, headers, url: c.req.url }));
        return c.body(null, 204);
      } catch (error) {
        refusals.push(String(error));
        return c.body(null, 401);
      }
    });
    receiver = await startSandboxServer(app);
    running = await startStripeSandbox({
      webhookUrl: `${receiver.url}/webhooks/stripe`,
      webhookSecret: SECRET,
      refundFailAfterMs: 50,
    });
  });
  afterAll(async () => {
    await running.server.close();
    await receiver.close();
  });

  it('a refund on the refund-fail card goes pending, then failed, with signed refund webhooks', async () => {
    const gateway = createStripeGateway({ secretKey: TEST_SECRET_KEY, baseUrl: running.server.url, timeoutMs: 800 });
    const paid = await payWithPaymentIntent(running.stripe, {
      amount: 3000,
      currency: 'usd',
      email: 'fail@example.com',
      paymentMethod: 'pm_card_refundFail',
    });
    const refund = await gateway.refund({
      paymentRef: paid.paymentIntentId,
      amount: money(3000, 'USD'),
      reason: 'requested_by_customer',
      idempotencyKey: 'fail-1',
      metadata: { case_id: 'case-fail' },
    });
    expect(refund.status).toBe('pending');
    const deadline = Date.now() + 3000;
    while ((await gateway.getRefund(refund)).status === 'pending' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await running.sandbox.drainWebhooks();
    expect(await gateway.getRefund(refund)).toMatchObject({
      status: 'failed',
      failureReason: 'card_expired_or_canceled',
    });
    expect(refusals).toEqual([]);
    const types = received.map((webhook) => webhook.vendorType);
    expect(types).toEqual(expect.arrayContaining(['payment_intent.succeeded', 'refund.created', 'refund.failed']));
    const failed = received.find((webhook) => webhook.vendorType === 'refund.failed');
    expect(failed?.event).toMatchObject({
      kind: 'refund.updated',
      refund: {
        gatewayRefundId: refund.gatewayRefundId,
        paymentRef: paid.paymentIntentId,
        status: 'failed',
        failureReason: 'card_expired_or_canceled',
        metadata: { case_id: 'case-fail' },
      },
    });
    const captured = received.find((webhook) => webhook.vendorType === 'charge.succeeded');
    expect(captured?.event).toMatchObject({ kind: 'payment.captured', payment: { paymentRef: paid.paymentIntentId } });
    expect(new Set(received.map((webhook) => webhook.eventId)).size).toBe(received.length);
  });
});
