import type { CaseEvent } from '../events/case-events.js';
import { formatMoney, money } from '../money/money.js';
import { failureInWords, gatewayName, nextStepAfterFailure } from './note-words.js';

/** Tags the desk writes (and the one Zendesk's trigger watches). */
export const APPROVED_TAG = 'refund_approved';
/**
 * Added by the installed trigger when it notifies us, so later updates of the ticket do not fire
 * it again (Zendesk triggers have no "tag added" condition); removed with `refund_approved`.
 */
export const NOTIFIED_TAG = 'refund_desk_notified';
export const PENDING_TAG = 'refund_pending';
export const PROCESSED_TAG = 'refund_processed';
export const FAILED_TAG = 'refund_failed';

/** What the ticket is told, once each per case. */
export type Stage = 'requested' | 'pending_approval' | 'approved' | 'succeeded' | 'failed' | 'closed';

/** The write-back stage a case event starts, with the facts its note needs; undefined for other events. */
export function stageOf(event: CaseEvent): { stage: Stage; data: Record<string, unknown> } | undefined {
  switch (event.action) {
    case 'case.requested': {
      // a case a refund_approved tag opened names its tagger (from the ticket's audit)
      const via = event.data['requestedVia'] as { name?: unknown } | undefined;
      return { stage: 'requested', data: { taggedBy: typeof via?.name === 'string' ? via.name : null } };
    }
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

/**
 * Each stage's tags replace the others': pending → processed | failed. A case that ends without
 * money moving (failed, denied, cancelled, expired) also takes `refund_approved` and the trigger's
 * marker off: a new attempt needs a person to add the tag again (a new intent).
 */
export function tagsFor(stage: Stage): { add: string[]; remove: string[] } {
  switch (stage) {
    case 'succeeded':
      return { add: [PROCESSED_TAG], remove: [PENDING_TAG, FAILED_TAG] };
    case 'failed':
      return { add: [FAILED_TAG], remove: [PENDING_TAG, PROCESSED_TAG, APPROVED_TAG, NOTIFIED_TAG] };
    case 'closed':
      return { add: [], remove: [PENDING_TAG, APPROVED_TAG, NOTIFIED_TAG] };
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
  /** The reason the decider gave (sent to the customer on a denial). */
  readonly decisionReason: string | null;
}

/**
 * The internal note for a stage: a case reference, an amount, names of staff, the gateway by its
 * name, a failure in plain words with what happens next, and on a denial the reason the customer
 * was given — no card numbers, no customer details beyond the ticket's own, no staff notes.
 */
export function noteFor(stage: Stage, data: Record<string, unknown>, facts: NoteFacts): string {
  const amount = formatMoney(money(facts.amount, facts.currency));
  const ref = facts.reference;
  let text: string;
  const gateway = gatewayName(facts.gateway);
  switch (stage) {
    case 'requested': {
      const taggedBy = typeof data['taggedBy'] === 'string' ? data['taggedBy'] : null;
      const by = facts.requestedBy
        ? ` by ${facts.requestedBy}${taggedBy ? ' (refund_approved tag)' : ''}`
        : taggedBy
          ? ` from this ticket: ${taggedBy} added the refund_approved tag`
          : ' from this ticket';
      text = `Refund ${ref} of ${amount} requested (${facts.reasonLabel})${by}.`;
      break;
    }
    case 'pending_approval':
      text = `Refund ${ref} is waiting for approval by a ${String(data['tier'] ?? 'lead')} or above.`;
      break;
    case 'approved':
      text = facts.staffName
        ? `Refund ${ref} approved by ${facts.staffName}; it is being sent to ${gateway}.`
        : `Refund ${ref} approved automatically by policy; it is being sent to ${gateway}.`;
      break;
    case 'succeeded':
      text = `Refund ${ref} succeeded: ${amount} refunded through ${gateway}, gateway reference ${String(data['gatewayRefundId'] ?? 'unknown')}.`;
      break;
    case 'failed':
      text = `Refund ${ref} of ${amount} failed: ${failureInWords(facts.exceptionReason)}. ${nextStepAfterFailure(facts.exceptionReason)}`;
      break;
    case 'closed': {
      const state = String(data['state'] ?? 'closed');
      const by = facts.staffName && state !== 'expired' ? ` by ${facts.staffName}` : '';
      if (state === 'expired') text = `Refund ${ref} expired without a decision; nothing was refunded.`;
      else if (state === 'denied') {
        const reason = facts.decisionReason?.trim().slice(0, 300);
        text = `Refund ${ref} was denied${by}; nothing was refunded.${reason ? ` Reason given to the customer: “${reason}”` : ''}`;
      } else text = `Refund ${ref} was ${state}${by}; nothing was refunded.`;
      break;
    }
  }
  return `Refund Desk: ${text}\n\n${stageMarker(ref, stage)}`;
}
