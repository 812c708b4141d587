import type { AppContext } from '../context.js';
import type { RefundRow } from '../db/schema.js';
import { GatewayError, type GatewayRefund, type PaymentGateway } from '../ports/payment-gateway.js';
import { markFailed } from './case-transitions.js';
import { gatewayReasonOf, outcomeOf, outcomeOfError, type Reservation, sendAttempt, settle } from './execute-refund.js';
import { closeUnmovedAttempt } from './next-attempt.js';
import type { RefundOutcome } from './settle-refund.js';

/**
 * After this many looks without an answer that proves anything (the gateway times out, rate-limits or
 * answers through a proxy) the case goes to a person; the refund stays unknown and keeps its amount
 * reserved, because the money may have moved.
 */
export const MAX_RESOLVE_TRIES = 12;

/**
 * How long after a call under the key went unanswered no error answered for the key counts as proof: that
 * call may still be running at the gateway (PayPal: with two requests under one id it "processes the first
 * request and might fail the second"). Far longer than any gateway keeps a request.
 */
export const IN_FLIGHT_MARGIN_MS = 10 * 60 * 1000;

export type ResolveResult = 'settled' | 'still_open' | 'skipped' | 'escalated';

/**
 * The janitor for one refund whose outcome we do not know (or that is still pending): ask the gateway
 * first (by refund id, or among the payment's refunds by our attempt key); only when the gateway has no
 * such refund is it sent again — with the same key, so it still cannot apply twice. When the gateway then
 * answers for that key with an error (its saved 5xx, say) and, asked again afterwards, still holds no
 * refund with the key, the attempt provably moved no money: it is closed and the next attempt gets the
 * next key (next-attempt.ts). Anything less (a timeout, a 429, a lost answer) keeps the attempt unknown,
 * looked at again after a growing wait.
 */
export async function resolveRefund(
  ctx: AppContext,
  input: { readonly orgId: string; readonly refundId: string },
): Promise<ResolveResult> {
  const claimed = await claim(ctx, input);
  if (!claimed) return 'skipped';
  const { refund } = claimed;
  if (refund.tries > MAX_RESOLVE_TRIES) {
    await escalate(ctx, refund);
    return 'escalated';
  }
  const gateway = ctx.gateways.forPayment(refund.org_id, claimed.payment.gateway);
  let outcome: RefundOutcome;
  try {
    const known = await lookUpAttempt(gateway, claimed);
    if (known.refund) outcome = outcomeOf(ctx, known.refund);
    else {
      const resent = await resend(ctx, gateway, claimed);
      if ('closed' in resent) return isFinal(resent.closed) ? 'settled' : 'still_open';
      outcome = resent.outcome;
    }
  } catch (error) {
    outcome = outcomeOfError(ctx, error, refund.tries);
  }
  return isFinal(await settle(ctx, refund, outcome)) ? 'settled' : 'still_open';
}

function isFinal(refund: RefundRow | undefined): boolean {
  return refund?.state === 'succeeded' || refund?.state === 'failed';
}

/** Our attempt at the gateway: by its refund id when we have one, else among the payment's refunds by key. */
async function lookUpAttempt(
  gateway: PaymentGateway,
  claimed: Reservation,
): Promise<{ refund: GatewayRefund | undefined; refundsOnPayment: number }> {
  const { refund } = claimed;
  if (refund.gateway_refund_id) {
    return { refund: await gateway.getRefund({ gatewayRefundId: refund.gateway_refund_id }), refundsOnPayment: 1 };
  }
  const { refunds } = await gateway.listRefunds({ paymentRef: claimed.payment.gateway_payment_id });
  return { refund: findAttempt(refunds, refund.idempotency_key ?? ''), refundsOnPayment: refunds.length };
}

/**
 * Sends the attempt again with its own key. An error the gateway gave *for that key* is followed by one
 * more look: still no refund with the key proves the attempt moved no money, and it is closed.
 */
