import type { Kysely } from 'kysely';
import type { AuditActor } from '../audit/audit-log.js';
import { appendAudit } from '../audit/audit-log.js';
import type { Database, RefundRow } from '../db/schema.js';
import type { GatewayRefundStatus } from '../ports/payment-gateway.js';
import { markFailed, markSucceeded } from './case-transitions.js';

export interface RefundOutcome {
  readonly status: GatewayRefundStatus | 'unknown';
  readonly gatewayRefundId?: string | undefined;
  readonly failureReason?: string | undefined;
  /** When to look again (unknown and pending outcomes). */
  readonly nextCheckAt?: Date | undefined;
  /** The call got no answer (timeout, lost connection, still in progress): it may still be running at the gateway. */
  readonly unanswered?: boolean | undefined;
}

const FINAL = new Set(['succeeded', 'failed']);

/** What the ledger records for a gateway status: a canceled refund gives the money back to nobody, so it failed. */
export function ledgerStateOf<S extends RefundOutcome['status']>(status: S): Exclude<S, 'canceled'> | 'failed' {
  return (status === 'canceled' ? 'failed' : status) as Exclude<S, 'canceled'> | 'failed';
}

/**
 * Records what the gateway said about one of our refunds and moves its case: succeeded → case
 * succeeded; failed/canceled → case failed → exception; pending/unknown → the case waits. Safe to
 * call twice with the same outcome (webhook and executor may both report it).
 */
export async function settleRefund(
  trx: Kysely<Database>,
  input: {
    readonly refundId: string;
    readonly orgId: string;
    readonly outcome: RefundOutcome;
    readonly actor: AuditActor;
    readonly at: Date;
  },
): Promise<RefundRow | undefined> {
  const refund = await trx
    .selectFrom('refunds')
    .selectAll()
    .where('id', '=', input.refundId)
    .where('org_id', '=', input.orgId)
    .forUpdate()
    .executeTakeFirst();
  if (!refund) return undefined;
  const { outcome } = input;
  const state = ledgerStateOf(outcome.status);
  if (FINAL.has(refund.state)) {
    // a late "unknown" or "pending" (a lost response, a slow executor) adds nothing to a final answer
    if (refund.state !== state && FINAL.has(state)) {
      // a gateway changed its mind after a final answer (rare: Stripe can fail a succeeded refund); keep the record, alert via audit
      await appendAudit(trx, {
        orgId: refund.org_id,
        caseId: refund.case_id,
        actor: input.actor,
        action: 'refund.state_conflict',
        data: { refundId: refund.id, recorded: refund.state, reported: state },
        at: input.at,
      });
    }
    return refund;
  }
  if (refund.state === state && refund.gateway_refund_id === (outcome.gatewayRefundId ?? refund.gateway_refund_id)) {
    if (!FINAL.has(state)) {
      await trx
        .updateTable('refunds')
        .set({ next_check_at: outcome.nextCheckAt ?? null })
        .where('id', '=', refund.id)
        .execute();
    }
    return refund;
  }
  const updated = await trx
    .updateTable('refunds')
    .set({
      state,
      gateway_refund_id: outcome.gatewayRefundId ?? refund.gateway_refund_id,
      failure_reason: state === 'failed' ? (outcome.failureReason ?? 'unknown') : null,
      next_check_at: FINAL.has(state) ? null : (outcome.nextCheckAt ?? null),
      updated_at: input.at,
    })
    .where('id', '=', refund.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await appendAudit(trx, {
    orgId: refund.org_id,
    caseId: refund.case_id,
    actor: input.actor,
    action: `refund.${state}`,
    data: {
      refundId: refund.id,
      gatewayRefundId: updated.gateway_refund_id,
      amount: refund.amount,
      currency: refund.currency,
      failureReason: updated.failure_reason,
    },
    at: input.at,
  });
  if (refund.case_id && FINAL.has(state)) {
    const caseRow = await trx
      .selectFrom('refund_cases')
      .selectAll()
      .where('id', '=', refund.case_id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (caseRow.state === 'executing') {
      const transition = {
        caseRow,
        actor: input.actor,
        at: input.at,
        data: { refundId: refund.id, gatewayRefundId: updated.gateway_refund_id },
      };
      if (state === 'succeeded') await markSucceeded(trx, transition);
      else await markFailed(trx, transition, updated.failure_reason ?? 'unknown');
    }
  }
  return updated;
}
