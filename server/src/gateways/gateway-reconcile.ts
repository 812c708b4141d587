import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import { appendAudit } from '../audit/audit-log.js';
import type { WorkerRegistration } from '../boot.js';
import type { AppContext } from '../context.js';
import type { Database, PaymentRow, RefundRow } from '../db/schema.js';
import { defineJob, type JobDefinition } from '../jobs/job-definition.js';
import type { GatewayRefund } from '../ports/payment-gateway.js';
import { attemptKeysOf } from '../refunds/resolve-refund.js';
import { applyGatewayRefund } from './gateway-refund-sync.js';

/** Compare recent payments' refunds at the gateway with the ledger. */
export const gatewayReconcileJob = defineJob(
  'gateway.reconcile',
  z.object({
    orgId: z.uuid().optional(),
    days: z.number().int().min(1).max(365).optional(),
    limit: z.number().int().min(1).max(1000).optional(),
  }),
  { retryLimit: 2, retryDelaySeconds: 60, retryBackoff: false, expireInSeconds: 900 },
);

export const RECONCILE_DEFAULT_DAYS = 30;
/** At most this many payments are asked about per run, most recently active first. */
export const RECONCILE_DEFAULT_LIMIT = 200;

export interface ReconcileReport {
  readonly payments: number;
  readonly externalRecorded: number;
  readonly issues: number;
  readonly errors: number;
}

type IssueKind = 'missing_at_gateway' | 'state_mismatch' | 'amount_mismatch';

const FINAL = new Set(['succeeded', 'failed']);

function matchLedger(rows: readonly RefundRow[], refund: GatewayRefund): RefundRow | undefined {
  const keys = attemptKeysOf(refund);
  return (
    rows.find((row) => row.gateway_refund_id === refund.gatewayRefundId) ??
    rows.find((row) => row.idempotency_key !== null && keys.includes(row.idempotency_key))
  );
}

/** Payments captured, refunded or with a case in the window, most recent first, bounded. */
async function candidatePayments(
  ctx: AppContext,
  input: { orgId?: string | undefined; since: Date; limit: number },
): Promise<PaymentRow[]> {
  let query = ctx.db
    .selectFrom('payments as p')
    .selectAll('p')
    .where((eb) =>
      eb.or([
        eb('p.captured_at', '>', input.since),
        eb.exists(
          eb
            .selectFrom('refunds as r')
            .select(sql`1`.as('one'))
            .whereRef('r.payment_id', '=', 'p.id')
            .where('r.updated_at', '>', input.since),
        ),
        eb.exists(
          eb
            .selectFrom('refund_cases as c')
            .select(sql`1`.as('one'))
            .whereRef('c.payment_id', '=', 'p.id')
            .where('c.updated_at', '>', input.since),
        ),
      ]),
    )
    .orderBy('p.updated_at', 'desc')
    .limit(input.limit);
  if (input.orgId) query = query.where('p.org_id', '=', input.orgId);
  return query.execute();
}

/** Records one issue (once while open) and its audit event, in one transaction. */
async function flagIssue(
  db: Kysely<Database>,
  at: Date,
  issue: { payment: PaymentRow; refund: RefundRow | undefined; kind: IssueKind; details: Record<string, unknown> },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    let open = trx
      .selectFrom('reconciliation_issues')
      .select('id')
      .where('org_id', '=', issue.payment.org_id)
      .where('payment_id', '=', issue.payment.id)
      .where('kind', '=', issue.kind)
      .where('resolved_at', 'is', null);
    open = issue.refund ? open.where('refund_id', '=', issue.refund.id) : open.where('refund_id', 'is', null);
    if (await open.executeTakeFirst()) return false;
    await trx
      .insertInto('reconciliation_issues')
      .values({
        id: randomUUID(),
        org_id: issue.payment.org_id,
        payment_id: issue.payment.id,
        refund_id: issue.refund?.id ?? null,
        kind: issue.kind,
        details: JSON.stringify(issue.details),
        detected_at: at,
      })
      .execute();
    await appendAudit(trx, {
      orgId: issue.payment.org_id,
      caseId: issue.refund?.case_id ?? null,
      actor: { type: 'system', id: 'reconcile' },
      action: 'reconcile.mismatch',
      data: { paymentId: issue.payment.id, refundId: issue.refund?.id ?? null, kind: issue.kind, ...issue.details },
      at,
    });
    return true;
  });
}

