import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('customers')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('name', 'text')
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('tier', 'text', (c) => c.notNull().defaultTo('standard'))
    .addColumn('external_ids', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index customers_org_email_key on customers (org_id, lower(email)) where email is not null`.execute(
    db,
  );
  await db.schema.createIndex('customers_org_phone_idx').on('customers').columns(['org_id', 'phone']).execute();

  await db.schema
    .createTable('payments')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('customer_id', 'uuid', (c) => c.references('customers.id'))
    .addColumn('gateway', 'text', (c) => c.notNull())
    .addColumn('gateway_payment_id', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('captured', 'pending', 'failed')`))
    .addColumn('captured_at', 'timestamptz', (c) => c.notNull())
    .addColumn('method_type', 'text', (c) => c.notNull().defaultTo('card'))
    .addColumn('brand', 'text')
    .addColumn('last4', 'text')
    .addColumn('exp_month', 'integer')
    .addColumn('exp_year', 'integer')
    .addColumn('funding', 'text')
    .addColumn('card_present', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('description', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('payments_org_gateway_ref_key', ['org_id', 'gateway', 'gateway_payment_id'])
    .execute();
  await db.schema.createIndex('payments_org_customer_idx').on('payments').columns(['org_id', 'customer_id']).execute();

  // Refunds at the gateway, ours and those made elsewhere. Every row that has not failed reserves its amount.
  await db.schema
    .createTable('refunds')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('payment_id', 'uuid', (c) => c.notNull().references('payments.id'))
    .addColumn('case_id', 'uuid')
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('gateway_refund_id', 'text')
    .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('reserved', 'unknown', 'pending', 'succeeded', 'failed')`),
    )
    .addColumn('failure_reason', 'text')
    .addColumn('origin', 'text', (c) => c.notNull().check(sql`origin in ('refund_desk', 'external')`))
    .addColumn('tries', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_check_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index refunds_org_gateway_refund_key on refunds (org_id, payment_id, gateway_refund_id) where gateway_refund_id is not null`.execute(
    db,
  );
  await db.schema.createIndex('refunds_payment_idx').on('refunds').columns(['payment_id', 'state']).execute();
  await sql`create index refunds_unresolved_idx on refunds (next_check_at) where state in ('reserved', 'unknown', 'pending')`.execute(
    db,
  );

  await db.schema
    .createTable('credit_balances')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('customer_id', 'uuid', (c) => c.notNull().references('customers.id'))
    .addColumn('source_system', 'text', (c) => c.notNull())
    .addColumn('external_ref', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount >= 0`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('as_of', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('credit_balances_natural_key', ['org_id', 'source_system', 'external_ref'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('credit_balances').execute();
  await db.schema.dropTable('refunds').execute();
  await db.schema.dropTable('payments').execute();
  await db.schema.dropTable('customers').execute();
}
