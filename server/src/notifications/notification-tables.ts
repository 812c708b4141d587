/** Tables of the customer notifications area (issue 7); `Database` in db/schema.ts extends this. */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by the area's migration
export interface NotificationTables {}
