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
  const pending = await ctx.db
    .selectFrom('refund_cases')
    .selectAll()
    .where('state', '=', 'pending_approval')
    .orderBy('created_at', 'asc')
    .limit(1000)
    .execute();
  let reminded = 0;
  let escalated = 0;
  for (const caseRow of pending) {
    const tier = caseRow.required_role ?? 'lead';
    const org = await teams.forOrg(caseRow.org_id);
    const remindAfter = org?.remindAfterHours(tier) ?? ctx.config.APPROVAL_REMIND_AFTER_HOURS;
    const escalateAfter = org?.escalateAfterHours(tier) ?? ctx.config.APPROVAL_ESCALATE_AFTER_HOURS;
    // the clock of a tier starts when the case reached it (its creation, or its last escalation)
    const last = await ctx.db
      .selectFrom('approval_nudges')
      .select((eb) => eb.fn.max('at').as('at'))
      .where('org_id', '=', caseRow.org_id)
      .where('case_id', '=', caseRow.id)
      .where('kind', '=', 'escalation')
      .executeTakeFirst();
    const since = last?.at ? new Date(last.at) : caseRow.created_at;
    const hours = (now.getTime() - since.getTime()) / HOUR_MS;
    const next = NEXT_TIER[tier];
    if (next && hours >= escalateAfter) {
      if (await escalateOnce(ctx, caseRow, tier, next, escalateAfter, now)) escalated++;
    } else if (hours >= remindAfter) {
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
