import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type AuditActor, appendAudit } from '../audit/audit-log.js';
import type { Database, RefundRow } from '../db/schema.js';
import { lockPayment } from '../ledger/refundable.js';
import type { GatewayRefund } from '../ports/payment-gateway.js';
import { attemptKeysOf } from '../refunds/resolve-refund.js';
import { ledgerStateOf, settleRefund } from '../refunds/settle-refund.js';

export type RefundSyncResult =
  | { readonly kind: 'unknown_payment' }
  | { readonly kind: 'currency_mismatch'; readonly paymentId: string }
  | { readonly kind: 'settled'; readonly refund: RefundRow | undefined }
  | { readonly kind: 'external_recorded' | 'external_updated' | 'unchanged'; readonly refund: RefundRow };

async function findLedgerRefund(
  trx: Kysely<Database>,
  orgId: string,
  paymentId: string,
  refund: GatewayRefund,
): Promise<RefundRow | undefined> {
  const byId = await trx
    .selectFrom('refunds')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('payment_id', '=', paymentId)
    .where('gateway_refund_id', '=', refund.gatewayRefundId)
    .executeTakeFirst();
  if (byId) return byId;
  const keys = attemptKeysOf(refund);
  if (keys.length === 0) return undefined;
  return trx
    .selectFrom('refunds')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('payment_id', '=', paymentId)
    .where('idempotency_key', 'in', keys)
    .executeTakeFirst();
}

/**
 * Brings the ledger in line with what a gateway says about one refund (webhook or reconciliation):
 * ours (matched by gateway id, else by the attempt key in its metadata) is settled through settleRefund,
 * which moves its case; one made outside Refund Desk is recorded as an `external` refund under the
 * payment lock, so refundable amounts stay true. Idempotent on the gateway refund id.
 */
export async function applyGatewayRefund(
  trx: Kysely<Database>,
  input: {
    readonly orgId: string;
    readonly gateway: string;
    readonly refund: GatewayRefund;
    readonly actor: AuditActor;
    readonly at: Date;
  },
): Promise<RefundSyncResult> {
  const { orgId, refund } = input;
  const payment = await trx
    .selectFrom('payments')
    .select(['id', 'currency'])
    .where('org_id', '=', orgId)
    .where('gateway', '=', input.gateway)
    .where('gateway_payment_id', '=', refund.paymentRef)
    .executeTakeFirst();
  if (!payment) return { kind: 'unknown_payment' };

  const ours = await findLedgerRefund(trx, orgId, payment.id, refund);
  if (ours?.origin === 'refund_desk') {
    const settled = await settleRefund(trx, {
      refundId: ours.id,
      orgId,
      outcome: {
        status: refund.status,
        gatewayRefundId: refund.gatewayRefundId,
        failureReason: refund.failureReason,
      },
      actor: input.actor,
      at: input.at,
    });
    return { kind: 'settled', refund: settled };
  }

  // Refunds made elsewhere: serialise on the payment, as every reservation does.
  await lockPayment(trx, orgId, payment.id);
  const existing = ours ?? (await findLedgerRefund(trx, orgId, payment.id, refund));
  const state = ledgerStateOf(refund.status);
  if (existing) {
    if (existing.state === state && existing.amount === refund.amount.amount)
      return { kind: 'unchanged', refund: existing };
    const updated = await trx
      .updateTable('refunds')
      .set({
        state,
        amount: refund.amount.amount,
        failure_reason: state === 'failed' ? (refund.failureReason ?? 'unknown') : null,
        updated_at: input.at,
      })
      .where('id', '=', existing.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(trx, {
      orgId,
      actor: input.actor,
      action: 'refund.external_updated',
      data: { refundId: existing.id, gatewayRefundId: refund.gatewayRefundId, from: existing.state, to: state },
      at: input.at,
    });
    return { kind: 'external_updated', refund: updated };
  }
  if (refund.amount.currency !== payment.currency) return { kind: 'currency_mismatch', paymentId: payment.id };
  const recorded = await trx
    .insertInto('refunds')
    .values({
      id: randomUUID(),
      org_id: orgId,
      payment_id: payment.id,
      case_id: null,
      idempotency_key: null,
      gateway_refund_id: refund.gatewayRefundId,
      amount: refund.amount.amount,
      currency: refund.amount.currency,
      state,
      failure_reason: state === 'failed' ? (refund.failureReason ?? 'unknown') : null,
      origin: 'external',
      tries: 0,
      created_at: refund.createdAt,
      updated_at: input.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await appendAudit(trx, {
    orgId,
    actor: input.actor,
    action: 'refund.external_recorded',
    data: {
      refundId: recorded.id,
      paymentId: payment.id,
      gatewayRefundId: refund.gatewayRefundId,
      amount: recorded.amount,
      currency: recorded.currency,
      state,
    },
    at: input.at,
  });
  return { kind: 'external_recorded', refund: recorded };
}
