import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { DEFAULT_POLICY } from '../approvals/policy.js';
import type { Database, StaffRole, StaffRow } from '../db/schema.js';
import { AppError } from '../errors/app-error.js';
import { DEFAULT_REASON_CODES } from '../refunds/reason-codes.js';
import { generateToken, hashToken } from './tokens.js';

export interface NewOrganisation {
  readonly slug: string;
  readonly name: string;
  readonly timezone?: string;
}

/** Creates an organisation with the default reason codes and approval policy. */
export async function createOrganisation(
  db: Kysely<Database>,
  input: NewOrganisation,
): Promise<{ id: string; slug: string }> {
  if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(input.slug)) {
    throw new AppError('invalid_request', 'slug must be 2–63 lower-case letters, digits or hyphens');
  }
  const id = randomUUID();
  await db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('organisations')
      .select('id')
      .where('slug', '=', input.slug)
      .executeTakeFirst();
    if (existing) throw new AppError('conflict', `organisation "${input.slug}" already exists`);
    await trx
      .insertInto('organisations')
      .values({ id, slug: input.slug, name: input.name, timezone: input.timezone ?? 'UTC' })
      .execute();
    await trx
      .insertInto('reason_codes')
      .values(
        DEFAULT_REASON_CODES.map((r) => ({
          org_id: id,
          code: r.code,
          label: r.label,
          refund_window_days: r.refundWindowDays,
          gateway_reason: r.gatewayReason,
        })),
      )
      .execute();
    await trx
      .insertInto('approval_policies')
      .values({ org_id: id, policy: JSON.stringify(DEFAULT_POLICY) })
      .execute();
  });
  return { id, slug: input.slug };
}

export interface NewStaff {
  readonly orgId: string;
  readonly name: string;
  readonly email: string;
  readonly role: StaffRole;
  readonly externalIds?: Record<string, string>;
}

/** Creates a staff member and their first API token (returned once, stored hashed). */
export async function createStaff(
  db: Kysely<Database>,
  input: NewStaff,
  token = generateToken(),
): Promise<{ staff: StaffRow; token: string }> {
  const email = input.email.trim().toLowerCase();
  return db.transaction().execute(async (trx) => {
    const clash = await trx
      .selectFrom('staff')
      .select('id')
      .where('org_id', '=', input.orgId)
      .where('email', '=', email)
      .executeTakeFirst();
    if (clash) throw new AppError('conflict', `a staff member with email ${email} already exists`);
    const staff = await trx
      .insertInto('staff')
      .values({
        id: randomUUID(),
        org_id: input.orgId,
        name: input.name,
        email,
        role: input.role,
        external_ids: JSON.stringify(input.externalIds ?? {}),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await insertToken(trx, staff, token, 'initial');
    return { staff, token };
  });
}

/** Issues another API token for an existing staff member. */
export async function issueToken(
  db: Kysely<Database>,
  staff: Pick<StaffRow, 'id' | 'org_id'>,
  label: string,
  token = generateToken(),
): Promise<string> {
  await insertToken(db, staff, token, label);
  return token;
}

async function insertToken(
  db: Kysely<Database>,
  staff: Pick<StaffRow, 'id' | 'org_id'>,
  token: string,
  label: string,
): Promise<void> {
  await db
    .insertInto('api_tokens')
    .values({ id: randomUUID(), org_id: staff.org_id, staff_id: staff.id, token_hash: hashToken(token), label })
    .execute();
}

export async function findOrganisationBySlug(db: Kysely<Database>, slug: string) {
  return db.selectFrom('organisations').selectAll().where('slug', '=', slug).executeTakeFirst();
}
