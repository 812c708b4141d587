import type { Kysely } from 'kysely';
import type { Database, RefundCaseRow } from '../db/schema.js';
import { AppError } from '../errors/app-error.js';

export interface CaseFilter {
  readonly state?: string | undefined;
  readonly source?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly ticketRef?: string | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** Keyset pagination on (created_at, id), newest first; the cursor is opaque to clients. */
export async function listCases(
  db: Kysely<Database>,
  orgId: string,
  filter: CaseFilter,
): Promise<{ rows: RefundCaseRow[]; nextCursor: string | null }> {
  let query = db.selectFrom('refund_cases').selectAll().where('org_id', '=', orgId);
  if (filter.state) query = query.where('state', '=', filter.state);
  if (filter.source) query = query.where('source', '=', filter.source);
  if (filter.ticketRef) query = query.where('ticket_ref', '=', filter.ticketRef);
  if (filter.from) query = query.where('created_at', '>=', new Date(filter.from));
  if (filter.to) query = query.where('created_at', '<', new Date(filter.to));
  if (filter.cursor) {
    const { at, id } = decodeCursor(filter.cursor);
    query = query.where((eb) =>
      eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]),
    );
  }
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit + 1)
    .execute();
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return { rows: page, nextCursor: rows.length > filter.limit && last ? encodeCursor(last) : null };
}

function encodeCursor(row: RefundCaseRow): string {
  return Buffer.from(JSON.stringify({ at: row.created_at.toISOString(), id: row.id })).toString('base64url');
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { at?: unknown; id?: unknown };
    const at = new Date(String(parsed.at));
    if (typeof parsed.id !== 'string' || Number.isNaN(at.getTime())) throw new Error('bad cursor');
    return { at, id: parsed.id };
  } catch {
    throw new AppError('invalid_request', 'the cursor is not one we issued');
  }
}
