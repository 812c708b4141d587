import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createApp } from '../../server/src/app.js';
import { MemoryGateway } from '../../server/src/connectors/memory/memory-gateway.js';
import type { AppContext } from '../../server/src/context.js';
import type { Backend } from '../../server/src/db/database.js';
import { dispatchCaseEvents } from '../../server/src/events/case-events.js';
import { staticGatewayRegistry } from '../../server/src/gateways/gateway-registry.js';
import { drainFastPaths } from '../../server/src/jobs/fast-path.js';
import { upsertPayment } from '../../server/src/ledger/payments.js';
import { type Money, money } from '../../server/src/money/money.js';
import { setConsent, setContactLocale } from '../../server/src/notifications/contact-preferences.js';
import { deliverStage } from '../../server/src/notifications/deliver-stage.js';
import type { Stage } from '../../server/src/notifications/message-templates.js';
import { notificationsConsumer } from '../../server/src/notifications/notification-consumer.js';
import { NOTIFICATION_JOBS } from '../../server/src/notifications/notification-jobs.js';
import {
  createNotificationsIntegration,
  type NotificationsIntegration,
} from '../../server/src/notifications/notifications-integration.js';
import { createStaff } from '../../server/src/orgs/organisations.js';
import { refundExecuteJob, refundResolveJob, refundSweepJob } from '../../server/src/refunds/refund-jobs.js';
import { type RunningSandbox, startSandboxServer } from '../../server/src/sandboxes/sandbox-server.js';
import { createTestContext, TestClock } from './context.js';
import { type EngineFixture, withOrganisation } from './engine-fixtures.js';

export const TWILIO_SID = `AC${'1'.repeat(32)}`;
export const TWILIO_TOKEN = 'twilio-test-auth-token';

export interface NotificationsFixture extends EngineFixture {
  readonly integration: NotificationsIntegration;
  readonly server: RunningSandbox;
  readonly adminToken: string;
  /** Hands new case events to the notifications consumer. */
  dispatch(): Promise<void>;
  /** Runs every queued delivery job not run yet — each twice, concurrently (a retry racing the first run). */
  runDeliveries(): Promise<Array<{ caseId: string; stage: Stage }>>;
  /** Waits for the sandboxes' callbacks and the webhook fast paths. */
  settle(): Promise<void>;
  /** A captured payment of a customer with these contact facts; returns payment and customer ids. */
  addCustomer(input: {
    readonly name?: string;
    readonly email?: string | null;
    readonly phone?: string | null;
    readonly smsConsent?: boolean;
    readonly locale?: string;
    readonly amount?: Money;
    readonly description?: string;
  }): Promise<{ paymentId: string; customerId: string; paymentRef: string }>;
  notifications(
    caseId: string,
  ): Promise<Array<{ stage: string; channel: string; status: string; error_code: string | null }>>;
}

/** The notifications area on a test database: org `default`, sandboxes, the app on a real socket. */
export async function createNotificationsFixture(
  backend: Backend,
  options: { readonly env?: Record<string, string> } = {},
): Promise<NotificationsFixture> {
  const gateway = new MemoryGateway();
  const clock = new TestClock(new Date());
  const t = await createTestContext(backend, {
    gateways: staticGatewayRegistry([gateway]),
    clock,
    jobs: [refundExecuteJob, refundResolveJob, refundSweepJob, ...NOTIFICATION_JOBS].map((j) => j as never),
    env: {
      TWILIO_ACCOUNT_SID: TWILIO_SID,
      TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
      TWILIO_FROM: '+15005550006',
      NOTIFY_SEND_WINDOW: '00:00-00:00',
      ...options.env,
    },
  });
  const engine = await withOrganisation(t, gateway, clock, 'default');
  const integration = await createNotificationsIntegration({
    config: t.ctx.config,
    db: t.ctx.db,
    logger: t.ctx.logger,
    clock,
    startSandboxes: true,
  });
  const server = await startSandboxServer(createApp(t.ctx, { integrations: [integration] }) as never);
  integration.setWebhookBase?.(server.url);
  const { token: adminToken } = await createStaff(t.ctx.db, {
    orgId: engine.orgId,
    name: 'Notifications Admin',
    email: 'notify-admin@default.test',
    role: 'admin',
  });
  const ran = new Set<string>();
  return {
    ...engine,
    integration,
    server,
    adminToken,
    close: async () => {
      await drainFastPaths();
      await server.close();
      await integration.close?.();
      await t.close();
    },
    async dispatch() {
      await drainFastPaths();
      await dispatchCaseEvents(t.ctx, [notificationsConsumer]);
    },
    async runDeliveries() {
      const done: Array<{ caseId: string; stage: Stage }> = [];
      // a job whose earlier stage is still on its way throws and is retried, as the queue would
      for (let round = 0; round < 8; round++) {
        const jobs = await sql<{ id: string; data: { orgId: string; caseId: string; stage: Stage } }>`
          select id, data from pgboss.job where name = 'notifications.deliver' order by created_on, id`.execute(
          t.ctx.db,
        );
        const fresh = jobs.rows.filter((job) => !ran.has(job.id));
        if (fresh.length === 0) break;
        for (const job of fresh) {
          const runs = await Promise.allSettled([
            deliverStage(t.ctx, integration.runtime, job.data),
            deliverStage(t.ctx, integration.runtime, job.data),
          ]);
          if (runs.some((r) => r.status === 'fulfilled')) {
            ran.add(job.id);
            done.push({ caseId: job.data.caseId, stage: job.data.stage });
          }
        }
      }
      return done;
    },
    async settle() {
      await integration.twilioSandbox?.settled();
      await integration.sendgridSandbox?.settled();
      await drainFastPaths();
    },
    async addCustomer(input) {
      const amount = input.amount ?? money(10_000, 'USD');
      const email = input.email === undefined ? `${randomUUID().slice(0, 8)}@patients.test` : input.email;
      const gp = gateway.addPayment({
        amount,
        capturedAt: new Date(clock.now().getTime() - 24 * 3600 * 1000),
        email: email ?? 'nobody@patients.test',
      });
      const { payment } = await t.ctx.db.transaction().execute((trx) =>
        upsertPayment(trx, engine.orgId, {
          gateway: 'memory',
          gatewayPaymentId: gp.paymentRef,
          amount,
          status: 'captured',
          capturedAt: new Date(clock.now().getTime() - 24 * 3600 * 1000),
          method: { type: 'card', brand: 'visa', last4: '4242', expMonth: 12, expYear: 2099, funding: 'credit' },
          customer: { email, phone: input.phone ?? null, name: input.name ?? 'Pat Example' },
          description: input.description,
          source: 'test',
        }),
      );
      const customerId = payment.customer_id as string;
      await t.ctx.db.transaction().execute(async (trx) => {
        if (input.smsConsent)
          await setConsent(trx, {
            orgId: engine.orgId,
            customerId,
            channel: 'sms',
            state: 'granted',
            source: 'test',
            at: clock.now(),
          });
        if (input.locale)
          await setContactLocale(trx, { orgId: engine.orgId, customerId, locale: input.locale, at: clock.now() });
      });
      return { paymentId: payment.id, customerId, paymentRef: gp.paymentRef };
    },
    notifications: (caseId) =>
      t.ctx.db
        .selectFrom('notifications')
        .select(['stage', 'channel', 'status', 'error_code'])
        .where('case_id', '=', caseId)
        .orderBy('created_at')
        .orderBy('stage')
        .execute(),
  };
}

export type { AppContext };
