/**
 * A child process for crash tests: opens the database, then either executes one case with a
 * Stripe adapter that SIGKILLs this process the moment the gateway has answered (before our
 * commit), or recovers (sweep + janitor) as a restarted server would.
 *
 *   node --import tsx test/support/executor-process.ts <execute|recover> <orgId> <caseId> <stripeUrl>
 *   env: DATABASE_URL (PostgreSQL) or DATA_DIR (embedded)
 */
import pino from 'pino';
import { parseConfig } from '../../server/src/config.js';
import { createStripeGateway } from '../../server/src/connectors/stripe/stripe-gateway.js';

import { buildContext } from '../../server/src/context.js';
import { openDatabase } from '../../server/src/db/database.js';
import { staticGatewayRegistry } from '../../server/src/gateways/gateway-registry.js';
import type { JobDefinition } from '../../server/src/jobs/job-definition.js';
import { JobQueue } from '../../server/src/jobs/job-queue.js';

import type { PaymentGateway } from '../../server/src/ports/payment-gateway.js';
import { executeCase } from '../../server/src/refunds/execute-refund.js';
import { refundExecuteJob, refundResolveJob, refundSweepJob } from '../../server/src/refunds/refund-jobs.js';
import { resolveRefund } from '../../server/src/refunds/resolve-refund.js';

const [mode, orgId, caseId, stripeUrl] = process.argv.slice(2);
if (!mode || !orgId || !caseId || !stripeUrl)
  throw new Error('usage: executor-process <execute|recover> <orgId> <caseId> <stripeUrl>');

const config = parseConfig({ ...process.env, LOG_LEVEL: 'silent', EXECUTION_LEASE_SECONDS: '1' });
const database = await openDatabase(
  config.DATABASE_URL
    ? { backend: 'postgres', connectionString: config.DATABASE_URL }
    : { backend: 'pglite', dataDir: config.dataDir },
);
const logger = pino({ level: 'silent' });
const queue = new JobQueue(database.executeSql, logger, { runMaintenance: false });
await queue.start([refundExecuteJob, refundResolveJob, refundSweepJob] as JobDefinition<unknown>[]);
const stripe = createStripeGateway({ secretKey: 'sk_test_crash', baseUrl: stripeUrl, timeoutMs: 5_000 });
const gateway: PaymentGateway =
  mode === 'execute'
    ? {
        ...stripe,
        name: stripe.name,
        refund: async (input) => {
          const refund = await stripe.refund(input);
          process.stdout.write(`gateway answered ${refund.gatewayRefundId}\n`);
          process.kill(process.pid, 'SIGKILL'); // die between the gateway's success and our commit
          return refund;
        },
      }
    : stripe;
const ctx = buildContext({ config, logger, database, queue, gateways: staticGatewayRegistry([gateway]) });

if (mode === 'execute') {
  await executeCase(ctx, { orgId, caseId });
  process.stdout.write('execute returned without dying\n');
} else {
  const stale = await ctx.db
    .selectFrom('refunds')
    .select('id')
    .where('case_id', '=', caseId)
    .where('state', 'in', ['reserved', 'unknown'])
    .execute();
  for (const refund of stale)
    process.stdout.write(`resolve ${refund.id}: ${await resolveRefund(ctx, { orgId, refundId: refund.id })}\n`);
}
await queue.stop(1000);
await database.close();
process.exit(0);
