import { type Kysely, sql } from 'kysely';
import type { Database, PaymentRow } from '../db/schema.js';
import { AppError } from '../errors/app-error.js';
import { type Money, money } from '../money/money.js';
import { OPEN_STATES } from '../refunds/case-states.js';

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
  return (await reservedAmounts(db, [payment])).get(payment.id) ?? money(0, payment.currency);
}

/** reservedAmount for many payments in one query (eligibility lists a customer's payments). */
export async function reservedAmounts(
  db: Kysely<Database>,
  payments: ReadonlyArray<Pick<PaymentRow, 'id' | 'currency'>>,
): Promise<Map<string, Money>> {
  const reserved = new Map(payments.map((p) => [p.id, money(0, p.currency)]));
  if (payments.length === 0) return reserved;
  const rows = await db
    .selectFrom('refunds')
    .select(['payment_id', sql<string>`sum(amount)::text`.as('total')])
    .where('payment_id', 'in', [...reserved.keys()])
    .where('state', '!=', 'failed')
    .groupBy('payment_id')
    .execute();
  for (const row of rows) {
    const payment = payments.find((p) => p.id === row.payment_id);
    if (payment) reserved.set(row.payment_id, money(Number(row.total), payment.currency));
  }
  return reserved;
}

/** Captured − reserved; never below zero (an over-refund made elsewhere shows as zero refundable). */
export function remainingRefundable(payment: Pick<PaymentRow, 'amount' | 'currency'>, reserved: Money): Money {
  return money(Math.max(0, payment.amount - reserved.amount), payment.currency);
}

/** The payment's amount as Money. */
export function paymentAmount(payment: Pick<PaymentRow, 'amount' | 'currency'>): Money {
  return money(payment.amount, payment.currency);
}

/** Open cases that hold part of a payment before any refund reserves it (pending approval, approved, …). */
export interface PendingCases {
  readonly amount: Money;
  readonly cases: ReadonlyArray<{
    readonly id: string;
    readonly reference: string;
    readonly state: string;
    readonly amount: Money;
  }>;
}

/**
 * Per payment, the open cases whose amount no refund reserves yet (a refund row, once there,
 * is counted by reservedAmounts): what "refundable" must leave aside while they are decided.
 */
export async function pendingCaseAmounts(
  db: Kysely<Database>,
  orgId: string,
  payments: ReadonlyArray<Pick<PaymentRow, 'id' | 'currency'>>,
): Promise<Map<string, PendingCases>> {
  const pending = new Map<string, PendingCases>();
  if (payments.length === 0) return pending;
  const rows = await db
    .selectFrom('refund_cases as c')
    .select(['c.id', 'c.reference', 'c.state', 'c.amount', 'c.currency', 'c.payment_id'])
    .where('c.org_id', '=', orgId)
    .where(
      'c.payment_id',
      'in',
      payments.map((p) => p.id),
    )
    .where('c.state', 'in', OPEN_STATES as string[])
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('refunds as r').select('r.id').whereRef('r.case_id', '=', 'c.id').where('r.state', '!=', 'failed'),
        ),
      ),
    )
    .orderBy('c.created_at', 'asc')
    .execute();
  for (const payment of payments) {
    const mine = rows.filter((r) => r.payment_id === payment.id && r.currency === payment.currency);
    if (mine.length === 0) continue;
    pending.set(payment.id, {
      amount: money(
        mine.reduce((sum, r) => sum + r.amount, 0),
        payment.currency,
      ),
      cases: mine.map((r) => ({
        id: r.id,
        reference: r.reference,
        state: r.state,
        amount: money(r.amount, r.currency),
      })),
    });
  }
  return pending;
}
