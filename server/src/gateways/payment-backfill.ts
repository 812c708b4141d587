import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import { GatewayError, type PaymentGateway } from '../ports/payment-gateway.js';
import { recordGatewayPayment } from './record-gateway-payment.js';

/** Counts so far, reported after every page. */
export interface BackfillProgress {
  readonly pages: number;
  /** Payments the gateway listed. */
  readonly seen: number;
  /** Of those, payments the ledger did not know. */
  readonly recorded: number;
  /** Refunds made at the gateway that the ledger learnt of with their payments. */
  readonly refundsRecorded: number;
}

export interface BackfillResult extends BackfillProgress {
  /** done: this run reached the last page; already_done: an earlier run had (nothing was asked). */
  readonly status: 'done' | 'already_done';
  /** True when this run continued where an interrupted one stopped. */
  readonly resumed: boolean;
}

/** A page that fails with a retryable error (rate limit, 5xx, timeout) is asked again this many times. */
const PAGE_RETRIES = 3;

/**
 * The one-time backfill of a new installation: every payment an organisation's gateway captured since a
 * date, page by page through the adapter's `listPayments`, recorded in the ledger with the refunds the
 * gateway already holds (recordGatewayPayment: idempotent on the gateway's ids). Where paging stands is
 * kept in `payment_backfills` after each page, so an interrupted run resumes at the page it was on and
 * a finished one is not repeated. A page that keeps failing stops the run with the GatewayError.
 */
export async function backfillPayments(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  input: {
    readonly orgId: string;
    readonly gateway: PaymentGateway;
    readonly since: Date;
    readonly onPage?: ((progress: BackfillProgress) => void) | undefined;
    /** Waits between retries of a failing page (tests pass a fast one). */
    readonly sleep?: ((ms: number) => Promise<void>) | undefined;
  },
): Promise<BackfillResult> {
  const key = { org_id: input.orgId, gateway: input.gateway.name, since: input.since };
  await ctx.db
    .insertInto('payment_backfills')
    .values(key)
    .onConflict((oc) => oc.doNothing())
    .execute();
  const row = await ctx.db
    .selectFrom('payment_backfills')
    .selectAll()
    .where('org_id', '=', key.org_id)
    .where('gateway', '=', key.gateway)
    .where('since', '=', key.since)
    .executeTakeFirstOrThrow();
  let progress: BackfillProgress = {
    pages: row.pages,
    seen: row.seen,
    recorded: row.recorded,
    refundsRecorded: row.refunds_recorded,
  };
  if (row.completed_at) return { status: 'already_done', resumed: false, ...progress };
  const resumed = row.pages > 0;
  let cursor = row.cursor ?? undefined;
  const sleep = input.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (;;) {
    const page = await withRetries(() => input.gateway.listPayments({ since: input.since, cursor }), sleep);
    let recorded = 0;
    let refundsRecorded = 0;
    for (const payment of page.payments) {
      const result = await recordGatewayPayment(ctx, {
        orgId: input.orgId,
        gateway: input.gateway,
        payment,
        source: 'gateway_backfill',
      });
      if (result.created) recorded++;
      refundsRecorded += result.refundsRecorded;
    }
    progress = {
      pages: progress.pages + 1,
      seen: progress.seen + page.payments.length,
      recorded: progress.recorded + recorded,
      refundsRecorded: progress.refundsRecorded + refundsRecorded,
    };
    cursor = page.nextCursor;
    await ctx.db
      .updateTable('payment_backfills')
      .set({
        cursor: cursor ?? null,
        pages: progress.pages,
        seen: progress.seen,
        recorded: progress.recorded,
        refunds_recorded: progress.refundsRecorded,
        updated_at: sql<Date>`now()`,
        completed_at: cursor === undefined ? ctx.clock.now() : null,
      })
      .where('org_id', '=', key.org_id)
      .where('gateway', '=', key.gateway)
      .where('since', '=', key.since)
      .execute();
    input.onPage?.(progress);
    if (cursor === undefined) return { status: 'done', resumed, ...progress };
  }
}

async function withRetries<T>(call: () => Promise<T>, sleep: (ms: number) => Promise<void>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof GatewayError && error.isRetryable) || attempt >= PAGE_RETRIES) throw error;
      await sleep(Math.min(Math.max(error.options.retryAfterMs ?? 0, 1_000 * 2 ** attempt), 30_000));
    }
  }
}
