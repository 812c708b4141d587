import { z } from '@hono/zod-openapi';
import { MoneyView } from '../api/schemas.js';
import type { RefundCaseRow } from '../db/schema.js';
import { formatDecimal, type Money, money } from '../money/money.js';

export function moneyView(value: Money): z.infer<typeof MoneyView> {
  return { value: formatDecimal(value), minor: value.amount, currency: value.currency };
}

export const CaseView = z
  .object({
    id: z.uuid(),
    reference: z.string().openapi({ example: 'RD-7K3M9QXA' }),
    state: z.string().openapi({ example: 'pending_approval' }),
    amount: MoneyView,
    reasonCode: z.string(),
    note: z.string().nullable(),
    source: z.string(),
    ticket: z.object({ system: z.string(), ref: z.string() }).nullable(),
    paymentId: z.uuid(),
    customerId: z.uuid().nullable(),
    requestedBy: z.uuid().nullable(),
    requiredRole: z.string().nullable(),
    eligibility: z.unknown(),
    decision: z
      .object({
        by: z.uuid().nullable(),
        at: z.string().nullable(),
        channel: z.string().nullable(),
        reason: z.string().nullable(),
      })
      .nullable(),
    exceptionReason: z.string().nullable(),
    attemptCount: z.number().int(),
    retryOf: z.uuid().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('RefundCase');

export type CaseViewType = z.infer<typeof CaseView>;

/** The public shape of a case: money as exact strings and minor units, times as ISO 8601. */
export function caseView(row: RefundCaseRow): CaseViewType {
  return {
    id: row.id,
    reference: row.reference,
    state: row.state,
    amount: moneyView(money(row.amount, row.currency)),
    reasonCode: row.reason_code,
    note: row.note,
    source: row.source,
    ticket: row.ticket_system && row.ticket_ref ? { system: row.ticket_system, ref: row.ticket_ref } : null,
    paymentId: row.payment_id,
    customerId: row.customer_id,
    requestedBy: row.requested_by,
    requiredRole: row.required_role,
    eligibility: row.eligibility,
    decision: row.decision_channel
      ? {
          by: row.decided_by,
          at: row.decided_at?.toISOString() ?? null,
          channel: row.decision_channel,
          reason: row.decision_reason,
        }
      : null,
    exceptionReason: row.exception_reason,
    attemptCount: row.attempt_count,
    retryOf: row.retry_of,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
