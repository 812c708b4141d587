import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AppContext } from '../context.js';
import { executeSqlIn } from '../db/database.js';
import type { Database, PaymentRow, RefundCaseRow, RefundRow } from '../db/schema.js';
import { lockPayment, remainingRefundable, reservedAmount } from '../ledger/refundable.js';
import { money } from '../money/money.js';
import { GatewayError, type GatewayRefund, type GatewayRefundReason } from '../ports/payment-gateway.js';
import { markFailed, startExecution } from './case-transitions.js';
import { checkDelayMs } from './check-backoff.js';
import { refundResolveJob } from './refund-jobs.js';
import { type RefundOutcome, settleRefund } from './settle-refund.js';

export type ExecutionResult =
  | { readonly kind: 'skipped'; readonly state: string }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'settled'; readonly refund: RefundRow | undefined };

/** The deterministic idempotency key of a case's nth attempt; retries of that attempt reuse it. */
export function attemptKey(caseId: string, attempt: number): string {
  return `rd-${caseId}-${attempt}`;
}

/**
 * Executes an approved case exactly once: reserve (lock the payment, check, record the attempt with
 * its key, all in one transaction) → call the gateway → settle. Anything but an approved case is
 * left alone, so the fast path and the queued job can both call this safely.
 */
export async function executeCase(
  ctx: AppContext,
  input: { readonly orgId: string; readonly caseId: string },
): Promise<ExecutionResult> {
  const reservation = await reserve(ctx, input);
  if (reservation.kind !== 'reserved') return reservation;
  const outcome = await callGateway(ctx, reservation);
  return { kind: 'settled', refund: await settle(ctx, reservation.refund, outcome) };
}

export type Reservation = {
  kind: 'reserved';
  caseRow: RefundCaseRow;
  payment: PaymentRow;
  refund: RefundRow;
  gatewayReason: GatewayRefundReason;
};

async function reserve(
  ctx: AppContext,
  input: { orgId: string; caseId: string },
): Promise<Reservation | Exclude<ExecutionResult, { kind: 'settled' }>> {
  return ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    const caseRow = await trx
      .selectFrom('refund_cases')
      .selectAll()
      .where('id', '=', input.caseId)
      .where('org_id', '=', input.orgId)
      .forUpdate()
      .executeTakeFirst();
    if (caseRow?.state !== 'approved') return { kind: 'skipped' as const, state: caseRow?.state ?? 'missing' };
    const payment = await lockPayment(trx, caseRow.org_id, caseRow.payment_id);
    const refundable = remainingRefundable(payment, await reservedAmount(trx, payment));
    const executing = await startExecution(trx, { caseRow, actor: { type: 'system', id: 'executor' }, at: now });
    if (!executing) return { kind: 'skipped' as const, state: 'changed' };
    if (caseRow.currency !== payment.currency || caseRow.amount > refundable.amount) {
      const reason = 'amount_exceeds_refundable';
      await markFailed(
        trx,
        {
          caseRow: executing,
          actor: { type: 'system', id: 'executor' },
          at: now,
          data: { refundable: refundable.amount },
        },
        reason,
      );
      return { kind: 'refused' as const, reason };
    }
    return {
      kind: 'reserved' as const,
      caseRow: executing,
      payment,
      refund: await recordAttempt(trx, { caseRow: executing, payment, at: now }),
      gatewayReason: await gatewayReasonOf(trx, caseRow),
    };
  });
}

/**
 * The attempt row of an executing case's current attempt, reserving the case's amount on the payment,
 * with the attempt's deterministic key. The caller holds the payment lock and has checked the amount.
 */
