import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { AuditEventRow, Database } from '../db/schema.js';
import { appendAudit } from './audit-log.js';

/** Inserts an organisation and returns its id. */
export async function createOrganisation(db: Kysely<Database>, slug: string): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('organisations')
    .values({ id, slug, name: `Org ${slug}` })
    .execute();
  return id;
}

/** Appends `count` events (`refund.step` with `{ step: n }`) one minute apart. */
export async function appendEvents(db: Kysely<Database>, orgId: string, count: number): Promise<AuditEventRow[]> {
  const rows: AuditEventRow[] = [];
  for (let step = 1; step <= count; step++) {
    const at = new Date(Date.UTC(2026, 10, 22, 10, step, 0, step));
    rows.push(await appendAudit(db, { orgId, actor: { type: 'system' }, action: 'refund.step', data: { step }, at }));
  }
  return rows;
}

/** Plays an attacker with superuser rights: the append-only trigger is off while `tamper` runs. */
export async function withAppendOnlyTriggerDisabled(
  db: Kysely<Database>,
  tamper: (db: Kysely<Database>) => Promise<void>,
): Promise<void> {
  await sql`alter table audit_events disable trigger audit_events_no_update_delete`.execute(db);
  try {
    await tamper(db);
  } finally {
    await sql`alter table audit_events enable trigger audit_events_no_update_delete`.execute(db);
  }
}
