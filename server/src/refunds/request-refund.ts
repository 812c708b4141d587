import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { routeCase } from '../approvals/policy.js';
import { loadPolicy } from '../approvals/policy-store.js';
import { velocityBreaches } from '../approvals/velocity.js';
import { type AuditActor, appendAudit } from '../audit/audit-log.js';
import { canonicalJson } from '../audit/canonical-json.js';
import type { AppContext } from '../context.js';
import { executeSqlIn } from '../db/database.js';
import type { Database, RefundCaseRow } from '../db/schema.js';
import { AppError } from '../errors/app-error.js';
import { runSoon } from '../jobs/fast-path.js';
import { paymentFacts } from '../ledger/payment-facts.js';
import { lockPayment, remainingRefundable, reservedAmount } from '../ledger/refundable.js';
import { type Money, money } from '../money/money.js';
import { autoApprove, markIneligible, routeForApproval } from './case-transitions.js';
import { type EligibilityVerdict, evaluateEligibility } from './eligibility/index.js';
import { executeCase } from './execute-refund.js';
import { openCasesByPayment, openCasesOnTicket } from './open-cases.js';
import { refundExecuteJob } from './refund-jobs.js';

export type CaseSource = 'api' | 'zendesk' | 'freshdesk' | 'slack' | 'portal' | 'scan';
export type IdentityMatch = 'verified' | 'email_only' | 'phone_only' | 'unmatched';

export interface RefundRequest {
  readonly orgId: string;
  readonly paymentId: string;
  /** Omitted: everything still refundable. */
  readonly amount?: Money | undefined;
  /** When given without an amount, must match the payment's currency. */
  readonly currency?: string | undefined;
  readonly reasonCode: string;
  readonly note?: string | undefined;
  readonly source: CaseSource;
  readonly ticket?: { readonly system: string; readonly ref: string } | undefined;
  /** Staff id; null for customer (portal) or automatic requests. */
  readonly requestedBy: string | null;
  readonly identity?: IdentityMatch | undefined;
  /** Same key and same request → the same case; same key, other request → idempotency_conflict. */
  readonly idempotencyKey?: string | undefined;
  /**
   * Who asked when no staff member did (e.g. the desk user whose tag opened the case): the actor of
   * `case.requested`, with `data` audited under `requestedVia`.
   */
  readonly requestedVia?: { readonly actor: AuditActor; readonly data: Record<string, unknown> } | undefined;
  /** Never auto-approve: route to at least a lead, for this reason (audited with the routing). */
  readonly mustBeApproved?: string | undefined;
}

export interface RequestOutcome {
  readonly caseRow: RefundCaseRow;
  readonly verdict: EligibilityVerdict;
  /** True when an earlier request with the same Idempotency-Key answered. */
  readonly replayed: boolean;
}

/** Opens a refund case: validate → evaluate eligibility under the payment lock → route by policy → (auto-approved) enqueue execution. */
export async function requestRefund(ctx: AppContext, request: RefundRequest): Promise<RequestOutcome> {
  const requestHash = hashRequest(request);
  if (request.idempotencyKey) {
    const earlier = await findByIdempotencyKey(ctx.db, request.orgId, request.idempotencyKey, requestHash);
    if (earlier) return earlier;
  }
  try {
    const outcome = await ctx.db.transaction().execute((trx) => openCase(ctx, trx, request, requestHash));
    if (outcome.caseRow.state === 'approved') void runExecutionSoon(ctx, outcome.caseRow);
    return outcome;
  } catch (error) {
    // two identical requests raced past the first lookup: the unique key decides, the loser replays
    if (request.idempotencyKey && isUniqueViolation(error)) {
      const earlier = await findByIdempotencyKey(ctx.db, request.orgId, request.idempotencyKey, requestHash);
      if (earlier) return earlier;
    }
    throw error;
  }
}