async function reconcilePayment(ctx: AppContext, payment: PaymentRow): Promise<{ external: number; issues: number }> {
  const gateway = ctx.gateways.forPayment(payment.org_id, payment.gateway);
  const { refunds: atGateway } = await gateway.listRefunds({ paymentRef: payment.gateway_payment_id });
  const ledger = await ctx.db.selectFrom('refunds').selectAll().where('payment_id', '=', payment.id).execute();
  const at = ctx.clock.now();
  let external = 0;
  let issues = 0;
  const matched = new Set<string>();
  for (const refund of atGateway) {
    const row = matchLedger(ledger, refund);
    if (row) matched.add(row.id);
    if (!row || row.origin === 'external') {
      const result = await ctx.db.transaction().execute((trx) =>
        applyGatewayRefund(trx, {
          orgId: payment.org_id,
          gateway: payment.gateway,
          refund: { ...refund, paymentRef: payment.gateway_payment_id },
          actor: { type: 'system', id: 'reconcile' },
          at,
        }),
      );
      if (result.kind === 'external_recorded') external++;
      continue;
    }
    // Ours and still open: the janitor owns it.
    if (!FINAL.has(row.state)) continue;
    const reported = refund.status === 'canceled' ? 'failed' : refund.status;
    const details = {
      gatewayRefundId: refund.gatewayRefundId,
      ledger: { state: row.state, amount: row.amount, currency: row.currency },
      gateway: { state: reported, amount: refund.amount.amount, currency: refund.amount.currency },
    };
    if (
      reported !== row.state &&
      (await flagIssue(ctx.db, at, { payment, refund: row, kind: 'state_mismatch', details }))
    )
      issues++;
    if (
      (refund.amount.amount !== row.amount || refund.amount.currency !== row.currency) &&
      (await flagIssue(ctx.db, at, { payment, refund: row, kind: 'amount_mismatch', details }))
    )
      issues++;
  }
  for (const row of ledger) {
    if (row.state !== 'succeeded' || matched.has(row.id)) continue;
    const details = {
      gatewayRefundId: row.gateway_refund_id,
      ledger: { state: row.state, amount: row.amount, currency: row.currency },
    };
    if (await flagIssue(ctx.db, at, { payment, refund: row, kind: 'missing_at_gateway', details })) issues++;
  }
  return { external, issues };
}

/**
 * Asks each gateway for the refunds of recently active payments and compares with the ledger: refunds the
 * ledger lacks are recorded as external (as a webhook would); a succeeded ledger refund the gateway lacks,
 * or a state or amount that differs, becomes a reconciliation issue with a `reconcile.mismatch` audit event.
 */
export async function reconcileGateways(
  ctx: AppContext,
  input: {
    readonly orgId?: string | undefined;
    readonly days?: number | undefined;
    readonly limit?: number | undefined;
  } = {},
): Promise<ReconcileReport> {
  const since = new Date(ctx.clock.now().getTime() - (input.days ?? RECONCILE_DEFAULT_DAYS) * 86_400_000);
  const payments = await candidatePayments(ctx, {
    orgId: input.orgId,
    since,
    limit: input.limit ?? RECONCILE_DEFAULT_LIMIT,
  });
  let externalRecorded = 0;
  let issues = 0;
  let errors = 0;
  for (const payment of payments) {
    try {
      const result = await reconcilePayment(ctx, payment);
      externalRecorded += result.external;
      issues += result.issues;
    } catch (error) {
      errors++;
      ctx.logger.warn({ err: error, paymentId: payment.id, gateway: payment.gateway }, 'reconcile: payment skipped');
    }
  }
  const report = { payments: payments.length, externalRecorded, issues, errors };
  ctx.logger.info(report, 'gateway reconciliation finished');
  return report;
}

/** Every 15 minutes, and on demand (send the job, or call reconcileGateways). */
export function gatewayReconcileWorker(): WorkerRegistration {
  return {
    definition: gatewayReconcileJob as JobDefinition<unknown>,
    register: async (ctx) => {
      await ctx.queue.work(gatewayReconcileJob, async (payload) => void (await reconcileGateways(ctx, payload)));
      await ctx.queue.schedule(gatewayReconcileJob, '*/15 * * * *');
    },
  };
}
