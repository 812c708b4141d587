import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { canonicalJson } from './canonical-json.js';
import { type ReadAuditEventsOptions, readAuditEvents } from './read-audit-events.js';

/** Which events: `from` inclusive, `to` exclusive, on `created_at`. */
export type AuditExportOptions = ReadAuditEventsOptions;

export const AUDIT_CSV_COLUMNS = [
  'seq',
  'created_at',
  'case_id',
  'actor_type',
  'actor_id',
  'action',
  'data',
  'prev_hash',
  'hash',
] as const;

/**
 * The organisation's audit events as RFC 4180 CSV, one line (CRLF-terminated) per yield, header
 * first. Meant for spreadsheets: a cell starting with `=`, `+`, `-` or `@` is prefixed with `'`
 * so it is never run as a formula, which means the cell no longer equals the stored value. To
 * re-verify hashes outside the server, use the NDJSON export.
 */
export async function* exportAuditCsv(db: Kysely<Database>, options: AuditExportOptions): AsyncGenerator<string> {
  yield toCsvLine(AUDIT_CSV_COLUMNS);
  for await (const row of readAuditEvents(db, options)) {
    yield toCsvLine([
      String(row.seq),
      row.created_at.toISOString(),
      row.case_id ?? '',
      row.actor_type,
      row.actor_id ?? '',
      row.action,
      canonicalJson(row.data),
      row.prev_hash,
      row.hash,
    ]);
  }
}

/** The organisation's audit events as NDJSON: one canonical JSON object per `\n`-terminated line. */
export async function* exportAuditNdjson(db: Kysely<Database>, options: AuditExportOptions): AsyncGenerator<string> {
  for await (const row of readAuditEvents(db, options)) {
    yield `${canonicalJson({ ...row, created_at: row.created_at.toISOString() })}\n`;
  }
}

const FORMULA_START = /^[=+\-@]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV cell: formula-neutralised, then quoted (inner quotes doubled) if it holds `,`, `"` or a line break. */
export function toCsvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function toCsvLine(cells: readonly string[]): string {
  return `${cells.map(toCsvCell).join(',')}\r\n`;
}
