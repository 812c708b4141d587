import { createHash } from 'node:crypto';
import type { AuditEventRow } from '../db/schema.js';
import { canonicalJson } from './canonical-json.js';

/** The `prev_hash` of an organisation's first audit event. */
export const GENESIS_HASH = '0'.repeat(64);

/** The columns an audit event's hash covers, as they read back from the stored row. */
export interface AuditHashFields {
  readonly org_id: string;
  readonly seq: number;
  readonly case_id: string | null;
  readonly actor_type: string;
  readonly actor_id: string | null;
  readonly action: string;
  readonly data: Record<string, unknown>;
  /** ISO 8601 with milliseconds, UTC (`Date#toISOString`). */
  readonly created_at: string;
}

/** `sha256_hex(prevHash ‖ canonicalJson(fields))`: one link of an organisation's chain. */
export function hashAuditEvent(prevHash: string, fields: AuditHashFields): string {
  const hashed: Record<keyof AuditHashFields, unknown> = {
    org_id: fields.org_id,
    seq: fields.seq,
    case_id: fields.case_id,
    actor_type: fields.actor_type,
    actor_id: fields.actor_id,
    action: fields.action,
    data: fields.data,
    created_at: fields.created_at,
  };
  return createHash('sha256').update(prevHash).update(canonicalJson(hashed)).digest('hex');
}

/** Recomputes a stored row's hash from its own columns (its `prev_hash` included). */
export function hashStoredAuditEvent(row: AuditEventRow): string {
  return hashAuditEvent(row.prev_hash, {
    org_id: row.org_id,
    seq: Number(row.seq),
    case_id: row.case_id,
    actor_type: row.actor_type,
    actor_id: row.actor_id,
    action: row.action,
    data: row.data,
    created_at: new Date(row.created_at).toISOString(),
  });
}
