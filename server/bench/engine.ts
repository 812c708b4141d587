import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { parseConfig } from '../src/config.js';
import { MemoryGateway } from '../src/connectors/memory/memory-gateway.js';
import { buildContext } from '../src/context.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { staticGatewayRegistry } from '../src/gateways/gateway-registry.js';
import { drainFastPaths } from '../src/jobs/fast-path.js';
import type { JobDefinition } from '../src/jobs/job-definition.js';
import { JobQueue } from '../src/jobs/job-queue.js';
import { upsertPayment } from '../src/ledger/payments.js';
import { money } from '../src/money/money.js';
import { createOrganisation, createStaff } from '../src/orgs/organisations.js';
import { approve } from '../src/refunds/decide-case.js';
import { executeCase } from '../src/refunds/execute-refund.js';
import { refundExecuteJob, refundResolveJob, refundSweepJob } from '../src/refunds/refund-jobs.js';
import { requestRefund } from '../src/refunds/request-refund.js';
import { formatSummary, runConcurrent, summarise } from './measure.js';

/**
 * create + approve + execute N cases against the in-memory gateway on real PostgreSQL, beside the
 * bare inserts the same work needs (case, refund, six audit rows, one job) in the same run.
 */
export async function benchEngine(options: {
  adminUrl: string;
  cases: number;
  concurrency: number;
}): Promise<string[]> {
  const name = `rd_bench_${randomUUID().slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: options.adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(options.adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ backend: 'postgres', connectionString: url.toString(), poolSize: 20 });
  const lines: string[] = [];
  try {
    await migrateToLatest(database.db);
    const logger = pino({ level: 'silent' });
    const queue = new JobQueue(database.executeSql, logger, { runMaintenance: false });
    await queue.start([refundExecuteJob, refundResolveJob, refundSweepJob] as JobDefinition<unknown>[]);
    const gateway = new MemoryGateway();
    const ctx = buildContext({
      config: parseConfig({ LOG_LEVEL: 'silent' }),
      logger,
      database,
      queue,
      gateways: staticGatewayRegistry([gateway]),
    });
    const org = await createOrganisation(database.db, { slug: 'bench', name: 'Bench' });
    const { staff: agent } = await createStaff(database.db, {
      orgId: org.id,
      name: 'Agent',
      email: 'a@bench.test',
      role: 'agent',
    });
    const { staff: lead } = await createStaff(database.db, {
      orgId: org.id,
      name: 'Lead',
      email: 'l@bench.test',
      role: 'lead',
    });
    await database.db
      .updateTable('approval_policies')
      .set({ policy: JSON.stringify({ tiers: [{ currency: 'USD', autoApproveBelow: 100, leadUpTo: 10_000_000 }] }) })
      .execute();
    const payments: string[] = [];
    for (let i = 0; i < options.cases; i++) {
      const gp = gateway.addPayment({ amount: money(100_000, 'USD') });
      const { payment } = await database.db.transaction().execute((trx) =>
        upsertPayment(trx, org.id, {
          gateway: 'memory',
          gatewayPaymentId: gp.paymentRef,
          amount: money(100_000, 'USD'),
          status: 'captured',
          capturedAt: new Date(),
          method: { type: 'card', expMonth: 12, expYear: 2099 },
          source: 'bench',
        }),
      );
      payments.push(payment.id);
    }
    const principal = {
      orgId: org.id,
      staffId: lead.id,
      role: 'lead' as const,
      name: 'Lead',
      email: 'l@bench.test',
      channel: 'api',
      proof: 'cli' as const,
    };

    const engine = await runConcurrent(options.cases, options.concurrency, async (i) => {
      const { caseRow } = await requestRefund(ctx, {
        orgId: org.id,
        paymentId: payments[i] ?? '',
        amount: money(60_000, 'USD'),
        reasonCode: 'product_return',
        source: 'api',
        requestedBy: agent.id,
      });
      await approve(ctx, { principal, caseId: caseRow.id });
      await executeCase(ctx, { orgId: org.id, caseId: caseRow.id });
    });
    await drainFastPaths();
    const succeeded = await database.db
      .selectFrom('refund_cases')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '=', 'succeeded')
      .executeTakeFirstOrThrow();

    const bare = await runConcurrent(options.cases, options.concurrency, async (i) => {
      await database.db.transaction().execute(async (trx) => {
        const caseId = randomUUID();
        await trx
          .insertInto('refund_cases')
          .values({
            id: caseId,
            org_id: org.id,
            reference: `RD-B${i}-${caseId.slice(0, 6)}`,
            payment_id: payments[i] ?? '',
            amount: 60_000,
            currency: 'USD',
            reason_code: 'product_return',
            state: 'succeeded',
            source: 'api',
            eligibility: '{}',
          })
          .execute();
        await trx
          .insertInto('refunds')
          .values({
            id: randomUUID(),
            org_id: org.id,
            payment_id: payments[i] ?? '',
            case_id: caseId,
            amount: 1,
            currency: 'USD',
            state: 'succeeded',
            origin: 'external',
          })
          .execute();
        for (let a = 0; a < 6; a++) {
          await trx
            .insertInto('audit_events')
            .values({
              org_id: org.id,
              seq: 1_000_000 + i * 10 + a,
              case_id: caseId,
              actor_type: 'system',
              action: 'bench',
              data: '{}',
              created_at: new Date(),
              prev_hash: '',
              hash: '',
            })
            .execute();
        }
        await sql`insert into pgboss.job (name, data) values ('refund.execute', '{}')`.execute(trx);
      });
    });
    const engineSummary = summarise(engine.samples, engine.wallMs);
    const bareSummary = summarise(bare.samples, bare.wallMs);
    lines.push(`engine: create + approve + execute, in-memory gateway, PostgreSQL, concurrency ${options.concurrency}`);
    lines.push(formatSummary('  refund cases (end to end)', engineSummary));
    lines.push(formatSummary('  bare inserts of the same rows', bareSummary));
    lines.push(
      `  ratio bare/engine throughput: ${(bareSummary.perSecond / engineSummary.perSecond).toFixed(2)}x   (succeeded ${succeeded.n}/${options.cases}, gateway calls ${gateway.calls})`,
    );
    await queue.stop(1000);
  } finally {
    await database.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
  return lines;
}
