import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Which organisation a Slack workspace belongs to (the default organisation's comes from SLACK_TEAM_ID).
  await db.schema
    .createTable('slack_teams')
    .addColumn('team_id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // The approval card of a case: where it was posted, so later updates edit the same message.
  await db.schema
    .createTable('slack_cards')
    .addColumn('case_id', 'uuid', (c) => c.primaryKey().references('refund_cases.id'))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('ts', 'text', (c) => c.notNull())
    .addColumn('posted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Reminders and escalations already done: one of each kind per case and tier, whatever the retries.
  await db.schema
    .createTable('approval_nudges')
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('refund_cases.id'))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('reminder', 'escalation')`))
    .addColumn('tier', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('approval_nudges_pkey', ['case_id', 'kind', 'tier'])
    .execute();

  // Time from "waiting for approval" to the decision, per case (also a Prometheus histogram).
  await db.schema
    .createTable('approval_timings')
    .addColumn('case_id', 'uuid', (c) => c.primaryKey().references('refund_cases.id'))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('pending_at', 'timestamptz', (c) => c.notNull())
    .addColumn('decided_at', 'timestamptz', (c) => c.notNull())
    .addColumn('seconds', 'double precision', (c) => c.notNull())
    .execute();

  // Teams alerts posted: one per case and kind (pending approval, exception).
  await db.schema
    .createTable('teams_alerts')
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('refund_cases.id'))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('posted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('teams_alerts_pkey', ['case_id', 'kind'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('teams_alerts').execute();
  await db.schema.dropTable('approval_timings').execute();
  await db.schema.dropTable('approval_nudges').execute();
  await db.schema.dropTable('slack_cards').execute();
  await db.schema.dropTable('slack_teams').execute();
}
