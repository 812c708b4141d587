import { randomUUID } from 'node:crypto';
import { PaymentsController } from '@paypal/paypal-server-sdk';
import { sql } from 'kysely';
import { SquareClient } from 'square';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPayPalClient } from '../server/src/connectors/paypal/paypal-client.js';
import { SQUARE_SIGNATURE_HEADER, signSquareWebhook } from '../server/src/connectors/square/square-signature.js';
import { formatStripeSignatureHeader } from '../server/src/connectors/stripe/stripe-signature.js';
import type { GatewayVendor } from '../server/src/gateways/gateway-credentials.js';
import { reconcileGateways } from '../server/src/gateways/gateway-reconcile.js';
import { formatDecimal } from '../server/src/money/money.js';
import type { PayPalSandbox } from '../server/src/sandboxes/paypal/paypal-sandbox.js';
import { GATEWAY_ENV, type GatewayRig, money, startGatewayRig, VENDORS, waitFor } from './gateways.fixture.js';
import { BACKENDS } from './support/databases.js';

/** The vendor's event id (the dedupe key) of a body built by refundEvent. */
function eventIdOf(body: string): string {
  const json = JSON.parse(body) as { id?: string; event_id?: string };
  return json.event_id ?? json.id ?? '';
}

/** A signed refund event for a refund made outside Refund Desk, in each vendor's own shape. */
function refundEvent(vendor: GatewayVendor, paymentRef: string, amount: number, currency: string) {
  const refundId = `${vendor}-refund-${randomUUID()}`;
  const now = new Date();
  if (vendor === 'stripe') {
    const created = Math.floor(now.getTime() / 1000);
    return JSON.stringify({
      id: `evt_${randomUUID().replaceAll('-', '')}`,
      object: 'event',
      type: 'refund.updated',
      created,
      data: {
        object: {
          id: `re_${randomUUID().replaceAll('-', '')}`,
          object: 'refund',
          amount,
          currency: currency.toLowerCase(),
          status: 'succeeded',
          payment_intent: paymentRef,
          metadata: {},
          created,
        },
      },
    });
  }
  if (vendor === 'square') {
    return JSON.stringify({
      merchant_id: 'MERCHANT',
      type: 'refund.updated',
      event_id: randomUUID(),
      created_at: now.toISOString(),
      data: {
        type: 'refund',
        id: refundId,
        object: {
          refund: {
            id: refundId,
            status: 'COMPLETED',
            amount_money: { amount, currency },
            payment_id: paymentRef,
            created_at: now.toISOString(),
            updated_at: now.toISOString(),
          },
        },
      },
    });
  }
  return JSON.stringify({
    id: `WH-${randomUUID()}`,
    event_version: '1.0',
    create_time: now.toISOString(),
    resource_type: 'refund',
    event_type: 'PAYMENT.CAPTURE.REFUNDED',
    summary: 'A refund was made',
    resource: {
      id: refundId,
      status: 'COMPLETED',
      amount: { currency_code: currency, value: formatDecimal(money(amount, currency)) },
      create_time: now.toISOString(),
      links: [{ href: `https://api.paypal.com/v2/payments/captures/${paymentRef}`, rel: 'up', method: 'GET' }],
    },
  });
}

