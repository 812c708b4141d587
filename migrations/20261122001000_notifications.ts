import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Per customer: the language of their messages and their consent per channel, with where it came from and when.
  await db.schema
    .createTable('notification_contacts')
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('customer_id', 'uuid', (c) => c.notNull().references('customers.id'))
    .addColumn('locale', 'text', (c) => c.notNull().defaultTo('en'))
    .addColumn('sms_consent', 'text', (c) => c.check(sql`sms_consent in ('granted', 'revoked')`))
    .addColumn('sms_consent_source', 'text')
    .addColumn('sms_consent_at', 'timestamptz')
    .addColumn('email_consent', 'text', (c) => c.check(sql`email_consent in ('granted', 'revoked')`))
    .addColumn('email_consent_source', 'text')
    .addColumn('email_consent_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('notification_contacts_pkey', ['org_id', 'customer_id'])
    .execute();

  // One row per message: claimed before the vendor call, so a retried job never sends a stage twice on a channel.
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('refund_cases.id'))
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('sms', 'email')`))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('sending', 'sent', 'delivered', 'failed', 'bounced', 'unknown', 'skipped')`),
    )
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text')
    .addColumn('vendor_message_id', 'text')
    .addColumn('error_code', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('notifications_case_stage_channel_key', ['org_id', 'case_id', 'stage', 'channel'])
    .execute();
  await db.schema
    .createIndex('notifications_vendor_message_idx')
    .on('notifications')
    .columns(['org_id', 'vendor_message_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notifications').execute();
  await db.schema.dropTable('notification_contacts').execute();
}
