import { type Kysely, sql } from 'kysely';
import type { Database, PaymentRow } from '../db/schema.js';
import { AppError } from '../errors/app-error.js';
import { type Money, money } from '../money/money.js';

/**
 * Locks one payment of the organisation for the rest of the transaction (FOR UPDATE), so every
 * check-and-reserve on it is serialised. Another organisation's payment is "not found".
 */
export async function lockPayment(trx: Kysely<Database>, orgId: string, paymentId: string): Promise<PaymentRow> {
  const payment = await trx
    .selectFrom('payments')
    .selectAll()
    .where('id', '=', paymentId)
    .where('org_id', '=', orgId)
    .forUpdate()
    .executeTakeFirst();
  if (!payment) throw new AppError('not_found', 'no such payment');
  return payment;
}

/** Σ of the payment's refunds that have not failed: pending and unknown refunds keep their amount reserved. */
export async function reservedAmount(
  db: Kysely<Database>,
  payment: Pick<PaymentRow, 'id' | 'currency'>,
): Promise<Money> {
  const row = await db
    .selectFrom('refunds')
    .select(sql<string>`coalesce(sum(amount), 0)::text`.as('total'))
    .where('payment_id', '=', payment.id)
    .where('state', '!=', 'failed')
    .executeTakeFirstOrThrow();
  return money(Number(row.total), payment.currency);
}

/** Captured − reserved; never below zero (an over-refund made elsewhere shows as zero refundable). */
export function remainingRefundable(payment: Pick<PaymentRow, 'amount' | 'currency'>, reserved: Money): Money {
  return money(Math.max(0, payment.amount - reserved.amount), payment.currency);
}

/** The payment's amount as Money. */
export function paymentAmount(payment: Pick<PaymentRow, 'amount' | 'currency'>): Money {
  return money(payment.amount, payment.currency);
}
