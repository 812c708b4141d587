import type { Kysely } from 'kysely';
import type { AuditEventRow, Database } from '../db/schema.js';
import { GENESIS_HASH, hashStoredAuditEvent } from './audit-hash.js';
import { readAuditEvents } from './read-audit-events.js';

export type ChainBreakReason = 'hash_mismatch' | 'prev_hash_mismatch' | 'sequence_gap';

export type ChainVerification =
  | { readonly ok: true; readonly checked: number; readonly lastHash: string }
  | {
      readonly ok: false;
      /** Rows read up to and including the broken one. */
      readonly checked: number;
      readonly firstBroken: { readonly id: number; readonly seq: number; readonly reason: ChainBreakReason };
    };

export interface VerifyChainOptions {
  readonly orgId: string;
  /** Rows read per query; default 1000. */
  readonly pageSize?: number;
}

/**
 * Walks one organisation's audit chain in seq order, a page at a time, and names the first row
 * whose seq does not follow its predecessor (`sequence_gap`: a row was removed before it), whose
 * `prev_hash` is not the predecessor's hash (`prev_hash_mismatch`: a row before it was rewritten
 * with a fresh hash), or whose columns no longer produce its `hash` (`hash_mismatch`).
 */
export async function verifyAuditChain(db: Kysely<Database>, options: VerifyChainOptions): Promise<ChainVerification> {
  let checked = 0;
  let lastHash = GENESIS_HASH;
  for await (const row of readAuditEvents(db, options)) {
    checked += 1;
    const reason = findBreak(row, checked, lastHash);
    if (reason) return { ok: false, checked, firstBroken: { id: row.id, seq: row.seq, reason } };
    lastHash = row.hash;
  }
  return { ok: true, checked, lastHash };
}

function findBreak(row: AuditEventRow, expectedSeq: number, expectedPrevHash: string): ChainBreakReason | null {
  if (row.seq !== expectedSeq) return 'sequence_gap';
  if (row.prev_hash !== expectedPrevHash) return 'prev_hash_mismatch';
  if (hashStoredAuditEvent(row) !== row.hash) return 'hash_mismatch';
  return null;
}

export interface OrganisationVerification {
  readonly orgId: string;
  readonly slug: string;
  readonly result: ChainVerification;
}

/** Verifies every organisation's chain, in slug order. */
export async function verifyAllOrganisations(db: Kysely<Database>): Promise<OrganisationVerification[]> {
  const organisations = await db.selectFrom('organisations').select(['id', 'slug']).orderBy('slug', 'asc').execute();
  const results: OrganisationVerification[] = [];
  for (const org of organisations) {
    results.push({ orgId: org.id, slug: org.slug, result: await verifyAuditChain(db, { orgId: org.id }) });
  }
  return results;
}
