import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // JWT ids of sidebar requests already seen: a reused jti is refused until the token expires anyway.
  await db.schema
    .createTable('zendesk_jwt_ids')
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('jti', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('zendesk_jwt_ids_pkey', ['org_id', 'jti'])
    .execute();
  await db.schema.createIndex('zendesk_jwt_ids_expires_idx').on('zendesk_jwt_ids').column('expires_at').execute();

  // One row per (case, stage) written back to the ticket: the unique key makes "one note per stage".
  await db.schema
    .createTable('zendesk_writebacks')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('refund_cases.id'))
    .addColumn('ticket_id', 'text', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('lease_until', 'timestamptz')
    .addColumn('done_at', 'timestamptz')
    .addColumn('tries', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('zendesk_writebacks_stage_key', ['org_id', 'case_id', 'stage'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('zendesk_writebacks').execute();
  await db.schema.dropTable('zendesk_jwt_ids').execute();
}
