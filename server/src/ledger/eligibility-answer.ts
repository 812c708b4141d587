import type { AppContext } from '../context.js';
import type { CustomerRow } from '../db/schema.js';
import { AppError } from '../errors/app-error.js';
import { type GatewayLookupResult, lookUpPaymentsAtGateways } from '../gateways/gateway-lookup.js';
import { moneyView } from '../refunds/case-view.js';
import { normaliseEmail, normalisePhone } from './customers.js';
import { customerPaymentVerdicts } from './payment-verdicts.js';
import { paymentAmount } from './refundable.js';

/** When eligibility asks the gateways too: `auto` when the ledger knows no payment of the customer. */
export const LOOKUP_MODES = ['auto', 'gateway', 'ledger'] as const;
export type LookupMode = (typeof LOOKUP_MODES)[number];

export interface EligibilityQuery {
  readonly orgId: string;
  readonly email?: string | undefined;
  readonly phone?: string | undefined;
  /** Evaluate this reason's refund window (default: the longest window). */
  readonly reasonCode?: string | undefined;
  readonly ticketRef?: string | undefined;
  readonly lookup: LookupMode;
}

/** Whether the gateways were asked, why (or why not), and what each said. */
export interface LookupView {
  readonly performed: boolean;
  readonly trigger: 'requested' | 'no_ledger_match' | null;
  /** Why the gateways were not asked: the ledger had payments, the caller said `ledger`, or no email to ask by. */
  readonly skipped: 'ledger_match' | 'not_requested' | 'email_needed' | null;
  readonly gateways: GatewayLookupResult[];
}

type Match = 'verified' | 'email_only' | 'phone_only';

/**
 * The eligibility answer for a customer by email or phone: their payments with what is still
 * refundable and the verdict, after asking the gateways when asked to (`lookup=gateway`) or when the
 * ledger knows no payment of theirs (`auto`) — a desk installed after the payments were taken. A
 * gateway that is down never fails the answer; `lookup` says what happened.
 */
export async function eligibilityAnswer(ctx: AppContext, query: EligibilityQuery) {
  if (!query.email && !query.phone) throw new AppError('invalid_request', 'give email or phone');
  const email = query.email ? normaliseEmail(query.email) : undefined;
  const phone = query.phone ? normalisePhone(query.phone) : undefined;
  let customer = await findCustomer(ctx, query.orgId, email, phone);
  const known = customer ? await hasPayments(ctx, query.orgId, customer.id) : false;
  const wanted = query.lookup === 'gateway' || (query.lookup === 'auto' && !known);
  let lookup: LookupView = {
    performed: false,
    trigger: null,
    skipped: query.lookup === 'ledger' ? 'not_requested' : 'ledger_match',
    gateways: [],
  };
  if (wanted && !email) lookup = { ...lookup, skipped: 'email_needed' };
  else if (wanted && email) {
    const trigger = query.lookup === 'gateway' ? 'requested' : 'no_ledger_match';
    const report = await lookUpPaymentsAtGateways(ctx, { orgId: query.orgId, email, trigger });
    lookup = { performed: true, trigger, skipped: null, gateways: [...report.gateways] };
    customer = await findCustomer(ctx, query.orgId, email, phone);
  }
  if (!customer) return { customer: null, payments: [], lookup };
  const match: Match =
    email && phone ? (customer.phone === phone ? 'verified' : 'email_only') : email ? 'email_only' : 'phone_only';
  const verdicts = await customerPaymentVerdicts(ctx, {
    orgId: query.orgId,
    customerId: customer.id,
    reason: await reasonFor(ctx, query.orgId, query.reasonCode),
    identity: match,
    ticket: query.ticketRef ? { ref: query.ticketRef } : undefined,
  });
  const payments = verdicts.map(({ payment, refundable, verdict }) => ({
    paymentId: payment.id,
    gateway: payment.gateway,
    gatewayPaymentId: payment.gateway_payment_id,
    capturedAt: payment.captured_at.toISOString(),
    amount: moneyView(paymentAmount(payment)),
    refundable: moneyView(refundable),
    method: {
      type: payment.method_type,
      brand: payment.brand,
      last4: payment.last4,
      expiry:
        payment.exp_month && payment.exp_year
          ? `${String(payment.exp_month).padStart(2, '0')}/${String(payment.exp_year).slice(-2)}`
          : null,
      funding: payment.funding,
      cardPresent: payment.card_present,
    },
    description: payment.description,
    verdict,
  }));
  return {
    customer: {
      id: customer.id,
      name: customer.name,
      tier: customer.tier,
      match,
      unverified: match !== 'verified',
    },
    payments,
    lookup,
  };
}

async function findCustomer(
  ctx: AppContext,
  orgId: string,
  email: string | undefined,
  phone: string | undefined,
): Promise<CustomerRow | undefined> {
  const customers = ctx.db.selectFrom('customers').selectAll().where('org_id', '=', orgId);
  return (email ? customers.where('email', '=', email) : customers.where('phone', '=', phone ?? '')).executeTakeFirst();
}

async function hasPayments(ctx: AppContext, orgId: string, customerId: string): Promise<boolean> {
  const row = await ctx.db
    .selectFrom('payments')
    .select('id')
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The reason whose window is evaluated: the one asked for, else the active reason with the longest window. */
async function reasonFor(ctx: AppContext, orgId: string, code: string | undefined) {
  const reasons = await ctx.db
    .selectFrom('reason_codes')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('active', '=', true)
    .execute();
  return code
    ? reasons.find((r) => r.code === code)
    : [...reasons].sort((a, b) => b.refund_window_days - a.refund_window_days)[0];
}
