import type { AppContext } from '../context.js';
import { DEFAULT_ORG_SLUG } from '../orgs/seed.js';
import type { ZendeskSandbox } from '../sandboxes/zendesk/zendesk-sandbox.js';

/** Forgets sidebar JWT ids whose tokens have expired (they would be refused on `exp` anyway). */
export async function pruneJwtIds(ctx: AppContext): Promise<number> {
  const result = await ctx.db
    .deleteFrom('zendesk_jwt_ids')
    .where('expires_at', '<', ctx.clock.now())
    .executeTakeFirst();
  return Number(result.numDeletedRows ?? 0);
}

/**
 * One ticket per customer of the default organisation (the demo customers), requested by a
 * Zendesk end user with that customer's name and email, so the preview has something to open.
 */
export async function seedSandboxTickets(ctx: AppContext, sandbox: ZendeskSandbox): Promise<void> {
  const customers = await ctx.db
    .selectFrom('customers as c')
    .innerJoin('organisations as o', 'o.id', 'c.org_id')
    .select(['c.name', 'c.email'])
    .where('o.slug', '=', DEFAULT_ORG_SLUG)
    .where('c.email', 'is not', null)
    .orderBy('c.created_at', 'asc')
    .limit(50)
    .execute();
  const existing = new Set([...sandbox.store.tickets.values()].map((t) => t.requester_id));
  for (const customer of customers) {
    const email = customer.email as string;
    const requester = sandbox.store.addUser({ name: customer.name ?? email, email, role: 'end-user' });
    if (existing.has(requester.id)) continue;
    sandbox.store.addTicket({
      subject: `Refund request from ${customer.name ?? email}`,
      body: 'Hello, I would like a refund for my recent payment, please.',
      requesterId: requester.id,
    });
  }
}
