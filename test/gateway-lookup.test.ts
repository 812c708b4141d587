/**
 * Issue 19.9: eligibility asks the gateways (on request, and when the ledger knows no payment of the
 * customer) and records what they hold; PayPal captures are recorded with their payer, read from the
 * order. Through the official SDKs against the sandboxes.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../server/src/app.js';
import { createPayPalGateway } from '../server/src/connectors/paypal/paypal-gateway.js';
import { createStripeGateway } from '../server/src/connectors/stripe/stripe-gateway.js';
import type { AppContext } from '../server/src/context.js';
import type { GatewayRegistry } from '../server/src/gateways/gateway-registry.js';
import type { GatewayRefundReason } from '../server/src/ports/payment-gateway.js';
import { type GatewayRig, money, startGatewayRig, VENDORS, waitFor } from './gateways.fixture.js';
import { BACKENDS } from './support/databases.js';

const CURRENCY = { stripe: 'USD', paypal: 'EUR', square: 'USD' } as const;

interface LookupBody {
  customer: { id: string; name: string | null } | null;
  payments: Array<{ paymentId: string; gatewayPaymentId: string; gateway: string; refundable: { minor: number } }>;
  lookup: {
    performed: boolean;
    trigger: string | null;
    skipped: string | null;
    gateways: Array<{ gateway: string; status: string; found: number; recorded: number; message?: string }>;
  };
}

describe.each(BACKENDS)('payments looked up at the gateways on %s', (backend) => {
  let rig: GatewayRig;
  let agent: string;
  beforeAll(async () => {
    rig = await startGatewayRig(backend);
    agent = rig.first.tokens.find((t) => t.role === 'agent')?.token ?? '';
  });
  afterAll(async () => {
    await rig?.close();
  });

  const eligibility = async (query: string, ctx: AppContext = rig.ctx) => {
    const response = await createApp(ctx).request(`/api/v1/eligibility?${query}`, {
      headers: { authorization: `Bearer ${agent}` },
    });
    return { status: response.status, body: (await response.json()) as LookupBody };
  };
  const sandboxOf = (vendor: (typeof VENDORS)[number]) => {
    const handle = rig.setup.sandboxes[vendor];
    if (!handle) throw new Error('not sandboxed');
    return handle.sandbox;
  };
  /** Payments taken before the desk was installed: the gateway has them, the ledger never heard. */
  const takenBeforeInstall = async <T>(work: () => Promise<T>): Promise<T> => {
    for (const vendor of VENDORS) sandboxOf(vendor).setWebhookTarget(undefined);
    try {
      return await work();
    } finally {
      rig.setup.setWebhookBase(rig.url);
    }
  };
  const ledgerPayment = (gatewayPaymentId: string) =>
    rig.ctx.db
      .selectFrom('payments')
      .leftJoin('customers', 'customers.id', 'payments.customer_id')
      .select(['payments.id', 'payments.source', 'customers.email', 'customers.name'])
      .where('payments.gateway_payment_id', '=', gatewayPaymentId)
      .executeTakeFirst();

  it('a PayPal capture is recorded with its payer, read from the order, so eligibility by email finds it', async () => {
    const email = `paypal-payer-${randomUUID().slice(0, 8)}@example.com`;
    const { paymentRef } = await sandboxOf('paypal').createPayment({
      amount: money(4_200, 'EUR'),
      email,
      name: 'Grace Hopper',
    });
    const recorded = await waitFor('the capture event recorded', async () => {
      const row = await ledgerPayment(paymentRef);
      return row?.source === 'gateway_webhook' ? row : undefined;
    });
    expect(recorded).toMatchObject({ email, name: 'Grace Hopper' });
    const answer = await eligibility(`email=${encodeURIComponent(email)}&lookup=ledger`);
    expect(answer.status).toBe(200);
    expect(answer.body.payments.map((p) => p.gatewayPaymentId)).toEqual([paymentRef]);
    expect(answer.body.lookup).toEqual({ performed: false, trigger: null, skipped: 'not_requested', gateways: [] });
  });

  describe.each(VENDORS)('%s', (vendor) => {
    const currency = CURRENCY[vendor];

    it('no payment in the ledger: eligibility asks the gateways, records the payment with the refund made there, once', async () => {
      const email = `before-install-${vendor}-${randomUUID().slice(0, 8)}@example.com`;
      const paymentRef = await takenBeforeInstall(async () => {
        const { paymentRef } = await sandboxOf(vendor).createPayment({
          amount: money(10_000, currency),
          email,
          name: 'Early Customer',
        });
        const reason: GatewayRefundReason = 'requested_by_customer';
        await rig.setup.registry.forPayment(rig.orgId, vendor).refund({
          paymentRef,
          amount: money(2_500, currency),
          reason,
          idempotencyKey: `outside-${randomUUID().slice(0, 8)}`,
          metadata: {},
        });
        return paymentRef;
      });
      expect(await ledgerPayment(paymentRef)).toBeUndefined();

      const first = await eligibility(`email=${encodeURIComponent(email)}`);
      expect(first.status).toBe(200);
      expect(first.body.lookup).toMatchObject({ performed: true, trigger: 'no_ledger_match', skipped: null });
      expect(first.body.lookup.gateways.map((g) => g.gateway).sort()).toEqual([...VENDORS].sort());
      for (const asked of first.body.lookup.gateways) {
        expect(asked).toMatchObject(
          asked.gateway === vendor ? { status: 'ok', found: 1, recorded: 1 } : { status: 'ok', found: 0, recorded: 0 },
        );
      }
      expect(first.body.customer).toMatchObject({ name: 'Early Customer' });
      expect(first.body.payments).toEqual([
        expect.objectContaining({
          gateway: vendor,
          gatewayPaymentId: paymentRef,
          refundable: expect.objectContaining({ minor: 7_500 }),
        }),
      ]);
      expect(await ledgerPayment(paymentRef)).toMatchObject({ source: 'gateway_lookup', email });

      const again = await eligibility(`email=${encodeURIComponent(email)}`);
      expect(again.body.lookup).toEqual({ performed: false, trigger: null, skipped: 'ledger_match', gateways: [] });
      const asked = await eligibility(`email=${encodeURIComponent(email)}&lookup=gateway`);
      expect(asked.body.lookup).toMatchObject({ performed: true, trigger: 'requested' });
      expect(asked.body.lookup.gateways.find((g) => g.gateway === vendor)).toMatchObject({ found: 1, recorded: 0 });
      expect(asked.body.payments).toHaveLength(1);
      const refunds = await rig.ctx.db
        .selectFrom('refunds')
        .select(['origin', 'amount', 'state'])
        .where('payment_id', '=', first.body.payments[0]?.paymentId ?? '')
        .execute();
      expect(refunds).toEqual([{ origin: 'external', amount: 2_500, state: 'succeeded' }]);
    });
  });

  it('a gateway that is down or silent never fails the answer: each is reported, the others still found', async () => {
    const email = `partial-${randomUUID().slice(0, 8)}@example.com`;
    const { paymentRef } = await takenBeforeInstall(() =>
      sandboxOf('square').createPayment({ amount: money(3_000, 'USD'), email, name: 'Half Found' }),
    );
    const silent = await silentServer();
    const refused = await closedPort();
    try {
      const down = createStripeGateway({
        secretKey: 'sk_test_down',
        baseUrl: `http://127.0.0.1:${refused}`,
        timeoutMs: 10_000,
      });
      const slow = createPayPalGateway({
        clientId: 'id',
        clientSecret: 'secret',
        baseUrl: `http://127.0.0.1:${silent.port}`,
        timeoutMs: 60_000,
      });
      const gateways: GatewayRegistry = {
        forPayment: (orgId, name) =>
          name === 'stripe' ? down : name === 'paypal' ? slow : rig.setup.registry.forPayment(orgId, name),
      };
      const answer = await eligibility(`email=${encodeURIComponent(email)}`, { ...rig.ctx, gateways });
      expect(answer.status).toBe(200);
      const byGateway = Object.fromEntries(answer.body.lookup.gateways.map((g) => [g.gateway, g]));
      expect(byGateway['stripe']).toMatchObject({
        status: 'unavailable',
        found: 0,
        message: expect.stringMatching(/^unavailable/),
      });
      expect(byGateway['paypal']).toMatchObject({ status: 'timeout', found: 0 });
      expect(byGateway['square']).toMatchObject({ status: 'ok', found: 1, recorded: 1 });
      expect(answer.body.payments.map((p) => p.gatewayPaymentId)).toEqual([paymentRef]);
    } finally {
      await silent.close();
    }
  });

  it('asks by email only, and refuses an unknown lookup mode', async () => {
    const byPhone = await eligibility('phone=%2B15551234567&lookup=gateway');
    expect(byPhone.status).toBe(200);
    expect(byPhone.body).toMatchObject({ customer: null, payments: [] });
    expect(byPhone.body.lookup).toEqual({ performed: false, trigger: null, skipped: 'email_needed', gateways: [] });
    const bad = await eligibility('email=a%40example.com&lookup=everywhere');
    expect(bad.status).toBe(400);
  });
});

/** A TCP server that accepts connections and never answers. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on (connection refused). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}
