import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../server/src/config.js';
import { buildContext } from '../server/src/context.js';
import { type Backend, openDatabase } from '../server/src/db/database.js';
import { migrateToLatest } from '../server/src/db/migrator.js';
import { staticGatewayRegistry } from '../server/src/gateways/gateway-registry.js';
import type { JobDefinition } from '../server/src/jobs/job-definition.js';
import { JobQueue } from '../server/src/jobs/job-queue.js';
import { upsertPayment } from '../server/src/ledger/payments.js';
import { money } from '../server/src/money/money.js';
import { createOrganisation, createStaff } from '../server/src/orgs/organisations.js';
import { approveCase } from '../server/src/refunds/case-transitions.js';
import { refundExecuteJob, refundResolveJob, refundSweepJob } from '../server/src/refunds/refund-jobs.js';
import { requestRefund } from '../server/src/refunds/request-refund.js';
import { type RunningSandbox, startSandboxServer } from '../server/src/sandboxes/sandbox-server.js';
import { createStripeSandbox } from '../server/src/sandboxes/stripe/stripe-sandbox.js';
import { BACKENDS, createPostgresDatabase } from './support/databases.js';

const ROOT = path.resolve(import.meta.dirname, '..');

function runChild(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/executor-process.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code, signal) => resolve({ code, signal, out }));
  });
}

describe.each(BACKENDS)('a process killed between the gateway success and the commit (%s)', (backend: Backend) => {
  let sandbox: RunningSandbox;
  const stripe = createStripeSandbox();
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    sandbox = await startSandboxServer(stripe.app);
    if (backend === 'postgres') {
      const pg = await createPostgresDatabase();
      env = { DATABASE_URL: pg.connectionString };
      cleanup = pg.drop;
    } else {
      const dir = await mkdtemp(path.join(tmpdir(), 'rd-crash-'));
      env = { DATA_DIR: dir, DATABASE_URL: '' };
      cleanup = () => rm(dir, { recursive: true, force: true });
    }
  });
  afterAll(async () => {
    await sandbox.close();
    await cleanup();
  });

  const open = () =>
    openDatabase(
      env['DATABASE_URL']
        ? { backend: 'postgres', connectionString: env['DATABASE_URL'] }
        : { backend: 'pglite', dataDir: env['DATA_DIR'] ?? '' },
    );

  it('restarts to one refund at the gateway and a succeeded case', async () => {
    const { paymentRef } = await stripe.createPayment({
      amount: money(90_000, 'USD'),
      email: 'crash@example.com',
      kind: 'card',
    });
    // set up an approved case, then close the database (the embedded one serves one process at a time)
    const setup = await open();
    await migrateToLatest(setup.db);
    const org = await createOrganisation(setup.db, { slug: 'crash', name: 'Crash clinic' });
    const { staff: agent } = await createStaff(setup.db, {
      orgId: org.id,
      name: 'Agent',
      email: 'agent@crash.test',
      role: 'agent',
    });
    const { staff: lead } = await createStaff(setup.db, {
      orgId: org.id,
      name: 'Lead',
      email: 'lead@crash.test',
      role: 'lead',
    });
    const { payment } = await setup.db.transaction().execute((trx) =>
      upsertPayment(trx, org.id, {
        gateway: 'stripe',
        gatewayPaymentId: paymentRef,
        amount: money(90_000, 'USD'),
        status: 'captured',
        capturedAt: new Date(),
        method: { type: 'card', expMonth: 12, expYear: 2099 },
        source: 'test',
      }),
    );
    const logger = pino({ level: 'silent' });
    const queue = new JobQueue(setup.executeSql, logger, { runMaintenance: false });
    await queue.start([refundExecuteJob, refundResolveJob, refundSweepJob] as JobDefinition<unknown>[]);
    const ctx = buildContext({
      config: parseConfig({}),
      logger,
      database: setup,
      queue,
      gateways: staticGatewayRegistry([]),
    });
    const { caseRow } = await requestRefund(ctx, {
      orgId: org.id,
      paymentId: payment.id,
      amount: money(60_000, 'USD'),
      reasonCode: 'product_return',
      source: 'api',
      requestedBy: agent.id,
    });
    expect(caseRow.state).toBe('pending_approval');
    await setup.db
      .transaction()
      .execute((trx) =>
        approveCase(
          trx,
          { caseRow, actor: { type: 'staff', id: lead.id }, at: new Date() },
          { staffId: lead.id, channel: 'api', evidence: null },
        ),
      );
    await queue.stop(1000);
    await setup.close();

    const crashed = await runChild(['execute', org.id, caseRow.id, sandbox.url], env);
    expect(crashed.signal, crashed.out).toBe('SIGKILL');
    expect(crashed.out).toContain('gateway answered');
    expect(stripe.refundsOf(paymentRef)).toHaveLength(1);

    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the attempt's lease runs out
    const recovered = await runChild(['recover', org.id, caseRow.id, sandbox.url], env);
    expect(recovered.code, recovered.out).toBe(0);
    expect(recovered.out).toContain(': settled');

    const after = await open();
    const finalCase = await after.db
      .selectFrom('refund_cases')
      .select(['state'])
      .where('id', '=', caseRow.id)
      .executeTakeFirstOrThrow();
    const refunds = await after.db
      .selectFrom('refunds')
      .select(['state', 'gateway_refund_id'])
      .where('case_id', '=', caseRow.id)
      .execute();
    await after.close();
    expect(finalCase.state).toBe('succeeded');
    expect(refunds).toHaveLength(1);
    expect(refunds[0]?.state).toBe('succeeded');
    const atGateway = stripe.refundsOf(paymentRef);
    expect(atGateway).toHaveLength(1);
    expect(refunds[0]?.gateway_refund_id).toBe(atGateway[0]?.gatewayRefundId);
  });
});
