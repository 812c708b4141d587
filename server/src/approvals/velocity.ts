import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import { formatDecimal, money } from '../money/money.js';
import type { ApprovalPolicy } from './policy.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Velocity limits (count and amount per 24 h, per requester and per organisation) that the new case breaches; each breach forces review. */
export async function velocityBreaches(
  db: Kysely<Database>,
  policy: ApprovalPolicy,
  input: {
    readonly orgId: string;
    readonly requestedBy: string | null;
    readonly now: Date;
  },
): Promise<string[]> {
  const since = new Date(input.now.getTime() - DAY_MS);
  const breaches: string[] = [];
  const scopes = [
    { label: 'this requester', limit: policy.velocity.perRequester, requester: input.requestedBy },
    { label: 'the organisation', limit: policy.velocity.perOrganisation, requester: undefined },
  ];
  for (const scope of scopes) {
    if (!scope.limit || scope.requester === null) continue;
    let query = db
      .selectFrom('refund_cases')
      .select(['currency', sql<number>`count(*)::int`.as('n'), sql<string>`sum(amount)::text`.as('total')])
      .where('org_id', '=', input.orgId)
      .where('created_at', '>', since)
      .where('state', 'not in', ['denied', 'cancelled'])
      .groupBy('currency');
    if (scope.requester) query = query.where('requested_by', '=', scope.requester);
    const rows = await query.execute();
    const count = rows.reduce((sum, row) => sum + row.n, 0);
    if (count > scope.limit.maxCount)
      breaches.push(`velocity: ${count} refunds by ${scope.label} in 24 h (limit ${scope.limit.maxCount})`);
    for (const row of rows) {
      const max = scope.limit.maxAmount[row.currency];
      if (max !== undefined && Number(row.total) > max) {
        breaches.push(
          `velocity: ${row.currency} ${formatDecimal(money(Number(row.total), row.currency))} refunded by ${scope.label} in 24 h (limit ${formatDecimal(money(max, row.currency))})`,
        );
      }
    }
  }
  return breaches;
}
