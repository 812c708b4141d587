import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** Where a one-time payment backfill (organisation, gateway, start date) stands; see payment-backfill.ts. */
export interface PaymentBackfillsTable {
  org_id: string;
  gateway: string;
  since: Timestamp;
  /** The gateway's cursor of the next page to read; null before the first page and once done. */
  cursor: string | null;
  pages: Generated<number>;
  seen: Generated<number>;
  recorded: Generated<number>;
  refunds_recorded: Generated<number>;
  started_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  completed_at: Timestamp | null;
}

export interface BackfillTables {
  payment_backfills: PaymentBackfillsTable;
}
