import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import { type PaymentRecord, upsertPayment } from '../ledger/payments.js';

/**
 * upsertPayment serialised per payment (transaction-scoped advisory lock): a gateway announces a new
 * payment in several events at once (Stripe: charge.succeeded and payment_intent.succeeded), and two
 * first-time upserts of one payment would otherwise race on its unique keys (deadlock or 23505).
 * Call it inside a transaction.
 */
export async function recordGatewayPayment(
  trx: Kysely<Database>,
  orgId: string,
  record: PaymentRecord,
): ReturnType<typeof upsertPayment> {
  const key = `payment:${orgId}:${record.gateway}:${record.gatewayPaymentId}`;
  await sql`select pg_advisory_xact_lock(hashtextextended(${key}::text, 0))`.execute(trx);
  return upsertPayment(trx, orgId, record);
}
