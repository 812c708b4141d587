import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, PaymentRow } from '../db/schema.js';
import type { Money } from '../money/money.js';
import type { PaymentMethodFacts } from '../ports/payment-gateway.js';
import { type CustomerFacts, upsertCustomer } from './customers.js';

export interface PaymentRecord {
  readonly gateway: string;
  readonly gatewayPaymentId: string;
  readonly amount: Money;
  readonly status: 'captured' | 'pending' | 'failed';
  readonly capturedAt: Date;
  readonly method: PaymentMethodFacts;
  readonly description?: string | undefined;
  readonly customer?: CustomerFacts | undefined;
  /** billing_import, gateway_webhook, gateway_lookup, demo… */
  readonly source: string;
}

/**
 * Inserts or updates a payment on its natural key (organisation, gateway, gateway payment id).
 * The amount and currency of a known payment never change: a different amount is a conflict the caller reports.
 */
export async function upsertPayment(
  db: Kysely<Database>,
  orgId: string,
  record: PaymentRecord,
): Promise<{ payment: PaymentRow; created: boolean; conflict?: string }> {
  const customer = record.customer ? await upsertCustomer(db, orgId, record.customer) : undefined;
  const method = {
    method_type: record.method.type,
    brand: record.method.brand ?? null,
    last4: record.method.last4 ?? null,
    exp_month: record.method.expMonth ?? null,
    exp_year: record.method.expYear ?? null,
    funding: record.method.funding ?? null,
    card_present: record.method.cardPresent ?? false,
  };
  const inserted = await db
    .insertInto('payments')
    .values({
      id: randomUUID(),
      org_id: orgId,
      customer_id: customer?.id ?? null,
      gateway: record.gateway,
      gateway_payment_id: record.gatewayPaymentId,
      amount: record.amount.amount,
      currency: record.amount.currency,
      status: record.status,
      captured_at: record.capturedAt,
      description: record.description ?? null,
      source: record.source,
      ...method,
    })
    // insert first: two writers of a new payment must not both read "absent" and then collide (deadlock)
    .onConflict((oc) => oc.columns(['org_id', 'gateway', 'gateway_payment_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { payment: inserted, created: true };
  const existing = await db
    .selectFrom('payments')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('gateway', '=', record.gateway)
    .where('gateway_payment_id', '=', record.gatewayPaymentId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (existing.amount !== record.amount.amount || existing.currency !== record.amount.currency) {
    return { payment: existing, created: false, conflict: 'amount or currency differs from the recorded payment' };
  }
  const payment = await db
    .updateTable('payments')
    .set({
      status: record.status,
      captured_at: record.capturedAt,
      ...method,
      customer_id: existing.customer_id ?? customer?.id ?? null,
      description: record.description ?? existing.description,
      updated_at: new Date(),
    })
    .where('id', '=', existing.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { payment, created: false };
}
