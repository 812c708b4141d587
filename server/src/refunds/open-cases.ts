import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import { OPEN_STATES } from './case-states.js';

/** Cases still holding each payment (eligibility's `no_open_case`), in one query. */
export async function openCasesByPayment(
  db: Kysely<Database>,
  orgId: string,
  paymentIds: readonly string[],
): Promise<Map<string, number>> {
  if (paymentIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('refund_cases')
    .select(['payment_id', sql<number>`count(*)::int`.as('n')])
    .where('org_id', '=', orgId)
    .where('payment_id', 'in', [...paymentIds])
    .where('state', 'in', OPEN_STATES as string[])
    .groupBy('payment_id')
    .execute();
  return new Map(rows.map((row) => [row.payment_id, row.n]));
}

/**
 * Cases still open on one ticket (of one desk, when the system is known). With `exceptPayment`,
 * cases of that payment are left out: they are counted once, as cases on the payment.
 */
export async function openCasesOnTicket(
  db: Kysely<Database>,
  orgId: string,
  ticket: { readonly system?: string | undefined; readonly ref: string },
  options: { readonly exceptPayment?: string } = {},
): Promise<number> {
  let query = db
    .selectFrom('refund_cases')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('org_id', '=', orgId)
    .where('ticket_ref', '=', ticket.ref)
    .where('state', 'in', OPEN_STATES as string[]);
  if (ticket.system) query = query.where('ticket_system', '=', ticket.system);
  if (options.exceptPayment) query = query.where('payment_id', '!=', options.exceptPayment);
  return (await query.executeTakeFirstOrThrow()).n;
}

/** Open cases on one ticket per payment (so each payment's verdict counts the others only). */
export async function openCasesOnTicketByPayment(
  db: Kysely<Database>,
  orgId: string,
  ticket: { readonly system?: string | undefined; readonly ref: string },
): Promise<Map<string, number>> {
  let query = db
    .selectFrom('refund_cases')
    .select(['payment_id', sql<number>`count(*)::int`.as('n')])
    .where('org_id', '=', orgId)
    .where('ticket_ref', '=', ticket.ref)
    .where('state', 'in', OPEN_STATES as string[])
    .groupBy('payment_id');
  if (ticket.system) query = query.where('ticket_system', '=', ticket.system);
  return new Map((await query.execute()).map((row) => [row.payment_id, row.n]));
}
