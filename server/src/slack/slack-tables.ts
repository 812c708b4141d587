/** Tables of the Slack and Teams area (issue 6); `Database` in db/schema.ts extends this. */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by the area's migration
export interface SlackTables {}
