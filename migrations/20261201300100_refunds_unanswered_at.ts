import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // When a call under the attempt's key last went unanswered (timeout, lost connection, "still in
  // progress"): that request may still be running at the gateway, so for a while no error answered for
  // the key proves the attempt moved no money.
  await db.schema.alterTable('refunds').addColumn('unanswered_at', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('refunds').dropColumn('unanswered_at').execute();
}
