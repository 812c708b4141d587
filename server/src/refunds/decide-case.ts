import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AppContext } from '../context.js';
import { executeSqlIn } from '../db/database.js';
import type { Database, RefundCaseRow } from '../db/schema.js';
import { AppError } from '../errors/app-error.js';
import type { Principal } from '../http/auth.js';
import { lockPayment } from '../ledger/refundable.js';
import { money } from '../money/money.js';
import { type ApproverRole, canApprove } from '../orgs/roles.js';
import { approveCase, cancelCase, denyCase, markRetried, resolveManually } from './case-transitions.js';
import { refundExecuteJob } from './refund-jobs.js';
import { type CaseSource, type RequestOutcome, requestRefund, runExecutionSoon } from './request-refund.js';

/** Who decides and what they saw. */
export interface DecisionInput {
  readonly principal: Principal;
  readonly caseId: string;
  /** Shown to the approver (card, sidebar, page); recorded with the decision. Defaults to the case's eligibility verdict. */
  readonly evidence?: unknown;
  readonly reason?: string | undefined;
}

async function loadCaseForUpdate(trx: Kysely<Database>, orgId: string, caseId: string): Promise<RefundCaseRow> {
  const caseRow = await trx
    .selectFrom('refund_cases')
    .selectAll()
    .where('id', '=', caseId)
    .where('org_id', '=', orgId)
    .forUpdate()
    .executeTakeFirst();
  if (!caseRow) throw new AppError('not_found', 'no such refund case');
  return caseRow;
}

/** A decision lost the race or came too late: say who decided, and when. */
async function alreadyDecided(db: Kysely<Database>, caseRow: RefundCaseRow): Promise<never> {
  const current = await db
    .selectFrom('refund_cases')
    .selectAll()
    .where('id', '=', caseRow.id)
    .executeTakeFirstOrThrow();
  if (current.decision_channel === null) {
    throw new AppError('illegal_transition', `the case is ${current.state} and cannot be decided`, {
      state: current.state,
    });
  }
  const decider = current.decided_by
    ? await db.selectFrom('staff').select(['name', 'email']).where('id', '=', current.decided_by).executeTakeFirst()
    : undefined;
  const by = decider?.name ?? (current.decision_channel === 'policy' ? 'policy' : 'the system');
  throw new AppError('already_decided', `already ${current.state} by ${by}`, {
    state: current.state,
    decidedBy: decider ? { name: decider.name, email: decider.email } : null,
    decidedAt: current.decided_at?.toISOString() ?? null,
    channel: current.decision_channel,
  });
}

/**
 * Loads a pending case of the principal's organisation, checks who may decide it, and applies the
 * conditional transition; a lost race or a late click answers "already decided by …".
 */
async function decidePending(
  ctx: AppContext,
  trx: Kysely<Database>,
  input: DecisionInput,
  move: typeof approveCase,
): Promise<RefundCaseRow> {
  const caseRow = await trx
    .selectFrom('refund_cases')
    .selectAll()
    .where('id', '=', input.caseId)
    .where('org_id', '=', input.principal.orgId)
    .executeTakeFirst();
  if (!caseRow) throw new AppError('not_found', 'no such refund case');
  if (caseRow.state !== 'pending_approval') return alreadyDecided(trx, caseRow);
  assertMayDecide(input.principal, caseRow);
  return (
    (await move(trx, transitionFor(ctx, input, caseRow), decisionOf(input, caseRow))) ?? alreadyDecided(trx, caseRow)
  );
}

/** Approves a pending case: role must cover the tier, requester never approves their own case; one transition however many clicks. */
export async function approve(ctx: AppContext, input: DecisionInput): Promise<RefundCaseRow> {
  const approved = await ctx.db.transaction().execute(async (trx) => {
    const updated = await decidePending(ctx, trx, input, approveCase);
    await ctx.queue.send(
      refundExecuteJob,
      { orgId: updated.org_id, caseId: updated.id },
      { executeSql: executeSqlIn(trx) },
    );
    return updated;
  });
  void runExecutionSoon(ctx, approved);
  return approved;
}

/** Denies a pending case; a reason is required, and the requester cannot deny their own case either. */
export async function deny(ctx: AppContext, input: DecisionInput): Promise<RefundCaseRow> {
  if (!input.reason?.trim()) throw new AppError('invalid_request', 'a reason is required to deny a refund');
  return ctx.db.transaction().execute((trx) => decidePending(ctx, trx, input, denyCase));
}

