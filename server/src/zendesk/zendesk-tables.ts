/** Tables of the Zendesk area (issue 5); `Database` in db/schema.ts extends this. */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by the area's migration
export interface ZendeskTables {}
