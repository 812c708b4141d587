import type { ColumnType, Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** One organisation's credentials for one gateway, AES-256-GCM encrypted (migration 20261122000600). */
export interface GatewaySettingsTable {
  org_id: string;
  vendor: string;
  ciphertext: string;
  iv: string;
  tag: string;
  updated_at: DefaultedTimestamp;
}

/** Something reconciliation found the ledger and the gateway disagree on. */
export interface ReconciliationIssuesTable {
  id: string;
  org_id: string;
  payment_id: string;
  refund_id: string | null;
  kind: string;
  details: ColumnType<Record<string, unknown>, string, string>;
  detected_at: DefaultedTimestamp;
  resolved_at: Timestamp | null;
}

/** The schema plus the gateway area's own tables (kept here until the lead folds them into db/schema.ts). */
export interface GatewayDatabase extends Database {
  gateway_settings: GatewaySettingsTable;
  reconciliation_issues: ReconciliationIssuesTable;
}

/** The same connection, typed with the gateway tables. */
export function gatewayDb(db: Kysely<Database>): Kysely<GatewayDatabase> {
  return db as unknown as Kysely<GatewayDatabase>;
}
