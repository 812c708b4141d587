import { loadPolicy } from '../approvals/policy-store.js';
import type { AppContext } from '../context.js';
import { expireCase } from './case-transitions.js';
import { refundResolveJob } from './refund-jobs.js';
import { MAX_RESOLVE_TRIES } from './resolve-refund.js';

/** Hands stale attempts and due checks to the janitor, and expires approvals nobody answered. */
export async function sweep(ctx: AppContext): Promise<{ resolving: number; expired: number }> {
  const now = ctx.clock.now();
  const leaseCutoff = new Date(now.getTime() - ctx.config.EXECUTION_LEASE_SECONDS * 1000);
  const due = await ctx.db
    .selectFrom('refunds')
    .select(['id', 'org_id'])
    .where('origin', '=', 'refund_desk')
    .where('tries', '<=', MAX_RESOLVE_TRIES)
    .where((eb) =>
      eb.or([
        eb.and([eb('state', '=', 'reserved'), eb('updated_at', '<', leaseCutoff)]),
        eb.and([eb('state', 'in', ['unknown', 'pending']), eb('next_check_at', '<=', now)]),
      ]),
    )
    .limit(500)
    .execute();
  for (const refund of due) {
    await ctx.queue.send(
      refundResolveJob,
      { orgId: refund.org_id, refundId: refund.id },
      { singletonKey: `resolve:${refund.id}` },
    );
  }

  let expired = 0;
  const orgs = await ctx.db
    .selectFrom('refund_cases')
    .select('org_id')
    .where('state', '=', 'pending_approval')
    .groupBy('org_id')
    .execute();
  for (const { org_id } of orgs) {
    const policy = await loadPolicy(ctx.db, org_id);
    const cutoff = new Date(now.getTime() - policy.expireAfterHours * 3600 * 1000);
    const stale = await ctx.db
      .selectFrom('refund_cases')
      .selectAll()
      .where('org_id', '=', org_id)
      .where('state', '=', 'pending_approval')
      .where('created_at', '<', cutoff)
      .limit(500)
      .execute();
    for (const caseRow of stale) {
      const done = await ctx.db.transaction().execute((trx) =>
        expireCase(trx, {
          caseRow,
          actor: { type: 'system', id: 'sweep' },
          at: now,
          data: { afterHours: policy.expireAfterHours },
        }),
      );
      if (done) expired++;
    }
  }
  return { resolving: due.length, expired };
}
