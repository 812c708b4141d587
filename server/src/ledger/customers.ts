import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CustomerRow, Database } from '../db/schema.js';

export interface CustomerFacts {
  readonly name?: string | null | undefined;
  readonly email?: string | null | undefined;
  readonly phone?: string | null | undefined;
  readonly tier?: string | undefined;
  readonly externalIds?: Readonly<Record<string, string>> | undefined;
}

/** Emails compare case-insensitively; phones by digits with a leading + kept. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function normalisePhone(phone: string): string {
  const trimmed = phone.trim();
  return (trimmed.startsWith('+') ? '+' : '') + trimmed.replace(/\D/g, '');
}

/** Finds the organisation's customer by email (else phone) or creates one; fills in missing facts. */
export async function upsertCustomer(
  db: Kysely<Database>,
  orgId: string,
  facts: CustomerFacts,
): Promise<CustomerRow | undefined> {
  const email = facts.email ? normaliseEmail(facts.email) : null;
  const phone = facts.phone ? normalisePhone(facts.phone) : null;
  if (!email && !phone) return undefined;
  let query = db.selectFrom('customers').selectAll().where('org_id', '=', orgId);
  query = email ? query.where('email', '=', email) : query.where('phone', '=', phone);
  const existing = await query.forUpdate().executeTakeFirst();
  if (existing) {
    return db
      .updateTable('customers')
      .set({
        name: existing.name ?? facts.name ?? null,
        phone: existing.phone ?? phone,
        ...(facts.tier ? { tier: facts.tier } : {}),
        external_ids: JSON.stringify({ ...existing.external_ids, ...facts.externalIds }),
        updated_at: new Date(),
      })
      .where('id', '=', existing.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }
  return db
    .insertInto('customers')
    .values({
      id: randomUUID(),
      org_id: orgId,
      name: facts.name ?? null,
      email,
      phone,
      tier: facts.tier ?? 'standard',
      external_ids: JSON.stringify(facts.externalIds ?? {}),
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst()
    .then(async (row) => row ?? (await upsertCustomer(db, orgId, facts)));
}
