import { type Kysely, sql } from 'kysely';

/** The consumers that existed when this migration ran; they start at the end of the existing history. */
const CONSUMERS = ['zendesk', 'slack', 'teams', 'notifications'];

export async function up(db: Kysely<any>): Promise<void> {
  // How far each consumer of case events (the audit chain) has read, per organisation. The chain's
  // `seq` is gapless and commit-ordered per organisation, so a cursor never skips an event.
  await db.schema
    .createTable('event_cursors')
    .addColumn('consumer', 'text', (c) => c.notNull())
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('event_cursors_pkey', ['consumer', 'org_id'])
    .execute();
  // An installation upgraded to this version must not replay its history to customers and chat.
  for (const consumer of CONSUMERS) {
    await sql`
      insert into event_cursors (consumer, org_id, last_seq)
      select ${consumer}, o.id, coalesce((select max(a.seq) from audit_events a where a.org_id = o.id), 0)
      from organisations o`.execute(db);
  }

  // Keys this installation made for itself (link signing when SECRETS_KEY is unset), kept across restarts.
  await db.schema
    .createTable('instance_keys')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Single-use signed links (Teams approval page, …): a link's id is spent once.
  await db.schema
    .createTable('spent_links')
    .addColumn('link_id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('spent_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('spent_links').execute();
  await db.schema.dropTable('instance_keys').execute();
  await db.schema.dropTable('event_cursors').execute();
}
