import type { Kysely } from 'kysely';
import { type AuditActor, appendAudit } from '../audit/audit-log.js';
import type { Database, RefundCaseRow, RefundCaseUpdate } from '../db/schema.js';
import { AppError } from '../errors/app-error.js';
import { assertTransition, type CaseState } from './case-states.js';

export interface TransitionInput {
  readonly caseRow: RefundCaseRow;
  readonly actor: AuditActor;
  readonly at: Date;
  /** Audited with the transition. */
  readonly data?: Record<string, unknown>;
}

/**
 * Moves a case from its current state to `to` with a conditional update (`… WHERE state = from`)
 * and writes the audit event in the same transaction. Returns undefined when another writer moved
 * the case first; callers decide whether that is a conflict.
 */
async function transition(
  trx: Kysely<Database>,
  input: TransitionInput,
  to: CaseState,
  action: string,
  changes: RefundCaseUpdate = {},
): Promise<RefundCaseRow | undefined> {
  const from = input.caseRow.state as CaseState;
  assertTransition(from, to);
  const updated = await trx
    .updateTable('refund_cases')
    .set({ ...changes, state: to, updated_at: input.at })
    .where('id', '=', input.caseRow.id)
    .where('org_id', '=', input.caseRow.org_id)
    .where('state', '=', from)
    .returningAll()
    .executeTakeFirst();
  if (!updated) return undefined;
  await appendAudit(trx, {
    orgId: updated.org_id,
    caseId: updated.id,
    actor: input.actor,
    action,
    data: { from, to, ...input.data },
    at: input.at,
  });
  return updated;
}

async function mustTransition(...args: Parameters<typeof transition>): Promise<RefundCaseRow> {
  const updated = await transition(...args);
  if (!updated) {
    throw new AppError('conflict', `case ${args[1].caseRow.reference} changed while we were working on it; reload it`);
  }
  return updated;
}

/** requested → pending_approval: a person of `approver` rank must decide. */
export const routeForApproval = (trx: Kysely<Database>, input: TransitionInput, approver: string) =>
  mustTransition(trx, input, 'pending_approval', 'case.routed_for_approval', { required_role: approver });

/** requested → approved: policy approved it without a person. */
export const autoApprove = (trx: Kysely<Database>, input: TransitionInput) =>
  mustTransition(trx, input, 'approved', 'case.auto_approved', { decided_at: input.at, decision_channel: 'policy' });

/** requested → exception: the money cannot go back automatically (card expired, card-present debit…). */
export const markIneligible = (trx: Kysely<Database>, input: TransitionInput, reason: string) =>
  mustTransition(trx, input, 'exception', 'case.exception_raised', { exception_reason: reason });

export interface Decision {
  readonly staffId: string;
  readonly channel: string;
  readonly evidence: unknown;
  readonly reason?: string | undefined;
}

/** pending_approval → approved, if nobody decided first (undefined then). */
export const approveCase = (trx: Kysely<Database>, input: TransitionInput, decision: Decision) =>
  transition(trx, input, 'approved', 'case.approved', decisionColumns(input.at, decision));

/** pending_approval → denied, if nobody decided first (undefined then). */
export const denyCase = (trx: Kysely<Database>, input: TransitionInput, decision: Decision) =>
  transition(trx, input, 'denied', 'case.denied', decisionColumns(input.at, decision));

/** pending_approval → cancelled (by the requester or a lead). */
export const cancelCase = (trx: Kysely<Database>, input: TransitionInput, decision: Decision) =>
  transition(trx, input, 'cancelled', 'case.cancelled', decisionColumns(input.at, decision));

/**
 * pending_approval at `from` → pending_approval at the next tier: a conditional update on the case
 * (state and required role unchanged since we read it) and its `case.escalated` audit event, in
 * the caller's transaction. Undefined when the case moved first.
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

/** pending_approval → expired, when nobody decided in time. */
export const expireCase = (trx: Kysely<Database>, input: TransitionInput) =>
  transition(trx, input, 'expired', 'case.expired');

/** approved → executing, with the attempt that now reserves the amount. */
export const startExecution = (trx: Kysely<Database>, input: TransitionInput) =>
  transition(trx, input, 'executing', 'case.execution_started', { attempt_count: input.caseRow.attempt_count + 1 });

/**
 * executing → executing with the next attempt (attempt_count + 1), when the gateway proved the current
 * attempt moved no money. A conditional update on the attempt number, audited as `case.attempt_restarted`;
 * undefined when another writer moved the case first.
 */
export async function startNextAttempt(
  trx: Kysely<Database>,
  input: TransitionInput,
): Promise<RefundCaseRow | undefined> {
  const { caseRow } = input;
  const updated = await trx
    .updateTable('refund_cases')
    .set({ attempt_count: caseRow.attempt_count + 1, updated_at: input.at })
    .where('id', '=', caseRow.id)
    .where('org_id', '=', caseRow.org_id)
    .where('state', '=', 'executing')
    .where('attempt_count', '=', caseRow.attempt_count)
    .returningAll()
    .executeTakeFirst();
  if (!updated) return undefined;
  await appendAudit(trx, {
    orgId: updated.org_id,
    caseId: updated.id,
    actor: input.actor,
    action: 'case.attempt_restarted',
    data: { fromAttempt: caseRow.attempt_count, toAttempt: updated.attempt_count, ...input.data },
    at: input.at,
  });
  return updated;
}

/** executing → succeeded. */
export const markSucceeded = (trx: Kysely<Database>, input: TransitionInput) =>
  mustTransition(trx, input, 'succeeded', 'case.succeeded');

/** executing → failed → exception, in one go: a failed refund always lands in the exceptions queue. */
export async function markFailed(
  trx: Kysely<Database>,
  input: TransitionInput,
  reason: string,
): Promise<RefundCaseRow> {
  const failed = await mustTransition(trx, input, 'failed', 'case.failed', { exception_reason: reason });
  return mustTransition(trx, { ...input, caseRow: failed }, 'exception', 'case.exception_raised', {
    exception_reason: reason,
  });
}

/** exception → retried: a new case carries the request forward. */
export const markRetried = (trx: Kysely<Database>, input: TransitionInput) =>
  mustTransition(trx, input, 'retried', 'case.retried');

/** exception → resolved_manually: staff refunded some other way (cheque, terminal) and say so. */
export const resolveManually = (trx: Kysely<Database>, input: TransitionInput, decision: Decision) =>
  mustTransition(trx, input, 'resolved_manually', 'case.resolved_manually', decisionColumns(input.at, decision));

function decisionColumns(at: Date, decision: Decision): RefundCaseUpdate {
  return {
    decided_by: decision.staffId,
    decided_at: at,
    decision_channel: decision.channel,
    decision_reason: decision.reason ?? null,
    decision_evidence: JSON.stringify(decision.evidence ?? null),
  };
}
