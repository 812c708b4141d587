import type { Kysely } from 'kysely';
import type { Histogram } from 'prom-client';
import type { Database } from '../db/schema.js';
import type { CaseEvent } from '../events/case-events.js';

const DECISIONS = new Set(['case.approved', 'case.denied', 'case.cancelled', 'case.expired']);

/** Records the case's time to decision once (in the consumer's transaction) and observes it. */
export async function recordDecisionTime(
  trx: Kysely<Database>,
  event: CaseEvent,
  histogram: Histogram<'outcome'>,
): Promise<void> {
  if (!DECISIONS.has(event.action) || event.from !== 'pending_approval') return;
  const routed = await trx
    .selectFrom('audit_events')
    .select('created_at')
    .where('org_id', '=', event.orgId)
    .where('case_id', '=', event.caseId)
    .where('action', '=', 'case.routed_for_approval')
    .orderBy('seq', 'asc')
    .executeTakeFirst();
  if (!routed) return;
  const pendingAt = new Date(routed.created_at);
  const seconds = Math.max(0, (event.at.getTime() - pendingAt.getTime()) / 1000);
  const inserted = await trx
    .insertInto('approval_timings')
    .values({
      case_id: event.caseId,
      org_id: event.orgId,
      outcome: event.to ?? event.action,
      pending_at: pendingAt,
      decided_at: event.at,
      seconds,
    })
    .onConflict((oc) => oc.column('case_id').doNothing())
    .returning('case_id')
    .executeTakeFirst();
  if (inserted) histogram.observe({ outcome: event.to ?? 'unknown' }, seconds);
}
