import type { AppContext } from '../context.js';
import { AppError } from '../errors/app-error.js';
import { remainingRefundable, reservedAmounts } from '../ledger/refundable.js';
import { type Money, MoneyError, money, parseDecimal } from '../money/money.js';
import type { Helpdesk, HelpdeskTicket } from '../ports/helpdesk.js';
import type { findRequesterCustomer } from './sidebar-view.js';

/** Titles of the custom ticket fields a tag-driven refund reads (create them in Zendesk with these titles). */
export const REFUND_FIELD_TITLES = {
  payment: 'Refund payment',
  amount: 'Refund amount',
  reason: 'Refund reason',
} as const;

/** Reason codes tried, in order, when the ticket names none. */
const DEFAULT_REASONS = ['customer_request', 'goodwill'];

const fieldCache = new WeakMap<
  Helpdesk,
  { ids: Record<keyof typeof REFUND_FIELD_TITLES, string | undefined>; until: number }
>();

/** Finds the refund fields' ids by title (cached five minutes per desk). */
async function refundFieldIds(helpdesk: Helpdesk) {
  const hit = fieldCache.get(helpdesk);
  if (hit && hit.until > Date.now()) return hit.ids;
  const fields = await helpdesk.listTicketFields();
  const idOf = (title: string) => fields.find((f) => f.title.trim().toLowerCase() === title.toLowerCase())?.id;
  const ids = {
    payment: idOf(REFUND_FIELD_TITLES.payment),
    amount: idOf(REFUND_FIELD_TITLES.amount),
    reason: idOf(REFUND_FIELD_TITLES.reason),
  };
  fieldCache.set(helpdesk, { ids, until: Date.now() + 5 * 60_000 });
  return ids;
}

export interface TicketRefundPlan {
  readonly paymentId: string;
  readonly amount: Money | undefined;
  readonly reasonCode: string;
}

/**
 * What a tag-driven refund asks for, read from the ticket's fields: the payment (our id or the
 * gateway's reference; default the requester's most recent payment with something left), the
 * amount (default everything refundable) and the reason code (default `customer_request`, else
 * `goodwill`, else the organisation's first). Throws AppError with a message fit for a ticket note.
 */
export async function planTicketRefund(
  ctx: AppContext,
  input: {
    readonly orgId: string;
    readonly helpdesk: Helpdesk;
    readonly ticket: HelpdeskTicket;
    readonly customer: NonNullable<Awaited<ReturnType<typeof findRequesterCustomer>>>;
  },
): Promise<TicketRefundPlan> {
  const ids = await refundFieldIds(input.helpdesk);
  const field = (id: string | undefined) => (id ? (input.ticket.customFields[id]?.trim() ?? null) : null) || null;
  const payments = await ctx.db
    .selectFrom('payments')
    .selectAll()
    .where('org_id', '=', input.orgId)
    .where('customer_id', '=', input.customer.id)
    .where('status', '=', 'captured')
    .orderBy('captured_at', 'desc')
    .limit(100)
    .execute();
  const reference = field(ids.payment);
  let payment: (typeof payments)[number] | undefined;
  if (reference) {
    payment = payments.find((p) => p.id === reference || p.gateway_payment_id === reference);
    if (!payment) throw new AppError('not_found', `no payment ${reference} of the requester was found`);
  } else {
    const reserved = await reservedAmounts(ctx.db, payments);
    payment = payments.find((p) => remainingRefundable(p, reserved.get(p.id) ?? money(0, p.currency)).amount > 0);
    if (!payment) throw new AppError('not_refundable', 'the requester has no payment with anything left to refund');
  }
  let amount: Money | undefined;
  const amountText = field(ids.amount);
  if (amountText) {
    try {
      amount = parseDecimal(amountText, payment.currency);
    } catch (error) {
      if (error instanceof MoneyError)
        throw new AppError('invalid_amount', `the refund amount "${amountText}" is not valid`);
      throw error;
    }
    if (amount.amount === 0) throw new AppError('invalid_amount', 'the refund amount must be more than zero');
  }
  const reasons = await ctx.db
    .selectFrom('reason_codes')
    .select('code')
    .where('org_id', '=', input.orgId)
    .where('active', '=', true)
    .orderBy('code')
    .execute();
  const codes = reasons.map((r) => r.code);
  const named = field(ids.reason);
  const reasonCode = named ?? DEFAULT_REASONS.find((code) => codes.includes(code)) ?? codes[0];
  if (!reasonCode) throw new AppError('not_refundable', 'the organisation has no active reason codes');
  return { paymentId: payment.id, amount, reasonCode };
}
