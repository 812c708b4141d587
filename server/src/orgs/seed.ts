import type { Kysely } from 'kysely';
import type { Database, StaffRole } from '../db/schema.js';
import { AppError } from '../errors/app-error.js';
import { createOrganisation, createStaff, findOrganisationBySlug } from './organisations.js';

export const DEFAULT_ORG_SLUG = 'default';

/** True for the organisation configured by environment variables (slug `default`). */
export async function isDefaultOrganisation(db: Kysely<Database>, orgId: string): Promise<boolean> {
  const org = await db.selectFrom('organisations').select('slug').where('id', '=', orgId).executeTakeFirst();
  return org?.slug === DEFAULT_ORG_SLUG;
}

/** The API stores connectors of other organisations only; `what` completes "the default organisation’s … configured by environment variables". */
export async function refuseForDefaultOrganisation(db: Kysely<Database>, orgId: string, what: string): Promise<void> {
  if (await isDefaultOrganisation(db, orgId)) {
    throw new AppError('conflict', `the default organisation’s ${what} configured by environment variables`);
  }
}

/** The default organisation's staff created at first start (the sandboxes know them by these emails). */
export const DEMO_STAFF: ReadonlyArray<{ role: StaffRole; name: string; email: string }> = [
  { role: 'agent', name: 'Alex Agent', email: 'agent@refund-desk.local' },
  { role: 'lead', name: 'Lee Lead', email: 'lead@refund-desk.local' },
  { role: 'manager', name: 'Morgan Manager', email: 'manager@refund-desk.local' },
  { role: 'admin', name: 'Ari Admin', email: 'admin@refund-desk.local' },
  { role: 'auditor', name: 'Avery Auditor', email: 'auditor@refund-desk.local' },
];

export interface FirstStart {
  readonly orgId: string;
  /** Tokens created now (shown once). Empty when the organisation existed already. */
  readonly tokens: ReadonlyArray<{ role: StaffRole; name: string; email: string; token: string }>;
  readonly created: boolean;
}

/**
 * On an empty database: the default organisation with one staff member per role (tokens returned
 * once), and BOOTSTRAP_ADMIN_TOKEN as an admin token when given. Later starts change nothing.
 */
export async function ensureDefaultOrganisation(
  db: Kysely<Database>,
  options: { readonly bootstrapAdminToken?: string | undefined },
): Promise<FirstStart> {
  const existing = await findOrganisationBySlug(db, DEFAULT_ORG_SLUG);
  if (existing) return { orgId: existing.id, tokens: [], created: false };
  let org: { id: string };
  try {
    org = await createOrganisation(db, { slug: DEFAULT_ORG_SLUG, name: 'Default organisation' });
  } catch (error) {
    // another process (a second web node) seeded it first
    const raced = await findOrganisationBySlug(db, DEFAULT_ORG_SLUG);
    if (raced) return { orgId: raced.id, tokens: [], created: false };
    throw error;
  }
  const tokens = [];
  for (const member of DEMO_STAFF) {
    const token = member.role === 'admin' && options.bootstrapAdminToken ? options.bootstrapAdminToken : undefined;
    const created = await createStaff(db, { orgId: org.id, ...member }, token);
    tokens.push({ ...member, token: created.token });
  }
  return { orgId: org.id, tokens, created: true };
}
