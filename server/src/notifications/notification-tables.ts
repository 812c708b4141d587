/** Tables of the customer notifications area (issue 7); `Database` in db/schema.ts extends this. */
import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type ConsentState = 'granted' | 'revoked';
export type NotificationChannel = 'sms' | 'email';
export type NotificationStatus = 'sending' | 'sent' | 'delivered' | 'failed' | 'bounced' | 'unknown' | 'skipped';

/** A customer's message language and per-channel consent (source and time of the last change). */
export interface NotificationContactsTable {
  org_id: string;
  customer_id: string;
  locale: ColumnType<string, string | undefined, string>;
  sms_consent: ConsentState | null;
  sms_consent_source: string | null;
  sms_consent_at: Timestamp | null;
  email_consent: ConsentState | null;
  email_consent_source: string | null;
  email_consent_at: Timestamp | null;
  updated_at: DefaultedTimestamp;
}

/** One message of one stage of one case on one channel (unique), and what became of it. */
export interface NotificationsTable {
  id: string;
  org_id: string;
  case_id: string;
  stage: string;
  channel: NotificationChannel;
  status: NotificationStatus;
  locale: string;
  recipient: string | null;
  vendor_message_id: string | null;
  error_code: string | null;
  created_at: DefaultedTimestamp;
  sent_at: Timestamp | null;
  updated_at: DefaultedTimestamp;
}

export interface NotificationTables {
  notification_contacts: NotificationContactsTable;
  notifications: NotificationsTable;
}
