import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Sessions of the staff app and the desk sidebars: only the sha256 of the opaque token is stored.
  await db.schema
    .createTable('staff_sessions')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    // null: a desk agent not mapped to staff (read and request only)
    .addColumn('staff_id', 'uuid', (c) => c.references('staff.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('web', 'zendesk_sidebar', 'freshdesk_sidebar')`))
    .addColumn('proof', 'text', (c) => c.notNull())
    .addColumn('desk_user_id', 'text')
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('idle_timeout_seconds', 'integer', (c) => c.notNull().check(sql`idle_timeout_seconds > 0`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('idle_expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('absolute_expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('stepped_up_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    // a hint for the person reviewing their sessions; never used to decide anything
    .addColumn('user_agent', 'text')
    .execute();
  await sql`create index staff_sessions_staff_live_idx on staff_sessions (staff_id) where revoked_at is null`.execute(
    db,
  );
  await db.schema.createIndex('staff_sessions_expiry_idx').on('staff_sessions').column('absolute_expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('staff_sessions').execute();
}