export async function recordAttempt(
  trx: Kysely<Database>,
  input: { readonly caseRow: RefundCaseRow; readonly payment: PaymentRow; readonly at: Date },
): Promise<RefundRow> {
  const { caseRow, at } = input;
  return trx
    .insertInto('refunds')
    .values({
      id: randomUUID(),
      org_id: caseRow.org_id,
      payment_id: input.payment.id,
      case_id: caseRow.id,
      idempotency_key: attemptKey(caseRow.id, caseRow.attempt_count),
      amount: caseRow.amount,
      currency: caseRow.currency,
      state: 'reserved',
      origin: 'refund_desk',
      tries: 1,
      created_at: at,
      updated_at: at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The gateway's word for the case's reason code (Stripe's duplicate / fraudulent / requested_by_customer). */
export async function gatewayReasonOf(trx: Kysely<Database>, caseRow: RefundCaseRow): Promise<GatewayRefundReason> {
  const reason = await trx
    .selectFrom('reason_codes')
    .select('gateway_reason')
    .where('org_id', '=', caseRow.org_id)
    .where('code', '=', caseRow.reason_code)
    .executeTakeFirst();
  return (reason?.gateway_reason ?? 'requested_by_customer') as GatewayRefundReason;
}

/** Sends the attempt's refund with its own idempotency key (first call or a janitor's resend); throws GatewayError. */
export async function sendAttempt(ctx: AppContext, reservation: Reservation): Promise<GatewayRefund> {
  const { payment, refund, caseRow } = reservation;
  const gateway = ctx.gateways.forPayment(caseRow.org_id, payment.gateway);
  return gateway.refund({
    paymentRef: payment.gateway_payment_id,
    amount: money(refund.amount, refund.currency),
    reason: reservation.gatewayReason,
    idempotencyKey: refund.idempotency_key ?? '',
    metadata: { caseId: caseRow.id, attemptKey: refund.idempotency_key ?? '', organisationId: caseRow.org_id },
  });
}

/** sendAttempt, with what the gateway answered turned into what we record. */
export async function callGateway(ctx: AppContext, reservation: Reservation): Promise<RefundOutcome> {
  try {
    return outcomeOf(ctx, await sendAttempt(ctx, reservation));
  } catch (error) {
    return outcomeOfError(ctx, error, reservation.refund.tries);
  }
}

/** Maps what the gateway answered to what we record. */
export function outcomeOf(ctx: AppContext, result: GatewayRefund): RefundOutcome {
  return {
    status: result.status,
    gatewayRefundId: result.gatewayRefundId,
    failureReason: result.failureReason,
    nextCheckAt: result.status === 'pending' ? new Date(ctx.clock.now().getTime() + PENDING_RECHECK_MS) : undefined,
  };
}

const PENDING_RECHECK_MS = 15 * 60 * 1000;

/**
 * Gateway errors: outcome unknown or retryable → unknown (the janitor asks before resending, later after
 * each of the attempt's `tries` looks); otherwise a terminal failure.
 */
export function outcomeOfError(ctx: AppContext, error: unknown, tries: number): RefundOutcome {
  const gatewayError = error instanceof GatewayError ? error : undefined;
  if (!gatewayError || gatewayError.isOutcomeUnknown || gatewayError.isRetryable) {
    const delayMs = checkDelayMs(tries, gatewayError?.options.retryAfterMs);
    ctx.logger.warn(
      { err: error },
      'refund outcome unknown; the janitor will ask the gateway before anything is resent',
    );
    // A 429 never ran and an error the gateway gave for the key is its answer; anything else may still be running.
    const unanswered = !gatewayError || (!gatewayError.isAnswerForKey && gatewayError.code !== 'rate_limited');
    return { status: 'unknown', nextCheckAt: new Date(ctx.clock.now().getTime() + delayMs), unanswered };
  }
  return { status: 'failed', failureReason: gatewayError.code };
}

/** Records the outcome; an unknown or pending one schedules the janitor. */
export async function settle(
  ctx: AppContext,
  refund: RefundRow,
  outcome: RefundOutcome,
): Promise<RefundRow | undefined> {
  return ctx.db.transaction().execute(async (trx) => {
    const settled = await settleRefund(trx, {
      refundId: refund.id,
      orgId: refund.org_id,
      outcome,
      actor: { type: 'gateway', id: null },
      at: ctx.clock.now(),
    });
    const stillOpen = settled?.state === 'unknown' || settled?.state === 'pending' || settled?.state === 'reserved';
    if (stillOpen && outcome.unanswered) {
      await trx.updateTable('refunds').set({ unanswered_at: ctx.clock.now() }).where('id', '=', refund.id).execute();
    }
    if (stillOpen && (outcome.status === 'unknown' || outcome.status === 'pending')) {
      const delay = Math.max(1, Math.ceil(((outcome.nextCheckAt?.getTime() ?? 0) - ctx.clock.now().getTime()) / 1000));
      await ctx.queue.send(
        refundResolveJob,
        { orgId: refund.org_id, refundId: refund.id },
        { executeSql: executeSqlIn(trx), startAfterSeconds: delay },
      );
    }
    return settled;
  });
}
