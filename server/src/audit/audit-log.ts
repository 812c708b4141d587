import { type Kysely, sql } from 'kysely';
import type { AuditEventRow, Database } from '../db/schema.js';
import { GENESIS_HASH, hashAuditEvent } from './audit-hash.js';
import { canonicalJson } from './canonical-json.js';

export const AUDIT_ACTOR_TYPES = ['staff', 'system', 'gateway', 'helpdesk', 'chat', 'customer'] as const;

/** Who caused an audited change: a staff member, the system itself, or a vendor acting on its own. */
export interface AuditActor {
  readonly type: 'staff' | 'system' | 'gateway' | 'helpdesk' | 'chat' | 'customer';
  readonly id?: string | null;
}

export interface AuditEntry {
  readonly orgId: string;
  readonly caseId?: string | null;
  readonly actor: AuditActor;
  /** Dotted verb, e.g. `refund.approved`. */
  readonly action: string;
  /** Canonical-JSON-able (see `canonicalJson`); no secrets, no card numbers. */
  readonly data: Record<string, unknown>;
  /** Stored with millisecond precision. */
  readonly at: Date;
}

/**
 * Appends one event to the organisation's hash chain and returns the stored row.
 *
 * Call it with the transaction that makes the state change it records, so the change and its
 * audit event commit or roll back together. Given a non-transaction `db` it opens a transaction
 * of its own (fine for events that change nothing else).
 *
 * Appends of one organisation are serialised by a transaction-scoped advisory lock, held until
 * the caller commits. The caller's transaction must be READ COMMITTED (the default) or must not
 * have read before calling: a snapshot taken earlier cannot see the latest link, and the insert
 * then fails on the unique `(org_id, seq)` constraint instead of forking the chain.
 */
export async function appendAudit(db: Kysely<Database>, entry: AuditEntry): Promise<AuditEventRow> {
  if (!db.isTransaction) return db.transaction().execute((trx) => appendAudit(trx, entry));

  const orgId = normaliseUuid(entry.orgId, 'orgId');
  const caseId = entry.caseId == null ? null : normaliseUuid(entry.caseId, 'caseId');
  if (!(AUDIT_ACTOR_TYPES as readonly string[]).includes(entry.actor.type)) {
    throw new TypeError(`unknown audit actor type: ${String(entry.actor.type)}`);
  }
  if (typeof entry.action !== 'string' || entry.action.length === 0)
    throw new TypeError('audit action must be a non-empty string');
  if (!(entry.at instanceof Date) || Number.isNaN(entry.at.getTime()))
    throw new TypeError('audit `at` must be a valid Date');
  if (typeof entry.data !== 'object' || entry.data === null || Array.isArray(entry.data)) {
    throw new TypeError('audit data must be an object');
  }
  // Hash exactly what the row will read back as: the parsed canonical text, not the caller's object.
  const dataJson = canonicalJson(entry.data);
  const data = JSON.parse(dataJson) as Record<string, unknown>;
  const createdAt = new Date(entry.at.getTime());

  await sql`select pg_advisory_xact_lock(hashtextextended(${`audit:${orgId}`}::text, 0))`.execute(db);
  const last = await db
    .selectFrom('audit_events')
    .select(['seq', 'hash'])
    .where('org_id', '=', orgId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const seq = last ? Number(last.seq) + 1 : 1;
  const prevHash = last?.hash ?? GENESIS_HASH;
  const fields = {
    org_id: orgId,
    seq,
    case_id: caseId,
    actor_type: entry.actor.type,
    actor_id: entry.actor.id ?? null,
    action: entry.action,
    data,
    created_at: createdAt.toISOString(),
  };
  const hash = hashAuditEvent(prevHash, fields);
  const row = await db
    .insertInto('audit_events')
    .values({ ...fields, data: dataJson, created_at: createdAt, prev_hash: prevHash, hash })
    .returningAll()
    .executeTakeFirstOrThrow();
  return normaliseAuditRow(row);
}

export interface ListAuditOptions {
  readonly orgId: string;
  readonly caseId?: string;
  /** Only events after this seq (keyset paging). */
  readonly afterSeq?: number;
  /** 1–1000, default 100. */
  readonly limit?: number;
}

/** An organisation's audit events (optionally one case's) in chain order. */
export async function listAudit(db: Kysely<Database>, options: ListAuditOptions): Promise<AuditEventRow[]> {
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? 100), 1), 1000);
  let query = db.selectFrom('audit_events').selectAll().where('org_id', '=', normaliseUuid(options.orgId, 'orgId'));
  if (options.caseId !== undefined) query = query.where('case_id', '=', normaliseUuid(options.caseId, 'caseId'));
  if (options.afterSeq !== undefined) query = query.where('seq', '>', options.afterSeq);
  const rows = await query.orderBy('seq', 'asc').limit(limit).execute();
  return rows.map(normaliseAuditRow);
}

/** bigint columns as numbers whichever driver read them. */
export function normaliseAuditRow(row: AuditEventRow): AuditEventRow {
  return { ...row, id: Number(row.id), seq: Number(row.seq) };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// The uuid column stores lower case whatever it is given; the hash must see what comes back.
function normaliseUuid(value: string, name: string): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw new TypeError(`${name} must be a UUID`);
  return value.toLowerCase();
}