async function openCase(
  ctx: AppContext,
  trx: Kysely<Database>,
  request: RefundRequest,
  requestHash: string,
): Promise<RequestOutcome> {
  const now = ctx.clock.now();
  const payment = await lockPayment(trx, request.orgId, request.paymentId);
  if (request.idempotencyKey) {
    // a concurrent request with the same key may have committed while we waited for the lock
    const earlier = await findByIdempotencyKey(trx, request.orgId, request.idempotencyKey, requestHash);
    if (earlier) return earlier;
  }
  if (request.currency !== undefined && request.currency !== payment.currency) {
    throw new AppError('not_refundable', `the payment was made in ${payment.currency}, not ${request.currency}`, {
      paymentCurrency: payment.currency,
    });
  }
  const reserved = await reservedAmount(trx, payment);
  const requested = request.amount ?? remainingRefundable(payment, reserved);
  const reason = await trx
    .selectFrom('reason_codes')
    .select(['code', 'label', 'refund_window_days'])
    .where('org_id', '=', request.orgId)
    .where('code', '=', request.reasonCode)
    .where('active', '=', true)
    .executeTakeFirst();
  const policy = await loadPolicy(trx, request.orgId);
  const verdict = evaluateEligibility({
    now,
    requested,
    payment: paymentFacts(payment),
    reserved,
    reason: reason
      ? { code: reason.code, label: reason.label, refundWindowDays: reason.refund_window_days }
      : undefined,
    openCases: {
      samePayment: (await openCasesByPayment(trx, request.orgId, [payment.id])).get(payment.id) ?? 0,
      sameTicket: request.ticket
        ? await openCasesOnTicket(trx, request.orgId, request.ticket, { exceptPayment: payment.id })
        : 0,
    },
    minimum:
      policy.minimumRefund[payment.currency] === undefined
        ? undefined
        : money(policy.minimumRefund[payment.currency] ?? 0, payment.currency),
    identity: request.identity ?? 'verified',
  });
  if (verdict.outcome === 'ineligible') {
    const failed = verdict.results.filter((r) => r.outcome === 'fail');
    throw new AppError('not_refundable', failed.map((r) => r.reason).join(' '), { verdict });
  }

  // routing reads happen before the first audit append: that append holds the organisation's chain lock until commit
  const customerTier = payment.customer_id
    ? ((await trx.selectFrom('customers').select('tier').where('id', '=', payment.customer_id).executeTakeFirst())
        ?.tier ?? 'standard')
    : 'standard';
  const routed = routeCase(policy, {
    amount: requested,
    reasonCode: request.reasonCode,
    customerTier,
    needsReview: verdict.outcome === 'review',
    velocityBreaches: await velocityBreaches(trx, policy, {
      orgId: request.orgId,
      requestedBy: request.requestedBy,
      now,
    }),
  });
  // nobody with authority asked (an unknown tagger, a trigger): a person must decide, whatever the amount
  const decision =
    request.mustBeApproved && routed.route.kind === 'auto'
      ? {
          route: { kind: 'approval' as const, approver: 'lead' as const },
          because: [...routed.because, request.mustBeApproved],
        }
      : request.mustBeApproved
        ? { ...routed, because: [...routed.because, request.mustBeApproved] }
        : routed;
  const caseRow = await trx
    .insertInto('refund_cases')
    .values({
      id: randomUUID(),
      org_id: request.orgId,
      reference: newReference(),
      payment_id: payment.id,
      customer_id: payment.customer_id,
      amount: requested.amount,
      currency: requested.currency,
      reason_code: request.reasonCode,
      note: request.note ?? null,
      state: 'requested',
      source: request.source,
      ticket_system: request.ticket?.system ?? null,
      ticket_ref: request.ticket?.ref ?? null,
      requested_by: request.requestedBy,
      eligibility: JSON.stringify(verdict),
      idempotency_key: request.idempotencyKey ?? null,
      request_hash: requestHash,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const actor: AuditActor = request.requestedBy
    ? { type: 'staff', id: request.requestedBy }
    : (request.requestedVia?.actor ?? { type: 'customer', id: null });
  await appendAudit(trx, {
    orgId: request.orgId,
    caseId: caseRow.id,
    actor,
    action: 'case.requested',
    data: {
      reference: caseRow.reference,
      amount: requested.amount,
      currency: requested.currency,
      reasonCode: request.reasonCode,
      source: request.source,
      ticket: request.ticket ?? null,
      verdict: verdict.outcome,
      ...(request.requestedVia ? { requestedVia: request.requestedVia.data } : {}),
    },
    at: now,
  });
  const system = { type: 'system' as const, id: 'policy' };

  if (verdict.outcome === 'exception') {
    const reasonText = verdict.results
      .filter((r) => r.outcome === 'exception')
      .map((r) => r.reason)
      .join(' ');
    const exception = await markIneligible(
      trx,
      { caseRow, actor: system, at: now, data: { reason: reasonText } },
      reasonText,
    );
    return { caseRow: exception, verdict, replayed: false };
  }
  if (decision.route.kind === 'approval') {
    const routed = await routeForApproval(
      trx,
      { caseRow, actor: system, at: now, data: { approver: decision.route.approver, because: decision.because } },
      decision.route.approver,
    );
    return { caseRow: routed, verdict, replayed: false };
  }
  const approved = await autoApprove(trx, { caseRow, actor: system, at: now, data: { because: decision.because } });
  await ctx.queue.send(
    refundExecuteJob,
    { orgId: approved.org_id, caseId: approved.id },
    { executeSql: executeSqlIn(trx) },
  );
  return { caseRow: approved, verdict, replayed: false };
}

async function findByIdempotencyKey(
  db: Kysely<Database>,
  orgId: string,
  key: string,
  requestHash: string,
): Promise<RequestOutcome | undefined> {
  const existing = await db
    .selectFrom('refund_cases')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  if (!existing) return undefined;
  if (existing.request_hash !== requestHash) {
    throw new AppError('idempotency_conflict', 'this Idempotency-Key was used with a different request', {
      caseId: existing.id,
    });
  }
  return { caseRow: existing, verdict: existing.eligibility as EligibilityVerdict, replayed: true };
}

function hashRequest(request: RefundRequest): string {
  const { idempotencyKey: _key, ...rest } = request;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/** RD- and 8 characters of Crockford base32: short enough to read out on the phone. */
function newReference(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const bytes = randomBytes(8);
  return `RD-${Array.from(bytes, (b) => alphabet[b % 32]).join('')}`;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505';
}

/** Fast path: execute right after commit; the durable job is the fallback if this process dies. */
export function runExecutionSoon(ctx: AppContext, caseRow: RefundCaseRow): Promise<void> {
  return runSoon(ctx.logger, 'execution', { caseId: caseRow.id }, () =>
    executeCase(ctx, { orgId: caseRow.org_id, caseId: caseRow.id }),
  );
}
