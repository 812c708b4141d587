/**
 * Nothing waits forever: a case pending longer than its tier's reminder delay gets one reminder
 * (thread + DMs), and longer than the escalation delay goes one tier up (lead → manager), once.
 * Both are recorded in `approval_nudges` (primary key case, kind, tier) in the transaction that
 * acts, so a retried or concurrent run does nothing twice. Time comes from `ctx.clock`.
 */
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/audit-log.js';
import type { AppContext } from '../context.js';
import { executeSqlIn } from '../db/database.js';
import type { Database, RefundCaseRow } from '../db/schema.js';
import { slackNoticeJob } from './slack-jobs.js';
import type { SlackDirectoryOfTeams } from './slack-settings.js';

const HOUR_MS = 3_600_000;
const NEXT_TIER: Readonly<Record<string, string>> = { lead: 'manager' };

/**
 * pending_approval at `from` → pending_approval at the next tier: a conditional update on the case
 * (state and required role unchanged since we read it) and its `case.escalated` audit event, in
 * the caller's transaction. Undefined when the case moved first. The engine has no such
 * transition; this is the Slack area's, and it keeps the engine's rule that every change is audited.
 */
export async function escalateCase(
  trx: Kysely<Database>,
  input: { readonly caseRow: RefundCaseRow; readonly to: string; readonly at: Date; readonly afterHours: number },
): Promise<RefundCaseRow | undefined> {
  const from = input.caseRow.required_role ?? 'lead';
  const updated = await trx
    .updateTable('refund_cases')
    .set({ required_role: input.to, updated_at: input.at })
    .where('id', '=', input.caseRow.id)
    .where('org_id', '=', input.caseRow.org_id)
    .where('state', '=', 'pending_approval')
    .where('required_role', '=', from)
    .returningAll()
    .executeTakeFirst();
  if (!updated) return undefined;
  await appendAudit(trx, {
    orgId: updated.org_id,
    caseId: updated.id,
    actor: { type: 'system', id: 'escalation' },
    action: 'case.escalated',
    data: { fromRole: from, toRole: input.to, afterHours: input.afterHours },
    at: input.at,
  });
  return updated;
}

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
