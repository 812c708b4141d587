import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // One row per refund_approved tag-adding ticket audit (one intent): the first webhook for it claims
  // the row and acts; every later webhook for the same audit (the trigger re-firing) changes nothing.
  await db.schema
    .createTable('zendesk_tag_intents')
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('ticket_id', 'text', (c) => c.notNull())
    .addColumn('audit_id', 'text', (c) => c.notNull())
    .addColumn('inbound_event_id', 'uuid', (c) => c.notNull())
    .addColumn('tagger_user_id', 'text')
    .addColumn('tagger_kind', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text')
    .addColumn('case_id', 'uuid', (c) => c.references('refund_cases.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('decided_at', 'timestamptz')
    .addPrimaryKeyConstraint('zendesk_tag_intents_pkey', ['org_id', 'ticket_id', 'audit_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('zendesk_tag_intents').execute();
}
