import { appendAudit } from '../audit/audit-log.js';
import type { AppContext } from '../context.js';
import type { RefundRow } from '../db/schema.js';
import { lockPayment, remainingRefundable, reservedAmount } from '../ledger/refundable.js';
import { markFailed, startNextAttempt } from './case-transitions.js';
import { attemptKey, callGateway, type Reservation, recordAttempt, settle } from './execute-refund.js';

/** Attempts one approved case makes before it goes to exceptions; each after the first follows a proven one. */
export const MAX_ATTEMPTS_PER_CASE = 3;

/** Why the engine may say an attempt moved no money; audited with the attempt's failure. */
export interface UnmovedProof {
  /** What the gateway answered for the attempt's key, after which we looked (vendor code, HTTP status). */
  readonly keyAnswer: { readonly vendorCode?: string | undefined; readonly httpStatus?: number | undefined };
  /** Refunds on the payment carrying the attempt's key or metadata, looked up after that answer: none. */
  readonly matchingRefunds: 0;
  /** Every refund the gateway holds for the payment (made by anyone). */
  readonly refundsOnPayment: number;
}

const JANITOR = { type: 'system' as const, id: 'janitor' };
const FAILURE_REASON = 'gateway_unavailable';

/**
 * Closes an attempt the gateway proved moved no money — it answered for the attempt's key and, after
 * that answer, holds no refund carrying the key — as failed, which releases its reservation. The case
 * then gets its next attempt with the next key, `rd-<case>-<n+1>` (the design's rule: a new key only when
 * no earlier one can have succeeded), sent at once; after MAX_ATTEMPTS_PER_CASE it goes to exceptions
 * holding nothing, so a retry can refund. Returns the new attempt's row, or the closed one.
 */
export async function closeUnmovedAttempt(
  ctx: AppContext,
  reservation: Reservation,
  proof: UnmovedProof,
): Promise<RefundRow | undefined> {
  const closed = await ctx.db.transaction().execute(async (trx) => {
    const at = ctx.clock.now();
    const refund = await trx
      .selectFrom('refunds')
      .selectAll()
      .where('id', '=', reservation.refund.id)
      .forUpdate()
      .executeTakeFirst();
    if (!refund || !['reserved', 'unknown'].includes(refund.state) || refund.gateway_refund_id) {
      return { refund, next: undefined };
    }
    const failed = await trx
      .updateTable('refunds')
      .set({ state: 'failed', failure_reason: FAILURE_REASON, next_check_at: null, updated_at: at })
      .where('id', '=', refund.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(trx, {
      orgId: refund.org_id,
      caseId: refund.case_id,
      actor: JANITOR,
      action: 'refund.failed',
      data: {
        refundId: refund.id,
        amount: refund.amount,
        currency: refund.currency,
        failureReason: FAILURE_REASON,
        attemptKey: refund.idempotency_key,
        proof,
      },
      at,
    });
    const caseRow = await trx
      .selectFrom('refund_cases')
      .selectAll()
      .where('id', '=', refund.case_id ?? '')
      .forUpdate()
      .executeTakeFirst();
    // Only the case's current attempt moves the case; a stale one only gives its reservation back.
    if (caseRow?.state !== 'executing' || refund.idempotency_key !== attemptKey(caseRow.id, caseRow.attempt_count)) {
      return { refund: failed, next: undefined };
    }
    const transition = {
      caseRow,
      actor: JANITOR,
      at,
      data: { refundId: refund.id, attemptKey: refund.idempotency_key },
    };
    if (caseRow.attempt_count >= MAX_ATTEMPTS_PER_CASE) {
      await markFailed(trx, transition, FAILURE_REASON);
      return { refund: failed, next: undefined };
    }
    const payment = await lockPayment(trx, caseRow.org_id, caseRow.payment_id);
    const refundable = remainingRefundable(payment, await reservedAmount(trx, payment));
    if (caseRow.amount > refundable.amount) {
      await markFailed(trx, { ...transition, data: { refundable: refundable.amount } }, 'amount_exceeds_refundable');
      return { refund: failed, next: undefined };
    }
    const restarted = await startNextAttempt(trx, transition);
    if (!restarted) return { refund: failed, next: undefined };
    const next: Reservation = {
      kind: 'reserved',
      caseRow: restarted,
      payment,
      refund: await recordAttempt(trx, { caseRow: restarted, payment, at }),
      gatewayReason: reservation.gatewayReason,
    };
    return { refund: failed, next };
  });
  if (!closed.next) return closed.refund;
  return settle(ctx, closed.next.refund, await callGateway(ctx, closed.next));
}
