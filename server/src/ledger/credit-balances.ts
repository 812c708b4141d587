import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { AppError } from '../errors/app-error.js';
import type { Money } from '../money/money.js';
import { type CustomerFacts, upsertCustomer } from './customers.js';

export interface CreditBalanceRecord {
  readonly sourceSystem: string;
  readonly externalRef: string;
  readonly amount: Money;
  readonly asOf: Date;
  readonly customer: CustomerFacts;
}

/** Inserts or updates a customer's credit balance on its natural key (organisation, source system, external ref). */
export async function upsertCreditBalance(
  db: Kysely<Database>,
  orgId: string,
  record: CreditBalanceRecord,
): Promise<{ id: string; created: boolean }> {
  const customer = await upsertCustomer(db, orgId, record.customer);
  if (!customer) throw new AppError('invalid_request', 'a balance needs a customer email or phone');
  const values = {
    customer_id: customer.id,
    amount: record.amount.amount,
    currency: record.amount.currency,
    as_of: record.asOf,
    updated_at: new Date(),
  };
  const inserted = await db
    .insertInto('credit_balances')
    .values({
      id: randomUUID(),
      org_id: orgId,
      source_system: record.sourceSystem,
      external_ref: record.externalRef,
      ...values,
    })
    .onConflict((oc) => oc.columns(['org_id', 'source_system', 'external_ref']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { id: inserted.id, created: true };
  const updated = await db
    .updateTable('credit_balances')
    .set(values)
    .where('org_id', '=', orgId)
    .where('source_system', '=', record.sourceSystem)
    .where('external_ref', '=', record.externalRef)
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: updated.id, created: false };
}
