import type { CaseEvent } from '../events/case-events.js';
import { formatMoney, money } from '../money/money.js';

/** Tags the desk writes (and the one Zendesk's trigger watches). */
export const APPROVED_TAG = 'refund_approved';
export const PENDING_TAG = 'refund_pending';
export const PROCESSED_TAG = 'refund_processed';
export const FAILED_TAG = 'refund_failed';

/** What the ticket is told, once each per case. */
export type Stage = 'requested' | 'pending_approval' | 'approved' | 'succeeded' | 'failed' | 'closed';

/** The write-back stage a case event starts, with the facts its note needs; undefined for other events. */
export function stageOf(event: CaseEvent): { stage: Stage; data: Record<string, unknown> } | undefined {
  switch (event.action) {
    case 'case.requested':
      return { stage: 'requested', data: {} };
    case 'case.routed_for_approval':
      return { stage: 'pending_approval', data: { tier: event.data['approver'] ?? null } };
    case 'case.approved':
      return { stage: 'approved', data: { staffId: event.actor.id ?? null } };
    case 'case.auto_approved':
      return { stage: 'approved', data: { staffId: null } };
    case 'case.succeeded':
      return { stage: 'succeeded', data: { gatewayRefundId: event.data['gatewayRefundId'] ?? null } };
    case 'case.failed':
      return { stage: 'failed', data: {} };
    case 'case.exception_raised':
      // straight from `requested` (the card cannot take the money back); after `failed` the note exists already
      return event.from === 'requested' ? { stage: 'failed', data: {} } : undefined;
    case 'case.denied':
    case 'case.cancelled':
    case 'case.expired':
      return { stage: 'closed', data: { state: event.to ?? null, staffId: event.actor.id ?? null } };
    default:
      return undefined;
  }
}

/** Each stage's tags replace the others': pending → processed | failed. */
export function tagsFor(stage: Stage): { add: string[]; remove: string[] } {
  switch (stage) {
    case 'succeeded':
      return { add: [PROCESSED_TAG], remove: [PENDING_TAG, FAILED_TAG] };
    case 'failed':
      return { add: [FAILED_TAG], remove: [PENDING_TAG, PROCESSED_TAG] };
    case 'closed':
      return { add: [], remove: [PENDING_TAG] };
    default:
      return { add: [PENDING_TAG], remove: [PROCESSED_TAG, FAILED_TAG] };
  }
}

/** The line that marks a stage's note, so a retry finds it among the ticket's comments. */
export function stageMarker(reference: string, stage: Stage): string {
  return `[refund-desk ${reference} ${stage}]`;
}

export interface NoteFacts {
  readonly reference: string;
  readonly amount: number;
  readonly currency: string;
  readonly reasonLabel: string;
  readonly gateway: string;
  readonly requestedBy: string | null;
  readonly staffName: string | null;
  readonly exceptionReason: string | null;
}

/**
 * The internal note for a stage: a case reference, an amount and names of staff — no card
 * numbers, no customer details beyond the ticket's own, no staff free-text.
 */
export function noteFor(stage: Stage, data: Record<string, unknown>, facts: NoteFacts): string {
  const amount = formatMoney(money(facts.amount, facts.currency));
  const ref = facts.reference;
  let text: string;
  switch (stage) {
    case 'requested':
      text = `Refund ${ref} of ${amount} requested (${facts.reasonLabel})${facts.requestedBy ? ` by ${facts.requestedBy}` : ' from this ticket'}.`;
      break;
    case 'pending_approval':
      text = `Refund ${ref} is waiting for approval by a ${String(data['tier'] ?? 'lead')} or above.`;
      break;
    case 'approved':
      text = facts.staffName
        ? `Refund ${ref} approved by ${facts.staffName}; it is being sent to ${facts.gateway}.`
        : `Refund ${ref} approved automatically by policy; it is being sent to ${facts.gateway}.`;
      break;
    case 'succeeded':
      text = `Refund ${ref} succeeded: ${amount} refunded through ${facts.gateway}, gateway reference ${String(data['gatewayRefundId'] ?? 'unknown')}.`;
      break;
    case 'failed':
      text =
        `Refund ${ref} failed: ${facts.exceptionReason ?? 'the gateway refused it'}. ` +
        'It is in the exceptions queue: a lead will retry it or refund another way (cheque, terminal), and the customer will be told.';
      break;
    case 'closed': {
      const state = String(data['state'] ?? 'closed');
      const by = facts.staffName && state !== 'expired' ? ` by ${facts.staffName}` : '';
      text = state === 'expired' ? `Refund ${ref} expired without a decision.` : `Refund ${ref} was ${state}${by}.`;
      break;
    }
  }
  return `Refund Desk: ${text}\n\n${stageMarker(ref, stage)}`;
}
