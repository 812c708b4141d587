/**
 * Nothing waits forever: a case pending longer than its tier's reminder delay gets one reminder
 * (thread + DMs), and longer than the escalation delay goes one tier up (lead → manager), once.
 * Both are recorded in `approval_nudges` (primary key case, kind, tier) in the transaction that
 * acts, so a retried or concurrent run does nothing twice. Time comes from `ctx.clock`.
 */

import type { Kysely } from 'kysely';
import type { AppContext } from '../context.js';
import { executeSqlIn } from '../db/database.js';
import type { Database, RefundCaseRow } from '../db/schema.js';
import { escalateCase } from '../refunds/case-transitions.js';
import { slackNoticeJob } from './slack-jobs.js';
import type { SlackDirectoryOfTeams } from './slack-settings.js';

const HOUR_MS = 3_600_000;
const NEXT_TIER: Readonly<Record<string, string>> = { lead: 'manager' };

/** One pass over every pending case; returns what it did. */
export async function runEscalations(
  ctx: AppContext,
  teams: SlackDirectoryOfTeams,
): Promise<{ reminded: number; escalated: number }> {
  const now = ctx.clock.now();
  // one query: each pending case with when it last moved up a tier and whether its tier was reminded
  const pending = await ctx.db
    .selectFrom('refund_cases as c')
    .selectAll('c')
    .select((eb) => [
      eb
        .selectFrom('approval_nudges as n')
        .select((n) => n.fn.max('n.at').as('at'))
        .whereRef('n.case_id', '=', 'c.id')
        .where('n.kind', '=', 'escalation')
        .as('last_escalated_at'),
      eb
        .exists(
          eb
            .selectFrom('approval_nudges as r')
            .select('r.case_id')
            .whereRef('r.case_id', '=', 'c.id')
            .where('r.kind', '=', 'reminder')
            .where((r) => r('r.tier', '=', r.fn.coalesce('c.required_role', r.val('lead')))),
        )
        .as('reminded'),
    ])
    .where('c.state', '=', 'pending_approval')
    .orderBy('c.created_at', 'asc')
    .limit(1000)
    .execute();
  const orgs = new Map<string, ReturnType<SlackDirectoryOfTeams['forOrg']>>();
  let reminded = 0;
  let escalated = 0;
  for (const { last_escalated_at: lastEscalatedAt, reminded: wasReminded, ...caseRow } of pending) {
    const tier = caseRow.required_role ?? 'lead';
    if (!orgs.has(caseRow.org_id)) orgs.set(caseRow.org_id, teams.forOrg(caseRow.org_id));
    const org = await orgs.get(caseRow.org_id);
    const remindAfter = org?.remindAfterHours(tier) ?? ctx.config.APPROVAL_REMIND_AFTER_HOURS;
    const escalateAfter = org?.escalateAfterHours(tier) ?? ctx.config.APPROVAL_ESCALATE_AFTER_HOURS;
    // the clock of a tier starts when the case reached it (its creation, or its last escalation)
    const since = lastEscalatedAt ? new Date(lastEscalatedAt) : caseRow.created_at;
    const hours = (now.getTime() - since.getTime()) / HOUR_MS;
    const next = NEXT_TIER[tier];
    if (next && hours >= escalateAfter) {
      if (await escalateOnce(ctx, caseRow, tier, next, escalateAfter, now)) escalated++;
    } else if (hours >= remindAfter && !wasReminded) {
      if (await remindOnce(ctx, caseRow, tier, hours, now)) reminded++;
    }
  }
  return { reminded, escalated };
}

function recordNudge(
  trx: Kysely<Database>,
  caseRow: RefundCaseRow,
  kind: 'reminder' | 'escalation',
  tier: string,
  at: Date,
) {
  return trx
    .insertInto('approval_nudges')
    .values({ case_id: caseRow.id, org_id: caseRow.org_id, kind, tier, at })
    .onConflict((oc) => oc.columns(['case_id', 'kind', 'tier']).doNothing())
    .returning('case_id')
    .executeTakeFirst();
}

class CaseMoved extends Error {}

async function escalateOnce(
  ctx: AppContext,
  caseRow: RefundCaseRow,
  tier: string,
  to: string,
  afterHours: number,
  now: Date,
) {
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      if (!(await recordNudge(trx, caseRow, 'escalation', tier, now))) return false;
      // the card and the thread notice follow from the case.escalated event (slack consumer)
      if (!(await escalateCase(trx, { caseRow, to, at: now, afterHours }))) throw new CaseMoved();
      return true;
    });
  } catch (error) {
    if (error instanceof CaseMoved) return false;
    throw error;
  }
}

async function remindOnce(ctx: AppContext, caseRow: RefundCaseRow, tier: string, hours: number, now: Date) {
  return ctx.db.transaction().execute(async (trx) => {
    if (!(await recordNudge(trx, caseRow, 'reminder', tier, now))) return false;
    await ctx.queue.send(
      slackNoticeJob,
      { kind: 'reminder', orgId: caseRow.org_id, caseId: caseRow.id, hours },
      { executeSql: executeSqlIn(trx) },
    );
    return true;
  });
}
