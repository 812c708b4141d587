import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** A signed-in person on the staff app or a desk sidebar; the token itself is never stored. */
export interface StaffSessionsTable {
  id: string;
  org_id: string;
  /** Null for a desk agent who is not a staff member: such a session reads and requests, never decides. */
  staff_id: string | null;
  kind: 'web' | 'zendesk_sidebar' | 'freshdesk_sidebar';
  proof: string;
  desk_user_id: string | null;
  /** sha256 (hex) of the opaque token handed to the client. */
  token_hash: string;
  idle_timeout_seconds: number;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  idle_expires_at: Timestamp;
  absolute_expires_at: Timestamp;
  stepped_up_at: Timestamp | null;
  revoked_at: Timestamp | null;
  user_agent: string | null;
}

/** Tables of the identity area (issue 11); `Database` in db/schema.ts extends this. */
export interface IdentityTables {
  staff_sessions: StaffSessionsTable;
}
