import type { AppContext } from '../context.js';
import type { RefundRow } from '../db/schema.js';
import type { GatewayRefund } from '../ports/payment-gateway.js';
import { markFailed } from './case-transitions.js';
import { callGateway, gatewayReasonOf, outcomeOf, outcomeOfError, type Reservation, settle } from './execute-refund.js';

/** After this many looks the case goes to a person; the refund stays unknown and keeps its amount reserved. */
export const MAX_RESOLVE_TRIES = 12;

export type ResolveResult = 'settled' | 'still_open' | 'skipped' | 'escalated';

/**
 * The janitor for one refund whose outcome we do not know (or that is still pending): ask the
 * gateway first (by refund id, or among the payment's refunds by our attempt key); only when the
 * gateway has no such refund is it sent again — with the same key, so it still cannot apply twice.
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
  let outcome: Awaited<ReturnType<typeof outcomeOf>>;
  try {
    const known = refund.gateway_refund_id
      ? await gateway.getRefund({ gatewayRefundId: refund.gateway_refund_id })
      : findAttempt(
          (await gateway.listRefunds({ paymentRef: claimed.payment.gateway_payment_id })).refunds,
          refund.idempotency_key ?? '',
        );
    outcome = known ? outcomeOf(ctx, known) : await callGateway(ctx, claimed);
  } catch (error) {
    outcome = outcomeOfError(ctx, error);
  }
  const settled = await settle(ctx, refund, outcome);
  return settled && (settled.state === 'succeeded' || settled.state === 'failed') ? 'settled' : 'still_open';
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
    const updated = await trx
      .updateTable('refunds')
      .set({ tries: refund.tries + 1, updated_at: now })
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
