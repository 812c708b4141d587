import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** Sidebar JWT ids already used (replay refusal), kept until they expire. */
export interface ZendeskJwtIdsTable {
  org_id: string;
  jti: string;
  expires_at: Timestamp;
}

/** One write-back to a ticket per case and stage (requested, pending_approval, approved, succeeded, failed, closed). */
export interface ZendeskWritebacksTable {
  id: string;
  org_id: string;
  case_id: string;
  ticket_id: string;
  stage: string;
  /** The audit chain position of the event that produced it (stages are written in this order). */
  seq: number;
  data: ColumnType<Record<string, unknown>, string | undefined, string>;
  lease_until: Timestamp | null;
  done_at: Timestamp | null;
  tries: Generated<number>;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** Who added a refund_approved tag, as the ticket's audit says. */
export type TaggerKind = 'staff' | 'unknown_agent' | 'rule' | 'integration' | 'system';

/** One refund_approved intent = one tag-adding ticket audit; claimed by the first webhook that acts on it. */
export interface ZendeskTagIntentsTable {
  org_id: string;
  ticket_id: string;
  audit_id: string;
  /** The inbound webhook that claimed it (its job retries continue; other webhooks skip). */
  inbound_event_id: string;
  tagger_user_id: string | null;
  tagger_kind: TaggerKind;
  outcome: string | null;
  case_id: string | null;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  decided_at: Timestamp | null;
}

/** Tables of the Zendesk area (issue 5); `Database` in db/schema.ts extends this. */
export interface ZendeskTables {
  zendesk_jwt_ids: ZendeskJwtIdsTable;
  zendesk_writebacks: ZendeskWritebacksTable;
  zendesk_tag_intents: ZendeskTagIntentsTable;
}
