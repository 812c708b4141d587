import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Principal, Proof } from '../http/auth.js';
import { normaliseEmail } from '../ledger/customers.js';
import type { HelpdeskUser } from '../ports/helpdesk.js';

/**
 * The staff member a Zendesk agent is: linked by `staff.external_ids.zendesk` (the Zendesk user
 * id), else by email. End users never map to staff, whatever their email says. `proof` says how
 * Zendesk told us it was this agent (a signed-URL token, the author of a ticket audit).
 */
export async function staffForZendeskUser(
  db: Kysely<Database>,
  orgId: string,
  user: HelpdeskUser,
  proof: Extract<Proof, 'zendesk_signed_url' | 'zendesk_ticket_audit'>,
): Promise<Principal | undefined> {
  if (user.role === 'end-user') return undefined;
  const email = normaliseEmail(user.email ?? '');
  const rows = await db
    .selectFrom('staff')
    .select(['id', 'org_id', 'role', 'name', 'email', sql<string | null>`external_ids->>'zendesk'`.as('zendesk_id')])
    .where('org_id', '=', orgId)
    .where('active', '=', true)
    .where((eb) => eb.or([eb(sql`external_ids->>'zendesk'`, '=', user.id), eb('email', '=', email)]))
    .execute();
  const row = rows.find((r) => r.zendesk_id === user.id) ?? rows.find((r) => r.email === email && !r.zendesk_id);
  if (!row) return undefined;
  return {
    orgId: row.org_id,
    staffId: row.id,
    role: row.role,
    name: row.name,
    email: row.email,
    channel: 'zendesk',
    proof,
  };
}
