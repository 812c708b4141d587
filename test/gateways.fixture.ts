/** Shared rig for test/gateways*.test.ts: a test context whose gateways are a real GatewaySetup (sandboxes on loopback). */
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { createApp } from '../server/src/app.js';
import type { AppContext, Clock } from '../server/src/context.js';
import { systemClock } from '../server/src/context.js';
import type { Backend } from '../server/src/db/database.js';
import type { PaymentRow } from '../server/src/db/schema.js';
import type { GatewayVendor } from '../server/src/gateways/gateway-credentials.js';
import { gatewayEventJob, gatewayEventWorker } from '../server/src/gateways/gateway-event-jobs.js';
import { gatewayReconcileJob } from '../server/src/gateways/gateway-reconcile.js';
import type { GatewayRegistry } from '../server/src/gateways/gateway-registry.js';
import { createGatewaySetup, type GatewaySetup } from '../server/src/gateways/gateway-setup.js';
import { drainFastPaths } from '../server/src/jobs/fast-path.js';
import type { JobDefinition } from '../server/src/jobs/job-definition.js';
import { upsertPayment } from '../server/src/ledger/payments.js';
import { remainingRefundable, reservedAmount } from '../server/src/ledger/refundable.js';
import { type Money, money } from '../server/src/money/money.js';
import { ensureDefaultOrganisation, type FirstStart } from '../server/src/orgs/seed.js';
import { refundExecuteJob, refundResolveJob, refundSweepJob } from '../server/src/refunds/refund-jobs.js';
import type { SandboxPaymentKind } from '../server/src/sandboxes/gateway-sandbox.js';
import { createTestContext, type TestContext } from './support/context.js';

/** Known secrets: with SANDBOX=true the sandboxes sign with these and accept these keys. */
export const GATEWAY_ENV = {
  SANDBOX: 'true',
  STRIPE_SECRET_KEY: 'sk_test_gatewaysuite',
  STRIPE_WEBHOOK_SECRET: 'whsec_gatewaysuite_secret',
  PAYPAL_CLIENT_ID: 'AZ-gateway-suite',
  PAYPAL_CLIENT_SECRET: 'EO-gateway-suite',
  PAYPAL_WEBHOOK_ID: 'WH-GATEWAY-SUITE',
  SQUARE_ACCESS_TOKEN: 'EAAA-gateway-suite',
  SQUARE_WEBHOOK_SIGNATURE_KEY: 'square-gateway-suite-key',
  EXECUTION_LEASE_SECONDS: '1',
  GATEWAY_TIMEOUT_MS: '2000',
} as const;

export const VENDORS: readonly GatewayVendor[] = ['stripe', 'paypal', 'square'];

const JOBS = [
  refundExecuteJob,
  refundResolveJob,
  refundSweepJob,
  gatewayEventJob,
  gatewayReconcileJob,
] as ReadonlyArray<JobDefinition<unknown>>;

export interface GatewayRig {
  readonly test: TestContext;
  readonly ctx: AppContext;
  readonly setup: GatewaySetup;
  readonly first: FirstStart;
  readonly orgId: string;
  /** The app on a real socket (sandboxes post webhooks to it). */
  readonly url: string;
  /** Creates a captured payment in a sandbox and records it in the ledger from what the adapter reads back. */
  payment(
    vendor: GatewayVendor,
    amount: Money,
    kind?: SandboxPaymentKind,
  ): Promise<{ paymentRef: string; payment: PaymentRow }>;
  refundable(paymentId: string): Promise<number>;
  close(): Promise<void>;
}

let emails = 0;

export async function startGatewayRig(
  backend: Backend,
  options: { readonly env?: Record<string, string>; readonly clock?: Clock } = {},
): Promise<GatewayRig> {
  let registry: GatewayRegistry | undefined;
  const forwarding: GatewayRegistry = {
    forPayment: (orgId, gateway) => (registry as GatewayRegistry).forPayment(orgId, gateway),
    verifierFor: async (orgId, gateway) => registry?.verifierFor?.(orgId, gateway),
    invalidate: (orgId, gateway) => registry?.invalidate?.(orgId, gateway),
  };
  const test = await createTestContext(backend, {
    gateways: forwarding,
    jobs: JOBS,
    clock: options.clock ?? systemClock,
    env: { ...GATEWAY_ENV, ...options.env },
  });
  const { ctx } = test;
  const setup = await createGatewaySetup(ctx.config, { db: ctx.db, logger: ctx.logger });
  registry = setup.registry;
  const first = await ensureDefaultOrganisation(ctx.db, {});
  const app = createApp(ctx, {
    sandboxUrls: Object.fromEntries(Object.entries(setup.sandboxes).map(([v, s]) => [v, s.url])),
  });
  const { server, url } = await new Promise<{ server: ServerType; url: string }>((resolve) => {
    const running = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) =>
      resolve({ server: running, url: `http://127.0.0.1:${info.port}` }),
    );
  });
  setup.setWebhookBase(url);
  // The durable path runs beside the webhook fast path, as in production (both are idempotent).
  await gatewayEventWorker().register(ctx);
  const orgId = first.orgId;

  return {
    test,
    ctx,
    setup,
    first,
    orgId,
    url,
    async payment(vendor, amount, kind = 'card') {
      const handle = setup.sandboxes[vendor];
      if (!handle) throw new Error(`${vendor} is not sandboxed`);
      emails += 1;
      const email = `customer${emails}-${Date.now()}@example.com`;
      const { paymentRef } = await handle.sandbox.createPayment({ amount, email, name: 'Test Customer', kind });
      const read = await setup.registry.forPayment(orgId, vendor).getPayment({ paymentRef });
      const { payment } = await ctx.db.transaction().execute((trx) =>
        upsertPayment(trx, orgId, {
          gateway: vendor,
          gatewayPaymentId: paymentRef,
          amount: read.amount,
          status: 'captured',
          capturedAt: read.capturedAt,
          method: read.method,
          customer: { email, name: 'Test Customer' },
          source: 'test',
        }),
      );
      return { paymentRef, payment };
    },
    async refundable(paymentId) {
      const payment = await ctx.db
        .selectFrom('payments')
        .selectAll()
        .where('id', '=', paymentId)
        .executeTakeFirstOrThrow();
      return remainingRefundable(payment, await reservedAmount(ctx.db, payment)).amount;
    },
    async close() {
      for (const vendor of VENDORS) setup.sandboxes[vendor]?.sandbox.setWebhookTarget(undefined);
      await drainFastPaths();
      await new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      });
      await setup.close();
      await test.close();
    },
  };
}

/** Polls until `check` returns a value that is not undefined, or fails with `what`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export { money };
