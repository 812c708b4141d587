import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../server/src/app.js';
import { parseConfig } from '../server/src/config.js';
import { formatStripeSignatureHeader } from '../server/src/connectors/stripe/stripe-signature.js';
import { seedDemoPayments } from '../server/src/gateways/demo-data.js';
import { createGatewaySetup } from '../server/src/gateways/gateway-setup.js';
import { createOrganisation, createStaff } from '../server/src/orgs/organisations.js';
import { requestRefund } from '../server/src/refunds/request-refund.js';
import { resolveRefund } from '../server/src/refunds/resolve-refund.js';
import { GATEWAY_ENV, type GatewayRig, money, startGatewayRig, VENDORS, waitFor } from './gateways.fixture.js';
import { BACKENDS } from './support/databases.js';

/** Amounts in each vendor's usual currency, all under the 500.00 auto-approval tier. */
const CURRENCY = { stripe: 'USD', paypal: 'EUR', square: 'USD' } as const;

describe.each(BACKENDS)('gateways through the engine on %s', (backend) => {
  let rig: GatewayRig;
  beforeAll(async () => {
    rig = await startGatewayRig(backend);
  });
  afterAll(async () => {
    await rig?.close();
  });
  afterEach(() => {
    // A fault a failed test did not use must not leak into the next one.
    for (const vendor of VENDORS) rig.setup.sandboxes[vendor]?.sandbox.clearFaults();
  });

  const open = (paymentId: string, amount: number, currency: string) =>
    requestRefund(rig.ctx, {
      orgId: rig.orgId,
      paymentId,
      amount: money(amount, currency),
      reasonCode: 'missed_appointment',
      source: 'api',
      requestedBy: null,
    });
  const caseIn = (caseId: string, states: readonly string[]) =>
    waitFor(`case in ${states.join('/')}`, async () => {
      const row = await rig.ctx.db
        .selectFrom('refund_cases')
        .selectAll()
        .where('id', '=', caseId)
        .executeTakeFirstOrThrow();
      return states.includes(row.state) ? row : undefined;
    });
  const refundOf = (caseId: string, states: readonly string[]) =>
    waitFor(`refund in ${states.join('/')}`, async () => {
      const row = await rig.ctx.db.selectFrom('refunds').selectAll().where('case_id', '=', caseId).executeTakeFirst();
      return row && states.includes(row.state) ? row : undefined;
    });
  const sandboxOf = (vendor: (typeof VENDORS)[number]) => {
    const handle = rig.setup.sandboxes[vendor];
    if (!handle) throw new Error('not sandboxed');
    return handle.sandbox;
  };

  describe.each(VENDORS)('%s', (vendor) => {
    const currency = CURRENCY[vendor];

    it('refunds once: the case succeeds and the sandbox holds exactly one refund', async () => {
      const { paymentRef, payment } = await rig.payment(vendor, money(10_000, currency));
      const { caseRow } = await open(payment.id, 2_500, currency);
      expect(caseRow.state).toBe('approved');
      await caseIn(caseRow.id, ['succeeded']);
      const refunds = sandboxOf(vendor).refundsOf(paymentRef);
      expect(refunds).toHaveLength(1);
      expect(refunds[0]?.amount).toBe(2_500);
      expect(await rig.refundable(payment.id)).toBe(7_500);
    });

    it('a dropped response leaves the refund unknown; the janitor finds it without sending it again', async () => {
      const { paymentRef, payment } = await rig.payment(vendor, money(8_000, currency));
      // No webhook either: only the janitor can learn what happened.
      sandboxOf(vendor).setWebhookTarget(undefined);
      try {
        sandboxOf(vendor).injectFaults({ kind: 'drop_response' });
        const { caseRow } = await open(payment.id, 3_000, currency);
        const unknown = await refundOf(caseRow.id, ['unknown']);
        expect(sandboxOf(vendor).refundsOf(paymentRef)).toHaveLength(1); // applied, answer lost
        expect(await resolveRefund(rig.ctx, { orgId: rig.orgId, refundId: unknown.id })).toBe('settled');
        await caseIn(caseRow.id, ['succeeded']);
        expect(sandboxOf(vendor).refundsOf(paymentRef)).toHaveLength(1);
      } finally {
        rig.setup.setWebhookBase(rig.url);
      }
    });

    it('a 429 leaves the refund unknown; the retry with the same key makes exactly one refund', async () => {
      const { paymentRef, payment } = await rig.payment(vendor, money(6_000, currency));
      sandboxOf(vendor).injectFaults({ kind: 'http_429', retryAfterSeconds: 1 });
      const { caseRow } = await open(payment.id, 1_000, currency);
      const unknown = await refundOf(caseRow.id, ['unknown']);
      expect(sandboxOf(vendor).refundsOf(paymentRef)).toHaveLength(0);
      expect(await resolveRefund(rig.ctx, { orgId: rig.orgId, refundId: unknown.id })).toBe('settled');
      await caseIn(caseRow.id, ['succeeded']);
      const refunds = sandboxOf(vendor).refundsOf(paymentRef);
      expect(refunds).toHaveLength(1);
      const settled = await rig.ctx.db
        .selectFrom('refunds')
        .selectAll()
        .where('id', '=', unknown.id)
        .executeTakeFirstOrThrow();
      expect(settled.idempotency_key).toBe(unknown.idempotency_key);
      expect(settled.gateway_refund_id).toBe(refunds[0]?.gatewayRefundId);
    });

    it('the refund-fails card: pending, then the sandbox webhook sends the case to exceptions', async () => {
      const { payment } = await rig.payment(vendor, money(4_000, currency), 'card_refund_fails');
      const { caseRow } = await open(payment.id, 4_000, currency);
      const exception = await caseIn(caseRow.id, ['exception']);
      expect(exception.exception_reason).toBe('card_expired_or_canceled');
      const refund = await refundOf(caseRow.id, ['failed']);
      expect(refund.failure_reason).toBe('card_expired_or_canceled');
      expect(await rig.refundable(payment.id)).toBe(4_000);
      const events = await rig.ctx.db
        .selectFrom('inbound_events')
        .select(['event_type', 'processed_at'])
        .where('vendor', '=', vendor)
        .execute();
      expect(events.length).toBeGreaterThan(0);
    });
  });

  it('Stripe charge_already_refunded: exception at once, no retry, no second refund', async () => {
    const { paymentRef, payment } = await rig.payment('stripe', money(5_000, 'USD'));
    const url = new URL(rig.setup.sandboxes.stripe?.url ?? '');
    const sdk = new Stripe(GATEWAY_ENV.STRIPE_SECRET_KEY, {
      host: url.hostname,
      port: url.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    rig.setup.sandboxes.stripe?.sandbox.setWebhookTarget(undefined); // the ledger does not hear of it
    await sdk.refunds.create({ payment_intent: paymentRef });
    rig.setup.setWebhookBase(rig.url);
    expect(sandboxOf('stripe').refundsOf(paymentRef)).toHaveLength(1);
    const { caseRow } = await open(payment.id, 1_000, 'USD');
    const exception = await caseIn(caseRow.id, ['exception']);
    expect(exception.exception_reason).toBe('already_refunded');
    const refunds = await rig.ctx.db.selectFrom('refunds').selectAll().where('case_id', '=', caseRow.id).execute();
    expect(refunds.map((r) => [r.state, r.tries])).toEqual([['failed', 1]]);
    expect(refunds[0]?.next_check_at).toBeNull();
    expect(sandboxOf('stripe').refundsOf(paymentRef)).toHaveLength(1);
    expect(await resolveRefund(rig.ctx, { orgId: rig.orgId, refundId: refunds[0]?.id ?? '' })).toBe('skipped');
    expect(sandboxOf('stripe').refundsOf(paymentRef)).toHaveLength(1);
  });

  it('Square card-present Interac debit: recorded as card-present debit from the adapter', async () => {
    const { payment } = await rig.payment('square', money(2_500, 'CAD'), 'debit_card_present');
    expect(payment.card_present).toBe(true);
    expect(payment.funding).toBe('debit');
  });
});

describe.each(BACKENDS)('gateway modes, settings and demo data on %s', (backend) => {
  let rig: GatewayRig;
  beforeAll(async () => {
    rig = await startGatewayRig(backend, { env: { SECRETS_KEY: Buffer.alloc(32, 7).toString('base64') } });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('without credentials every vendor is a sandbox; with a key that vendor goes live', async () => {
    const empty = await createGatewaySetup(parseConfig({}), { db: rig.ctx.db, logger: rig.ctx.logger });
    try {
      expect(Object.keys(empty.sandboxes).sort()).toEqual(['paypal', 'square', 'stripe']);
      expect([...empty.verifiers.keys()].sort()).toEqual(['paypal', 'square', 'stripe']);
      for (const handle of Object.values(empty.sandboxes)) expect(handle.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await empty.close();
    }
    const live = await createGatewaySetup(parseConfig({ STRIPE_SECRET_KEY: 'sk_live_x1' }), {
      db: rig.ctx.db,
      logger: rig.ctx.logger,
    });
    try {
      expect(Object.keys(live.sandboxes).sort()).toEqual(['paypal', 'square']);
      expect(live.verifiers.has('stripe')).toBe(false); // no STRIPE_WEBHOOK_SECRET: no verifier
      expect(live.webhookUrl('stripe')).toBeUndefined();
      live.setWebhookBase('http://127.0.0.1:9');
      expect(live.webhookUrl('square')).toBe('http://127.0.0.1:9/webhooks/square/default');
    } finally {
      await live.close();
    }
  });

  it('GET /sandbox lists the sandbox origins, and is 404 without sandboxes', async () => {
    const response = await fetch(`${rig.url}/sandbox`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, string>;
    expect(body).toEqual({
      stripe: rig.setup.sandboxes.stripe?.url,
      paypal: rig.setup.sandboxes.paypal?.url,
      square: rig.setup.sandboxes.square?.url,
    });
    expect((await createApp(rig.ctx).request('/sandbox')).status).toBe(404);
  });

  it('stores another organisation’s credentials encrypted, never echoes them, and verifies its webhooks with them', async () => {
    const other = await createOrganisation(rig.ctx.db, { slug: `clinic-${Date.now()}`, name: 'Clinic' });
    const admin = await createStaff(rig.ctx.db, {
      orgId: other.id,
      name: 'Admin',
      email: 'a@clinic.test',
      role: 'admin',
    });
    const agent = await createStaff(rig.ctx.db, {
      orgId: other.id,
      name: 'Agent',
      email: 'g@clinic.test',
      role: 'agent',
    });
    const app = createApp(rig.ctx);
    const put = (token: string, body: unknown) =>
      app.request('/api/v1/gateways/stripe', {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const credentials = { secretKey: 'sk_live_clinicsecret123', webhookSecret: 'whsec_clinic_only' };
    expect((await put(agent.token, credentials)).status).toBe(403);
    expect((await put(admin.token, { secretKey: 'nope' })).status).toBe(400);
    const stored = await put(admin.token, credentials);
    expect(stored.status).toBe(200);
    const text = await stored.text();
    expect(text).not.toContain('sk_live_clinicsecret123');
    expect(text).not.toContain('whsec_clinic_only');
    const row = await rig.ctx.db
      .selectFrom('gateway_settings')
      .selectAll()
      .where('org_id', '=', other.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain('clinicsecret');

    const body = JSON.stringify({ id: `evt_${Date.now()}`, type: 'customer.created', data: { object: {} } });
    const post = (secret: string) =>
      app.request(`/webhooks/stripe/${other.slug}`, {
        method: 'POST',
        headers: { 'stripe-signature': formatStripeSignatureHeader(secret, Math.floor(Date.now() / 1000), body) },
        body,
      });
    expect((await post(GATEWAY_ENV.STRIPE_WEBHOOK_SECRET)).status).toBe(401); // the default org's secret
    expect((await post('whsec_clinic_only')).status).toBe(200);
    // The default organisation's gateways come from the environment.
    const defaultAdmin = rig.first.tokens.find((t) => t.role === 'admin')?.token ?? '';
    expect((await put(defaultAdmin, credentials)).status).toBe(409);
  });

  it('refuses to store credentials without SECRETS_KEY, and then serves only the default organisation', async () => {
    const plain = await startGatewayRig(backend);
    try {
      const other = await createOrganisation(plain.ctx.db, { slug: `plain-${Date.now()}`, name: 'Plain' });
      const admin = await createStaff(plain.ctx.db, {
        orgId: other.id,
        name: 'A',
        email: 'a@plain.test',
        role: 'admin',
      });
      const response = await createApp(plain.ctx).request('/api/v1/gateways/square', {
        method: 'PUT',
        headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ accessToken: 'EAAA-x' }),
      });
      expect(response.status).toBe(409);
      await expect(plain.setup.registry.forPayment(other.id, 'square').getPayment({ paymentRef: 'x' })).rejects.toThrow(
        /no square gateway/,
      );
      expect(await plain.setup.registry.verifierFor?.(other.id, 'square')).toBeUndefined();
    } finally {
      await plain.close();
    }
  });

  it('demo data: payments created in each sandbox and recorded in the ledger from the adapters', async () => {
    // As at boot: demo data is seeded before the sandboxes know where to post webhooks.
    for (const vendor of VENDORS) rig.setup.sandboxes[vendor]?.sandbox.setWebhookTarget(undefined);
    const seeded = await seedDemoPayments({
      db: rig.ctx.db,
      orgId: rig.orgId,
      registry: rig.setup.registry,
      sandboxes: rig.setup.sandboxes,
      logger: rig.ctx.logger,
    });
    rig.setup.setWebhookBase(rig.url);
    expect(seeded).toBe(10);
    const rows = await rig.ctx.db.selectFrom('payments').selectAll().where('source', '=', 'demo').execute();
    expect(rows).toHaveLength(10);
    expect(new Set(rows.map((r) => r.currency))).toEqual(new Set(['USD', 'EUR', 'JPY', 'CAD']));
    const interac = rows.find((r) => r.gateway === 'square' && r.card_present);
    expect(interac?.funding).toBe('debit');
    for (const row of rows) {
      const handle = rig.setup.sandboxes[row.gateway as 'stripe'];
      const read = await rig.setup.registry
        .forPayment(rig.orgId, row.gateway)
        .getPayment({ paymentRef: row.gateway_payment_id });
      expect(read.amount).toEqual(money(row.amount, row.currency));
      expect(handle).toBeDefined();
    }
    const customers = await rig.ctx.db
      .selectFrom('customers')
      .select('email')
      .where('email', '=', 'ada@example.com')
      .execute();
    expect(customers).toHaveLength(1);
  });
});
