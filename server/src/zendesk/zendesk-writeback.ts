import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context.js';
import { executeSqlIn } from '../db/database.js';
import type { CaseEventConsumer } from '../events/case-events.js';
import { type Helpdesk, HelpdeskError } from '../ports/helpdesk.js';
import { withHelpdeskRetries } from './helpdesk-retry.js';
import type { ZendeskConnections } from './zendesk-connections.js';
import { zendeskWritebackJob } from './zendesk-jobs.js';
import { type NoteFacts, noteFor, type Stage, stageOf, tagsFor } from './zendesk-stages.js';

const LEASE_MS = 120_000;

/**
 * The `zendesk` case-event consumer: for cases opened on a Zendesk ticket, records each stage once
 * (unique per case and stage) and enqueues the write-back job, in the dispatcher's transaction.
 */
export const zendeskWritebackConsumer: CaseEventConsumer = {
  name: 'zendesk',
  wants: (event) => stageOf(event) !== undefined,
  async handle(trx, event, ctx) {
    const mapped = stageOf(event);
    if (!mapped) return;
    const caseRow = await trx
      .selectFrom('refund_cases')
      .select(['ticket_system', 'ticket_ref'])
      .where('id', '=', event.caseId)
      .where('org_id', '=', event.orgId)
      .executeTakeFirst();
    if (caseRow?.ticket_system !== 'zendesk' || !caseRow.ticket_ref) return;
    const inserted = await trx
      .insertInto('zendesk_writebacks')
      .values({
        id: randomUUID(),
        org_id: event.orgId,
        case_id: event.caseId,
        ticket_id: caseRow.ticket_ref,
        stage: mapped.stage,
        seq: event.seq,
        data: JSON.stringify(mapped.data),
      })
      .onConflict((oc) => oc.columns(['org_id', 'case_id', 'stage']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return;
    await ctx.queue.send(
      zendeskWritebackJob,
      { orgId: event.orgId, caseId: event.caseId },
      { executeSql: executeSqlIn(trx) },
    );
  },
};

/** Takes a lease on every pending stage of the case, or none when another worker holds one (order matters). */
async function claimStages(ctx: AppContext, orgId: string, caseId: string) {
  return ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    const rows = await trx
      .selectFrom('zendesk_writebacks')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('case_id', '=', caseId)
      .where('done_at', 'is', null)
      .orderBy('seq', 'asc')
      .forUpdate()
      .execute();
    if (rows.some((r) => r.lease_until !== null && r.lease_until > now)) return 'busy' as const;
    if (rows.length === 0) return [];
    await trx
      .updateTable('zendesk_writebacks')
      .set((eb) => ({ lease_until: new Date(now.getTime() + LEASE_MS), tries: eb('tries', '+', 1) }))
      .where(
        'id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    return rows;
  });
}

async function noteFacts(ctx: AppContext, orgId: string, caseId: string) {
  const row = await ctx.db
    .selectFrom('refund_cases as c')
    .innerJoin('payments as p', 'p.id', 'c.payment_id')
    .leftJoin('reason_codes as r', (j) => j.onRef('r.org_id', '=', 'c.org_id').onRef('r.code', '=', 'c.reason_code'))
    .leftJoin('staff as s', 's.id', 'c.requested_by')
    .select([
      'c.reference',
      'c.amount',
      'c.currency',
      'c.reason_code',
      'r.label',
      'p.gateway',
      's.name',
      'c.exception_reason',
      'c.decision_reason',
    ])
    .where('c.id', '=', caseId)
    .where('c.org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  return {
    reference: row.reference,
    amount: row.amount,
    currency: row.currency,
    reasonLabel: row.label ?? row.reason_code,
    gateway: row.gateway,
    requestedBy: row.name,
    exceptionReason: row.exception_reason,
    decisionReason: row.decision_reason,
  };
}

async function writeStage(
  helpdesk: Helpdesk,
  ticketId: string,
  stage: Stage,
  note: string,
  hasTriedBefore: boolean,
): Promise<void> {
  const marker = note.slice(note.lastIndexOf('\n') + 1);
  const tags = tagsFor(stage);
  await withHelpdeskRetries(async (attempt) => {
    // after a lost response the note may be there already: look before posting it again
    const mustLook = hasTriedBefore || attempt > 0;
    const isPosted = mustLook && (await helpdesk.listComments({ ticketId })).some((c) => c.body.includes(marker));
    await helpdesk.updateTicket({
      ticketId,
      internalNote: isPosted ? undefined : note,
      addTags: tags.add,
      removeTags: tags.remove,
    });
  });
}

/** The write-back job: each pending stage of the case, in chain order, one note and its tags. */
export async function writeBackCase(
  ctx: AppContext,
  connections: ZendeskConnections,
  input: { readonly orgId: string; readonly caseId: string },
): Promise<void> {
  const claimed = await claimStages(ctx, input.orgId, input.caseId);
  if (claimed === 'busy') {
    // another worker is on this case; come back when its lease may have ended (stages stay in order)
    await ctx.queue.send(zendeskWritebackJob, input, { startAfterSeconds: 2 });
    return;
  }
  if (claimed.length === 0) return;
  const release = (ids: string[]) =>
    ids.length === 0
      ? Promise.resolve()
      : ctx.db.updateTable('zendesk_writebacks').set({ lease_until: null }).where('id', 'in', ids).execute();
  const connection = await connections.forOrg(input.orgId);
  if (!connection) {
    await release(claimed.map((r) => r.id));
    throw new Error('Zendesk is not configured for this organisation; the write-back waits');
  }
  const facts = await noteFacts(ctx, input.orgId, input.caseId);
  const staffIdOf = (data: Record<string, unknown>) =>
    typeof data['staffId'] === 'string' ? data['staffId'] : undefined;
  const staffIds = [...new Set(claimed.map((row) => staffIdOf(row.data ?? {})).filter((id) => id !== undefined))];
  const staffNames = new Map(
    staffIds.length === 0
      ? []
      : (
          await ctx.db
            .selectFrom('staff')
            .select(['id', 'name'])
            .where('org_id', '=', input.orgId)
            .where('id', 'in', staffIds)
            .execute()
        ).map((s) => [s.id, s.name] as const),
  );
  for (const [index, row] of claimed.entries()) {
    const data = row.data ?? {};
    const staffId = staffIdOf(data);
    const staffName = staffId ? (staffNames.get(staffId) ?? null) : null;
    const note = noteFor(row.stage as Stage, data, { ...facts, staffName } satisfies NoteFacts);
    try {
      await writeStage(connection.helpdesk, row.ticket_id, row.stage as Stage, note, row.tries > 0);
    } catch (error) {
      if (error instanceof HelpdeskError && error.code === 'not_found') {
        ctx.logger.warn({ caseId: input.caseId, stage: row.stage }, 'the Zendesk ticket is gone; write-back dropped');
      } else {
        await release(claimed.slice(index).map((r) => r.id));
        throw error;
      }
    }
    await ctx.db
      .updateTable('zendesk_writebacks')
      .set({ done_at: ctx.clock.now(), lease_until: null })
      .where('id', '=', row.id)
      .execute();
  }
}