/** Cancels a pending case: its requester may, and anyone who could approve it. */
export async function cancel(ctx: AppContext, input: DecisionInput): Promise<RefundCaseRow> {
  return ctx.db.transaction().execute(async (trx) => {
    const caseRow = await loadCaseForUpdate(trx, input.principal.orgId, input.caseId);
    if (caseRow.state !== 'pending_approval') {
      throw new AppError('illegal_transition', `a case that is ${caseRow.state} cannot be cancelled`, {
        state: caseRow.state,
      });
    }
    const isRequester = caseRow.requested_by === input.principal.staffId;
    if (!isRequester && !canApprove(input.principal.role, (caseRow.required_role ?? 'lead') as ApproverRole)) {
      throw new AppError('forbidden', 'only the requester or an approver can cancel this case');
    }
    return (
      (await cancelCase(trx, transitionFor(ctx, input, caseRow), decisionOf(input, caseRow))) ??
      alreadyDecided(trx, caseRow)
    );
  });
}

/** exception → retried, opening a new case for the same request (eligibility and policy apply again). */
export async function retry(ctx: AppContext, input: DecisionInput): Promise<RequestOutcome> {
  const caseRow = await ctx.db.transaction().execute(async (trx) => {
    const current = await loadCaseForUpdate(trx, input.principal.orgId, input.caseId);
    if (!canApprove(input.principal.role, 'lead'))
      throw new AppError('forbidden', 'retrying needs a lead, manager or admin');
    return markRetried(trx, transitionFor(ctx, input, current));
  });
  const outcome = await requestRefund(ctx, {
    orgId: caseRow.org_id,
    paymentId: caseRow.payment_id,
    amount: money(caseRow.amount, caseRow.currency),
    reasonCode: caseRow.reason_code,
    note: caseRow.note ?? undefined,
    source: caseRow.source as CaseSource,
    ticket:
      caseRow.ticket_system && caseRow.ticket_ref
        ? { system: caseRow.ticket_system, ref: caseRow.ticket_ref }
        : undefined,
    requestedBy: input.principal.staffId,
  });
  await ctx.db.updateTable('refund_cases').set({ retry_of: caseRow.id }).where('id', '=', outcome.caseRow.id).execute();
  return { ...outcome, caseRow: { ...outcome.caseRow, retry_of: caseRow.id } };
}

/** exception → resolved_manually: the money went back another way; the ledger records it so nothing is refunded twice. */
export async function markResolvedManually(ctx: AppContext, input: DecisionInput): Promise<RefundCaseRow> {
  if (!input.reason?.trim())
    throw new AppError('invalid_request', 'say how the refund was made (cheque number, terminal receipt…)');
  if (!canApprove(input.principal.role, 'lead'))
    throw new AppError('forbidden', 'resolving needs a lead, manager or admin');
  return ctx.db.transaction().execute(async (trx) => {
    const caseRow = await loadCaseForUpdate(trx, input.principal.orgId, input.caseId);
    const resolved = await resolveManually(trx, transitionFor(ctx, input, caseRow), decisionOf(input, caseRow));
    const hasRefund = await trx
      .selectFrom('refunds')
      .select('id')
      .where('case_id', '=', caseRow.id)
      .where('state', '!=', 'failed')
      .executeTakeFirst();
    if (!hasRefund) {
      await lockPayment(trx, caseRow.org_id, caseRow.payment_id);
      await trx
        .insertInto('refunds')
        .values({
          id: randomUUID(),
          org_id: caseRow.org_id,
          payment_id: caseRow.payment_id,
          case_id: caseRow.id,
          amount: caseRow.amount,
          currency: caseRow.currency,
          state: 'succeeded',
          origin: 'external',
        })
        .execute();
    }
    return resolved;
  });
}

/** Throws `self_approval` for the case's requester and `forbidden` below the case's tier. */
export function assertMayDecide(principal: Principal, caseRow: RefundCaseRow): void {
  if (caseRow.requested_by === principal.staffId) {
    throw new AppError('self_approval', 'you requested this refund, so someone else must decide it');
  }
  const required = (caseRow.required_role ?? 'lead') as ApproverRole;
  if (!canApprove(principal.role, required)) {
    throw new AppError('forbidden', `this case needs a ${required} or above; you are ${principal.role}`, {
      requiredRole: required,
    });
  }
}

function transitionFor(ctx: AppContext, input: DecisionInput, caseRow: RefundCaseRow) {
  return {
    caseRow,
    actor: { type: 'staff' as const, id: input.principal.staffId },
    at: ctx.clock.now(),
    data: { channel: input.principal.channel, reason: input.reason ?? null },
  };
}

function decisionOf(input: DecisionInput, caseRow: RefundCaseRow) {
  return {
    staffId: input.principal.staffId,
    channel: input.principal.channel,
    evidence: input.evidence ?? caseRow.eligibility,
    reason: input.reason,
  };
}
