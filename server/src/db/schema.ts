import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { IdentityTables } from '../identity/identity-tables.js';
import type { NotificationTables } from '../notifications/notification-tables.js';
import type { SlackTables } from '../slack/slack-tables.js';
import type { ZendeskTables } from '../zendesk/zendesk-tables.js';

/** Timestamps come back as Date; we write Date or ISO strings. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, T | string, T | string>;

export type StaffRole = 'agent' | 'lead' | 'manager' | 'admin' | 'auditor';

export interface OrganisationsTable {
  id: string;
  slug: string;
  name: string;
  timezone: Generated<string>;
  created_at: DefaultedTimestamp;
}

export interface StaffTable {
  id: string;
  org_id: string;
  name: string;
  email: string;
  role: StaffRole;
  external_ids: Json<Record<string, string>>;
  active: Generated<boolean>;
  created_at: DefaultedTimestamp;
}

export interface ApiTokensTable {
  id: string;
  org_id: string;
  staff_id: string;
  token_hash: string;
  label: string;
  created_at: DefaultedTimestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface CustomersTable {
  id: string;
  org_id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  tier: Generated<string>;
  external_ids: Json<Record<string, string>>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface PaymentsTable {
  id: string;
  org_id: string;
  customer_id: string | null;
  gateway: string;
  gateway_payment_id: string;
  amount: number;
  currency: string;
  status: 'captured' | 'pending' | 'failed';
  captured_at: Timestamp;
  method_type: string;
  brand: string | null;
  last4: string | null;
  exp_month: number | null;
  exp_year: number | null;
  funding: string | null;
  card_present: Generated<boolean>;
  description: string | null;
  source: string;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export type RefundState = 'reserved' | 'unknown' | 'pending' | 'succeeded' | 'failed';

export interface RefundsTable {
  id: string;
  org_id: string;
  payment_id: string;
  case_id: string | null;
  idempotency_key: string | null;
  gateway_refund_id: string | null;
  amount: number;
  currency: string;
  state: RefundState;
  failure_reason: string | null;
  origin: 'refund_desk' | 'external';
  tries: Generated<number>;
  next_check_at: Timestamp | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface CreditBalancesTable {
  id: string;
  org_id: string;
  customer_id: string;
  source_system: string;
  external_ref: string;
  amount: number;
  currency: string;
  as_of: Timestamp;
  updated_at: DefaultedTimestamp;
}

export interface ReasonCodesTable {
  org_id: string;
  code: string;
  label: string;
  refund_window_days: number;
  gateway_reason: Generated<string>;
  active: Generated<boolean>;
}

export interface ApprovalPoliciesTable {
  org_id: string;
  policy: Json<unknown>;
  updated_by: string | null;
  updated_at: DefaultedTimestamp;
}

export interface RefundCasesTable {
  id: string;
  org_id: string;
  reference: string;
  payment_id: string;
  customer_id: string | null;
  amount: number;
  currency: string;
  reason_code: string;
  note: string | null;
  state: string;
  source: string;
  ticket_system: string | null;
  ticket_ref: string | null;
  requested_by: string | null;
  required_role: string | null;
  eligibility: Json<unknown>;
  decided_by: string | null;
  decided_at: Timestamp | null;
  decision_channel: string | null;
  decision_reason: string | null;
  decision_evidence: Json<unknown> | null;
  exception_reason: string | null;
  attempt_count: Generated<number>;
  retry_of: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface AuditEventsTable {
  id: Generated<number>;
  org_id: string;
  seq: number;
  case_id: string | null;
  actor_type: string;
  actor_id: string | null;
  action: string;
  data: Json<Record<string, unknown>>;
  created_at: Timestamp;
  prev_hash: string;
  hash: string;
}

export interface InboundEventsTable {
  id: string;
  org_id: string;
  vendor: string;
  event_id: string;
  event_type: string;
  payload: Json<unknown>;
  received_at: DefaultedTimestamp;
  processed_at: Timestamp | null;
}

/** One organisation's credentials for one gateway, AES-256-GCM encrypted. */
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

export interface EventCursorsTable {
  consumer: string;
  org_id: string;
  last_seq: number;
  updated_at: DefaultedTimestamp;
}

export interface InstanceKeysTable {
  name: string;
  value: string;
  created_at: DefaultedTimestamp;
}

export interface SpentLinksTable {
  link_id: string;
  org_id: string;
  purpose: string;
  spent_at: DefaultedTimestamp;
}

/** Every table; each area past the engine declares its own tables in its folder. */
export interface Database extends ZendeskTables, SlackTables, NotificationTables, IdentityTables {
  organisations: OrganisationsTable;
  staff: StaffTable;
  api_tokens: ApiTokensTable;
  customers: CustomersTable;
  payments: PaymentsTable;
  refunds: RefundsTable;
  credit_balances: CreditBalancesTable;
  reason_codes: ReasonCodesTable;
  approval_policies: ApprovalPoliciesTable;
  refund_cases: RefundCasesTable;
  audit_events: AuditEventsTable;
  inbound_events: InboundEventsTable;
  gateway_settings: GatewaySettingsTable;
  reconciliation_issues: ReconciliationIssuesTable;
  event_cursors: EventCursorsTable;
  instance_keys: InstanceKeysTable;
  spent_links: SpentLinksTable;
}

export type PaymentRow = Selectable<PaymentsTable>;
export type RefundRow = Selectable<RefundsTable>;
export type RefundCaseRow = Selectable<RefundCasesTable>;
export type NewRefundCase = Insertable<RefundCasesTable>;
export type RefundCaseUpdate = Updateable<RefundCasesTable>;
export type StaffRow = Selectable<StaffTable>;
export type CustomerRow = Selectable<CustomersTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
