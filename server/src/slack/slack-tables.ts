import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** Slack workspace → organisation (besides SLACK_TEAM_ID for the default organisation). */
export interface SlackTeamsTable {
  team_id: string;
  org_id: string;
  created_at: DefaultedTimestamp;
}

/** Where a case's approval card lives, so every later update edits that message. */
export interface SlackCardsTable {
  case_id: string;
  org_id: string;
  channel: string;
  ts: string;
  posted_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

/** Reminders and escalations done, once per case, kind and tier. */
export interface ApprovalNudgesTable {
  case_id: string;
  org_id: string;
  kind: 'reminder' | 'escalation';
  tier: string;
  at: Timestamp;
}

/** Time to decision per case. */
export interface ApprovalTimingsTable {
  case_id: string;
  org_id: string;
  outcome: string;
  pending_at: Timestamp;
  decided_at: Timestamp;
  seconds: number;
}

/** Teams alerts posted, once per case and kind. */
export interface TeamsAlertsTable {
  case_id: string;
  org_id: string;
  kind: string;
  posted_at: DefaultedTimestamp;
}

/** Tables of the Slack and Teams area (issue 6); `Database` in db/schema.ts extends this. */
export interface SlackTables {
  slack_teams: SlackTeamsTable;
  slack_cards: SlackCardsTable;
  approval_nudges: ApprovalNudgesTable;
  approval_timings: ApprovalTimingsTable;
  teams_alerts: TeamsAlertsTable;
}
