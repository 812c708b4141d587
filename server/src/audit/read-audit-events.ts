import type { Kysely } from 'kysely';
import type { AuditEventRow, Database } from '../db/schema.js';
import { normaliseAuditRow } from './audit-log.js';

export interface ReadAuditEventsOptions {
  readonly orgId: string;
  /** Events created at or after this instant. */
  readonly from?: Date;
  /** Events created before this instant. */
  readonly to?: Date;
  /** Rows read per query; default 1000. */
  readonly pageSize?: number;
}

/**
 * Every audit event of one organisation in seq order, read a page at a time with keyset paging
 * on `(org_id, seq)`, so memory stays flat however long the chain. The first page has no lower
 * bound on seq: a forged row at seq 0 or below is read like any other.
 */
export async function* readAuditEvents(
  db: Kysely<Database>,
  options: ReadAuditEventsOptions,
): AsyncGenerator<AuditEventRow> {
  const pageSize = options.pageSize ?? 1000;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) throw new RangeError('pageSize must be a positive integer');
  let afterSeq: number | null = null;
  for (;;) {
    let query = db.selectFrom('audit_events').selectAll().where('org_id', '=', options.orgId);
    if (options.from) query = query.where('created_at', '>=', options.from);
    if (options.to) query = query.where('created_at', '<', options.to);
    if (afterSeq !== null) query = query.where('seq', '>', afterSeq);
    const page = await query.orderBy('seq', 'asc').limit(pageSize).execute();
    for (const row of page) yield normaliseAuditRow(row);
    const last = page.at(-1);
    if (!last || page.length < pageSize) return;
    afterSeq = Number(last.seq);
  }
}
