/**
 * A whole desk in this process for the Slack and Teams tests: boot with the Slack integration,
 * the refund workers and a memory gateway; the Slack and Teams sandboxes on their own loopback
 * origins; everything reached over real HTTP (sandbox controls, /slack/events, /approve).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bootDesk, type RunningDesk } from '../../server/src/boot.js';
import { parseConfig } from '../../server/src/config.js';
import { MemoryGateway } from '../../server/src/connectors/memory/memory-gateway.js';
import type { Backend } from '../../server/src/db/database.js';
import type { StaffRole } from '../../server/src/db/schema.js';
import { staticGatewayRegistry } from '../../server/src/gateways/gateway-registry.js';
import { upsertPayment } from '../../server/src/ledger/payments.js';
import { money } from '../../server/src/money/money.js';
import { refundWorkers } from '../../server/src/refunds/refund-workers.js';
import { requestRefund } from '../../server/src/refunds/request-refund.js';
import { deliverToApp, type SlackBody } from '../../server/src/sandboxes/slack/slack-payloads-wire.js';
import { createSlackIntegration, sandboxSlackUserId } from '../../server/src/slack/slack-integration.js';
import { TestClock } from './context.js';
import { createPostgresDatabase } from './databases.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const TEAM_ID = 'TSANDBOX01';

export interface SlackDesk {
  readonly desk: RunningDesk;
  readonly clock: TestClock;
  readonly orgId: string;
  readonly url: string;
  readonly slackUrl: string;
  readonly teamsUrl: string;
  readonly staff: Readonly<
    Record<StaffRole, { id: string; name: string; email: string; token: string; slackId: string }>
  >;
  /** Opens a case for `amountCents` USD requested by `requester`; a 1,200.00 case needs a lead, 3,000.00 a manager. */
  openCase(amountCents: number, requester?: StaffRole, note?: string): Promise<{ id: string; reference: string }>;
  // biome-ignore lint/suspicious/noExplicitAny: sandbox JSON
  sandbox(pathname: string, body?: unknown): Promise<any>;
  deliver(body: SlackBody, options?: Parameters<typeof deliverToApp>[3]): Promise<Response>;
  caseState(caseId: string): Promise<string>;
  auditActions(
    caseId: string | null,
    action?: string,
  ): Promise<Array<{ action: string; data: Record<string, unknown> }>>;
  close(): Promise<void>;
}

export async function startSlackDesk(backend: Backend, env: Record<string, string> = {}): Promise<SlackDesk> {
  let dbEnv: Record<string, string>;
  let cleanup: () => Promise<void>;
  if (backend === 'postgres') {
    const pg = await createPostgresDatabase();
    dbEnv = { DATABASE_URL: pg.connectionString };
    cleanup = pg.drop;
  } else {
    const dir = await mkdtemp(path.join(tmpdir(), 'rd-slack-'));
    dbEnv = { DATA_DIR: dir };
    cleanup = () => rm(dir, { recursive: true, force: true });
  }
  const clock = new TestClock(new Date());
  const gateway = new MemoryGateway();
  const config = parseConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    SANDBOX: 'true',
    DEMO_DATA: 'false',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    ...dbEnv,
    ...env,
  });
  const desk = await bootDesk({
    config,
    clock,
    gateways: staticGatewayRegistry([gateway]),
    workers: refundWorkers(),
    integrations: [createSlackIntegration],
    caseEventIntervalMs: 50,
  });
  const db = desk.ctx.db;
  const orgId = desk.firstStart?.orgId as string;
  const tokens = desk.firstStart?.tokens ?? [];
  const staff = {} as Record<StaffRole, { id: string; name: string; email: string; token: string; slackId: string }>;
  for (const row of await db.selectFrom('staff').selectAll().where('org_id', '=', orgId).execute()) {
    const token = tokens.find((t) => t.email === row.email)?.token ?? '';
    staff[row.role] = { id: row.id, name: row.name, email: row.email, token, slackId: sandboxSlackUserId(row.email) };
  }
  const url = desk.url as string;
  const slackUrl = desk.sandboxes['slack'] as string;
  const teamsUrl = desk.sandboxes['teams'] as string;
  let paymentNo = 0;
  return {
    desk,
    clock,
    orgId,
    url,
    slackUrl,
    teamsUrl,
    staff,
    async openCase(amountCents, requester = 'agent', note) {
      paymentNo += 1;
      const capturedAt = new Date(clock.now().getTime() - 86_400_000);
      const email = `pat${paymentNo}@example.com`;
      const gp = gateway.addPayment({ amount: money(amountCents * 2, 'USD'), capturedAt, email });
      const { payment } = await db.transaction().execute((trx) =>
        upsertPayment(trx, orgId, {
          gateway: 'memory',
          gatewayPaymentId: gp.paymentRef,
          amount: money(amountCents * 2, 'USD'),
          status: 'captured',
          capturedAt,
          method: { type: 'card', brand: 'visa', last4: '4242', expMonth: 12, expYear: 2099, funding: 'credit' },
          customer: { email, name: 'Pat Example' },
          source: 'test',
        }),
      );
      const { caseRow } = await requestRefund(desk.ctx, {
        orgId,
        paymentId: payment.id,
        amount: money(amountCents, 'USD'),
        reasonCode: 'product_return',
        note,
        source: 'api',
        ticket: { system: 'zendesk', ref: String(1000 + paymentNo) },
        requestedBy: staff[requester].id,
      });
      return { id: caseRow.id, reference: caseRow.reference };
    },
    async sandbox(pathname, body) {
      const base = pathname.startsWith('teams:') ? teamsUrl : slackUrl;
      const response = await fetch(`${base}${pathname.replace(/^teams:/, '')}`, {
        method: body === undefined ? 'GET' : 'POST',
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      return response.json();
    },
    deliver: (body, options) => deliverToApp(`${url}/slack/events`, SIGNING_SECRET, body, options),
    async caseState(caseId) {
      const row = await db
        .selectFrom('refund_cases')
        .select('state')
        .where('id', '=', caseId)
        .executeTakeFirstOrThrow();
      return row.state;
    },
    async auditActions(caseId, action) {
      let query = db.selectFrom('audit_events').select(['action', 'data']).where('org_id', '=', orgId);
      query = caseId === null ? query.where('case_id', 'is', null) : query.where('case_id', '=', caseId);
      if (action) query = query.where('action', '=', action);
      return query.orderBy('seq', 'asc').execute();
    },
    async close() {
      await desk.stop();
      await cleanup();
    },
  };
}
