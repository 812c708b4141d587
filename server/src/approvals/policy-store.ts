import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { type ApprovalPolicy, DEFAULT_POLICY, policySchema } from './policy.js';

/** The organisation's policy (the default until an admin saves one). */
export async function loadPolicy(db: Kysely<Database>, orgId: string): Promise<ApprovalPolicy> {
  const row = await db.selectFrom('approval_policies').select('policy').where('org_id', '=', orgId).executeTakeFirst();
  return row ? policySchema.parse(row.policy) : DEFAULT_POLICY;
}

/** Validates and stores a policy; returns what was stored. */
export async function savePolicy(
  db: Kysely<Database>,
  orgId: string,
  policy: unknown,
  updatedBy: string,
): Promise<ApprovalPolicy> {
  const parsed = policySchema.parse(policy);
  await db
    .insertInto('approval_policies')
    .values({ org_id: orgId, policy: JSON.stringify(parsed), updated_by: updatedBy })
    .onConflict((oc) =>
      oc
        .column('org_id')
        .doUpdateSet({ policy: JSON.stringify(parsed), updated_by: updatedBy, updated_at: new Date() }),
    )
    .execute();
  return parsed;
}