describe.each(BACKENDS)('gateway webhooks on %s', (backend) => {
  let rig: GatewayRig;
  beforeAll(async () => {
    rig = await startGatewayRig(backend);
  });
  afterAll(async () => {
    await rig?.close();
  });

  const webhookUrl = (vendor: GatewayVendor) => `${rig.url}/webhooks/${vendor}/default`;
  /** The vendor's signature headers over exactly `body`. */
  function sign(vendor: GatewayVendor, body: string, options: { secret?: string; ageSeconds?: number } = {}) {
    if (vendor === 'stripe') {
      const t = Math.floor(Date.now() / 1000) - (options.ageSeconds ?? 0);
      return {
        'stripe-signature': formatStripeSignatureHeader(options.secret ?? GATEWAY_ENV.STRIPE_WEBHOOK_SECRET, t, body),
      };
    }
    if (vendor === 'square') {
      const key = options.secret ?? GATEWAY_ENV.SQUARE_WEBHOOK_SIGNATURE_KEY;
      return { [SQUARE_SIGNATURE_HEADER]: signSquareWebhook(key, webhookUrl('square'), body) };
    }
    const paypal = rig.setup.sandboxes.paypal?.sandbox as PayPalSandbox;
    return paypal.signWebhook(body, options.secret ?? GATEWAY_ENV.PAYPAL_WEBHOOK_ID);
  }
  const post = (vendor: GatewayVendor, body: string, headers: Record<string, string>, org = 'default') =>
    fetch(`${rig.url}/webhooks/${vendor}/${org}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  /** Rows recorded for this one event (sandboxes post their own events meanwhile). */
  const inboundCount = async (body: string) =>
    (await rig.ctx.db.selectFrom('inbound_events').select('id').where('event_id', '=', eventIdOf(body)).execute())
      .length;
  const sandboxOf = (vendor: GatewayVendor) => {
    const handle = rig.setup.sandboxes[vendor];
    if (!handle) throw new Error('not sandboxed');
    return handle;
  };

  // First in the suite: pg-boss hands this worker one job per polling interval, so a backlog would delay it.
  it('the queued gateway.event job applies an event when the fast path did not', async () => {
    const { paymentRef, payment } = await rig.payment('square', money(4_000, 'USD'));
    const body = refundEvent('square', paymentRef, 1_000, 'USD');
    // Record it as the route would, but leave it to the worker.
    const id = randomUUID();
    const { gatewayEventJob } = await import('../server/src/gateways/gateway-event-jobs.js');
    const verifier = await rig.setup.registry.verifierFor?.(rig.orgId, 'square');
    const verified = await verifier?.verify({
      rawBody: body,
      headers: sign('square', body),
      url: webhookUrl('square'),
    });
    await rig.ctx.db
      .insertInto('inbound_events')
      .values({
        id,
        org_id: rig.orgId,
        vendor: 'square',
        event_id: verified?.eventId ?? '',
        event_type: verified?.vendorType ?? '',
        payload: JSON.stringify({ event: verified?.event, body: JSON.parse(body) }),
      })
      .execute();
    await rig.ctx.queue.send(gatewayEventJob, { orgId: rig.orgId, inboundEventId: id });
    await waitFor('worker', async () => ((await rig.refundable(payment.id)) === 3_000 ? true : undefined), 20_000);
    const row = await rig.ctx.db
      .selectFrom('inbound_events')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.processed_at).not.toBeNull();
  });

  describe.each(VENDORS)('%s', (vendor) => {
    it('refuses a changed byte, a wrong secret and a missing signature with 401, writing nothing', async () => {
      const { paymentRef } = await rig.payment(vendor, money(5_000, 'USD'));
      const body = refundEvent(vendor, paymentRef, 700, 'USD');
      const tampered = body.replace('"status":"', '"status":"X');
      expect(tampered).not.toBe(body);
      const cases = [
        { name: 'one byte changed', response: await post(vendor, tampered, sign(vendor, body)) },
        { name: 'wrong secret', response: await post(vendor, body, sign(vendor, body, { secret: 'not-the-secret' })) },
        { name: 'no signature', response: await post(vendor, body, {}) },
      ];
      for (const { name, response } of cases) {
        expect(response.status, name).toBe(401);
        const answer = (await response.json()) as { error: { code: string } };
        expect(answer.error.code, name).toBe('invalid_signature');
      }
      expect(await inboundCount(body)).toBe(0);
      // The genuine one is accepted: the refusals above were about the signature, not the body.
      expect((await post(vendor, body, sign(vendor, body))).status).toBe(200);
      expect(await inboundCount(body)).toBe(1);
    });

    it('the same event 50 times at once: 200s, one inbound row, one ledger change', async () => {
      const { paymentRef, payment } = await rig.payment(vendor, money(9_000, 'USD'));
      const body = refundEvent(vendor, paymentRef, 1_500, 'USD');
      const headers = sign(vendor, body);
      const responses = await Promise.all(Array.from({ length: 50 }, () => post(vendor, body, headers)));
      const statuses = responses.map((r) => r.status);
      expect(
        statuses,
        JSON.stringify(await Promise.all(responses.filter((r) => r.status !== 200).map((r) => r.text()))),
      ).toEqual(Array(50).fill(200));
      const answers = (await Promise.all(responses.map((r) => r.json()))) as Array<{ duplicate?: boolean }>;
      expect(answers.filter((a) => a.duplicate !== true)).toHaveLength(1);
      expect(await inboundCount(body)).toBe(1);
      await waitFor('external refund', async () => ((await rig.refundable(payment.id)) === 7_500 ? true : undefined));
      const refunds = await rig.ctx.db.selectFrom('refunds').selectAll().where('payment_id', '=', payment.id).execute();
      expect(refunds.map((r) => [r.origin, r.state, r.amount])).toEqual([['external', 'succeeded', 1_500]]);
      const audits = await rig.ctx.db
        .selectFrom('audit_events')
        .select('id')
        .where('action', '=', 'refund.external_recorded')
        .where(sql<boolean>`data->>'paymentId' = ${payment.id}`)
        .execute();
      expect(audits).toHaveLength(1);
    });

    it('an out-of-band refund made at the sandbox through the official SDK lowers the refundable amount', async () => {
      const { paymentRef, payment } = await rig.payment(vendor, money(6_000, 'USD'));
      await refundOutOfBand(vendor, paymentRef, 2_000, 'USD');
      await sandboxOf(vendor).sandbox.drainWebhooks();
      await waitFor('webhook to record the refund', async () =>
        (await rig.refundable(payment.id)) === 4_000 ? true : undefined,
      );
    });

    it('when that webhook is lost, the reconcile job records the refund (once)', async () => {
      const { paymentRef, payment } = await rig.payment(vendor, money(6_000, 'USD'));
      sandboxOf(vendor).sandbox.setWebhookTarget(undefined);
      try {
        await refundOutOfBand(vendor, paymentRef, 2_500, 'USD');
      } finally {
        rig.setup.setWebhookBase(rig.url);
      }
      expect(await rig.refundable(payment.id)).toBe(6_000);
      const first = await reconcileGateways(rig.ctx, { orgId: rig.orgId });
      expect(first.externalRecorded).toBeGreaterThanOrEqual(1);
      expect(await rig.refundable(payment.id)).toBe(3_500);
      await reconcileGateways(rig.ctx, { orgId: rig.orgId });
      expect(await rig.refundable(payment.id)).toBe(3_500);
    });
  });

  it('Stripe: a timestamp 301 s old is refused as stale', async () => {
    const { paymentRef } = await rig.payment('stripe', money(5_000, 'USD'));
    const body = refundEvent('stripe', paymentRef, 100, 'USD');
    const response = await post('stripe', body, sign('stripe', body, { ageSeconds: 301 }));
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('stale_timestamp');
    expect(await inboundCount(body)).toBe(0);
  });

  it('unknown organisation → 404 without detail; malformed but signed → 400; unhandled types acknowledged', async () => {
    const body = JSON.stringify({ id: `evt_${Date.now()}`, type: 'customer.created', data: { object: {} } });
    const unknown = await post('stripe', body, sign('stripe', body), 'no-such-org');
    expect(unknown.status).toBe(404);
    expect(JSON.stringify(await unknown.json())).not.toContain('no-such-org');
    const malformed = '{"not":"an event"}';
    expect((await post('stripe', malformed, sign('stripe', malformed))).status).toBe(400);
    const ignored = await post('stripe', body, sign('stripe', body));
    expect(ignored.status).toBe(200);
    expect(await inboundCount(body)).toBe(1);
    const refunds = await rig.ctx.db.selectFrom('refunds').select('id').execute();
    expect((await post('stripe', body, sign('stripe', body))).status).toBe(200);
    expect(await rig.ctx.db.selectFrom('refunds').select('id').execute()).toHaveLength(refunds.length);
  });

  it('reconcile flags a succeeded ledger refund the gateway does not have, once, and lists it to auditors', async () => {
    const { payment } = await rig.payment('stripe', money(3_000, 'USD'));
    const ghost = randomUUID();
    await rig.ctx.db
      .insertInto('refunds')
      .values({
        id: ghost,
        org_id: rig.orgId,
        payment_id: payment.id,
        case_id: null,
        idempotency_key: `ghost-${ghost}`,
        gateway_refund_id: 're_ghost',
        amount: 500,
        currency: 'USD',
        state: 'succeeded',
        origin: 'refund_desk',
        tries: 1,
      })
      .execute();
    const first = await reconcileGateways(rig.ctx, { orgId: rig.orgId });
    expect(first.issues).toBeGreaterThanOrEqual(1);
    const again = await reconcileGateways(rig.ctx, { orgId: rig.orgId });
    expect(again.issues).toBe(0);
    const audits = await rig.ctx.db
      .selectFrom('audit_events')
      .select('data')
      .where('action', '=', 'reconcile.mismatch')
      .where(sql<boolean>`data->>'refundId' = ${ghost}`)
      .execute();
    expect(audits).toHaveLength(1);
    const token = (role: string) => rig.first.tokens.find((t) => t.role === role)?.token ?? '';
    const { createApp } = await import('../server/src/app.js');
    const app = createApp(rig.ctx);
    const list = await app.request('/api/v1/reconciliation/issues', {
      headers: { authorization: `Bearer ${token('auditor')}` },
    });
    expect(list.status).toBe(200);
    const { issues } = (await list.json()) as { issues: Array<{ refundId: string; kind: string }> };
    expect(issues.filter((i) => i.refundId === ghost).map((i) => i.kind)).toEqual(['missing_at_gateway']);
    const agent = await app.request('/api/v1/reconciliation/issues', {
      headers: { authorization: `Bearer ${token('agent')}` },
    });
    expect(agent.status).toBe(403);
  });

  describe.each(VENDORS)('%s amounts', (vendor) => {
    // PayPal does not take KWD (not in its currency list); Stripe and Square do.
    const currencies = vendor === 'paypal' ? ['JPY', 'USD', 'EUR'] : ['JPY', 'USD', 'EUR', 'KWD'];
    it.each(currencies)('%s round-trips exactly through the adapter', async (currency) => {
      const captured = currency === 'KWD' ? 12_340 : 12_345;
      const refunded = currency === 'KWD' ? 1_230 : 1_234;
      const { paymentRef, payment } = await rig.payment(vendor, money(captured, currency));
      expect([payment.amount, payment.currency]).toEqual([captured, currency]);
      const gateway = rig.setup.registry.forPayment(rig.orgId, vendor);
      const refund = await gateway.refund({
        paymentRef,
        amount: money(refunded, currency),
        reason: 'requested_by_customer',
        idempotencyKey: `amounts-${randomUUID()}`,
        metadata: {},
      });
      expect(refund.amount).toEqual(money(refunded, currency));
      expect(
        sandboxOf(vendor)
          .sandbox.refundsOf(paymentRef)
          .map((r) => r.amount),
      ).toEqual([refunded]);
      const read = await gateway.getPayment({ paymentRef });
      expect(read.amount).toEqual(money(captured, currency));
      expect(read.amountRefunded).toEqual(money(refunded, currency));
    });
  });

  async function refundOutOfBand(vendor: GatewayVendor, paymentRef: string, amount: number, currency: string) {
    const url = sandboxOf(vendor).url;
    if (vendor === 'stripe') {
      const { hostname, port } = new URL(url);
      const stripe = new Stripe(GATEWAY_ENV.STRIPE_SECRET_KEY, {
        host: hostname,
        port,
        protocol: 'http',
        maxNetworkRetries: 0,
      });
      await stripe.refunds.create({ payment_intent: paymentRef, amount });
    } else if (vendor === 'square') {
      const square = new SquareClient({ token: GATEWAY_ENV.SQUARE_ACCESS_TOKEN, baseUrl: url, maxRetries: 0 });
      await square.refunds.refundPayment({
        idempotencyKey: randomUUID(),
        paymentId: paymentRef,
        amountMoney: { amount: BigInt(amount), currency: currency as 'USD' },
      });
    } else {
      const { client } = createPayPalClient({
        clientId: GATEWAY_ENV.PAYPAL_CLIENT_ID,
        clientSecret: GATEWAY_ENV.PAYPAL_CLIENT_SECRET,
        baseUrl: url,
        environment: 'sandbox',
        timeoutMs: 5_000,
      });
      await new PaymentsController(client).refundCapturedPayment({
        captureId: paymentRef,
        paypalRequestId: randomUUID(),
        body: { amount: { currencyCode: currency, value: formatDecimal(money(amount, currency)) } },
      });
    }
  }
});
