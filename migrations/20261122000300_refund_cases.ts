import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('reason_codes')
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('refund_window_days', 'integer', (c) => c.notNull().check(sql`refund_window_days > 0`))
    .addColumn('gateway_reason', 'text', (c) => c.notNull().defaultTo('requested_by_customer'))
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addPrimaryKeyConstraint('reason_codes_pkey', ['org_id', 'code'])
    .execute();

  await db.schema
    .createTable('approval_policies')
    .addColumn('org_id', 'uuid', (c) => c.primaryKey().references('organisations.id'))
    .addColumn('policy', 'jsonb', (c) => c.notNull())
    .addColumn('updated_by', 'uuid')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('refund_cases')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('payment_id', 'uuid', (c) => c.notNull().references('payments.id'))
    .addColumn('customer_id', 'uuid', (c) => c.references('customers.id'))
    .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('reason_code', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('state', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`state in ('requested', 'pending_approval', 'approved', 'denied', 'cancelled', 'expired', 'executing', 'succeeded', 'failed', 'exception', 'retried', 'resolved_manually')`,
        ),
    )
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('ticket_system', 'text')
    .addColumn('ticket_ref', 'text')
    .addColumn('requested_by', 'uuid', (c) => c.references('staff.id'))
    .addColumn('required_role', 'text')
    .addColumn('eligibility', 'jsonb', (c) => c.notNull())
    .addColumn('decided_by', 'uuid', (c) => c.references('staff.id'))
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decision_channel', 'text')
    .addColumn('decision_reason', 'text')
    .addColumn('decision_evidence', 'jsonb')
    .addColumn('exception_reason', 'text')
    .addColumn('attempt_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('retry_of', 'uuid')
    .addColumn('idempotency_key', 'text')
    .addColumn('request_hash', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('refund_cases_org_reference_key', ['org_id', 'reference'])
    .addUniqueConstraint('refund_cases_org_idempotency_key', ['org_id', 'idempotency_key'])
    .execute();
  await db.schema
    .createIndex('refund_cases_org_state_idx')
    .on('refund_cases')
    .columns(['org_id', 'state', 'created_at'])
    .execute();
  await db.schema.createIndex('refund_cases_payment_idx').on('refund_cases').columns(['payment_id']).execute();
  await db.schema
    .createIndex('refund_cases_ticket_idx')
    .on('refund_cases')
    .columns(['org_id', 'ticket_system', 'ticket_ref'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('refund_cases').execute();
  await db.schema.dropTable('approval_policies').execute();
  await db.schema.dropTable('reason_codes').execute();
}