async function resend(
  ctx: AppContext,
  gateway: PaymentGateway,
  claimed: Reservation,
): Promise<{ outcome: RefundOutcome } | { closed: RefundRow | undefined }> {
  try {
    return { outcome: outcomeOf(ctx, await sendAttempt(ctx, claimed)) };
  } catch (error) {
    if (!(error instanceof GatewayError && error.isOutcomeUnknown && error.isAnswerForKey)) throw error;
    const unansweredAt = claimed.refund.unanswered_at?.getTime();
    if (unansweredAt !== undefined && ctx.clock.now().getTime() - unansweredAt < IN_FLIGHT_MARGIN_MS) throw error;
    const after = await lookUpAttempt(gateway, claimed);
    if (after.refund) return { outcome: outcomeOf(ctx, after.refund) };
    ctx.logger.info(
      { refundId: claimed.refund.id, vendorCode: error.options.vendorCode, httpStatus: error.options.httpStatus },
      'the gateway answered the attempt key with an error and holds no refund with it: the attempt moved no money',
    );
    const proof = {
      keyAnswer: { vendorCode: error.options.vendorCode, httpStatus: error.options.httpStatus },
      matchingRefunds: 0 as const,
      refundsOnPayment: after.refundsOnPayment,
    };
    return { closed: await closeUnmovedAttempt(ctx, claimed, proof) };
  }
}

/** Our attempt among the gateway's refunds: each adapter returns the key we sent in metadata. */
export function findAttempt(refunds: readonly GatewayRefund[], key: string): GatewayRefund | undefined {
  if (!key) return undefined;
  return refunds.find((r) => attemptKeysOf(r).includes(key));
}

/** The metadata keys the adapters return our attempt key under (ours; PayPal and Square; Stripe's automatic one). */
const ATTEMPT_KEY_FIELDS = ['attemptKey', 'idempotencyKey', 'refund_desk_idempotency_key'] as const;

/** Our attempt keys a gateway refund carries (none for a refund made outside Refund Desk). */
export function attemptKeysOf(refund: GatewayRefund): string[] {
  return ATTEMPT_KEY_FIELDS.map((field) => refund.metadata[field]).filter((value): value is string => Boolean(value));
}

async function claim(ctx: AppContext, input: { orgId: string; refundId: string }): Promise<Reservation | undefined> {
  const leaseMs = ctx.config.EXECUTION_LEASE_SECONDS * 1000;
  return ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    const refund = await trx
      .selectFrom('refunds')
      .selectAll()
      .where('id', '=', input.refundId)
      .where('org_id', '=', input.orgId)
      .forUpdate()
      .executeTakeFirst();
    if (
      !refund ||
      !['reserved', 'unknown', 'pending'].includes(refund.state) ||
      refund.origin !== 'refund_desk' ||
      !refund.case_id
    )
      return undefined;
    // a reserved attempt younger than the lease is still in someone's hands
    if (refund.state === 'reserved' && now.getTime() - refund.updated_at.getTime() < leaseMs) return undefined;
    // A reserved attempt past its lease was left by a process that stopped, perhaps mid-call: that call
    // went unanswered as of when the attempt was last touched.
    const abandonedAt =
      refund.state === 'reserved' ? (refund.unanswered_at ?? refund.updated_at) : refund.unanswered_at;
    const updated = await trx
      .updateTable('refunds')
      .set({ tries: refund.tries + 1, updated_at: now, unanswered_at: abandonedAt })
      .where('id', '=', refund.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const caseRow = await trx
      .selectFrom('refund_cases')
      .selectAll()
      .where('id', '=', refund.case_id)
      .executeTakeFirstOrThrow();
    const payment = await trx
      .selectFrom('payments')
      .selectAll()
      .where('id', '=', refund.payment_id)
      .executeTakeFirstOrThrow();
    return {
      kind: 'reserved' as const,
      caseRow,
      payment,
      refund: updated,
      gatewayReason: await gatewayReasonOf(trx, caseRow),
    };
  });
}

async function escalate(ctx: AppContext, refund: RefundRow): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const caseRow = await trx
      .selectFrom('refund_cases')
      .selectAll()
      .where('id', '=', refund.case_id ?? '')
      .forUpdate()
      .executeTakeFirst();
    if (caseRow?.state !== 'executing') return;
    await markFailed(
      trx,
      {
        caseRow,
        actor: { type: 'system', id: 'janitor' },
        at: ctx.clock.now(),
        data: { refundId: refund.id, tries: refund.tries },
      },
      'gateway_outcome_unresolved',
    );
  });
}
