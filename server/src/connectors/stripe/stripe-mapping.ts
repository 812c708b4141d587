import type {
  GatewayPayment,
  GatewayRefund,
  GatewayRefundStatus,
  PaymentMethodFacts,
} from '../../ports/payment-gateway.js';
import { fromStripeAmount } from './stripe-amounts.js';
import { refundFailureCode } from './stripe-errors.js';
import {
  expanded,
  idOf,
  type StripeCardDetailsSlice,
  type StripeChargeSlice,
  type StripePaymentIntentSlice,
  type StripeRefundSlice,
} from './stripe-objects.js';

const REFUND_STATUSES: Readonly<Record<string, GatewayRefundStatus>> = {
  pending: 'pending',
  requires_action: 'pending',
  succeeded: 'succeeded',
  failed: 'failed',
  canceled: 'canceled',
};

/** A Stripe refund in our words; `paymentRef` defaults to the payment intent, else the charge. */
export function toGatewayRefund(refund: StripeRefundSlice, paymentRef?: string): GatewayRefund {
  const status = REFUND_STATUSES[refund.status ?? ''] ?? 'pending';
  return {
    gatewayRefundId: refund.id,
    paymentRef: paymentRef ?? idOf(refund.payment_intent) ?? idOf(refund.charge) ?? '',
    amount: fromStripeAmount(refund.amount, refund.currency),
    status,
    failureReason: status === 'failed' ? refundFailureCode(refund.failure_reason) : undefined,
    metadata: { ...(refund.metadata ?? {}) },
    createdAt: new Date(refund.created * 1000),
  };
}

const FUNDING: ReadonlySet<string> = new Set(['credit', 'debit', 'prepaid', 'unknown']);

function cardFacts(card: StripeCardDetailsSlice, cardPresent: boolean): PaymentMethodFacts {
  const funding =
    card.funding && FUNDING.has(card.funding) ? (card.funding as PaymentMethodFacts['funding']) : undefined;
  return {
    type: 'card',
    brand: card.brand ?? undefined,
    last4: card.last4 ?? undefined,
    expMonth: card.exp_month ?? undefined,
    expYear: card.exp_year ?? undefined,
    funding,
    cardPresent,
  };
}

const BANK_TYPES: ReadonlySet<string> = new Set([
  'us_bank_account',
  'sepa_debit',
  'bacs_debit',
  'au_becs_debit',
  'acss_debit',
  'ach_debit',
]);
const WALLET_TYPES: ReadonlySet<string> = new Set([
  'cashapp',
  'link',
  'alipay',
  'wechat_pay',
  'amazon_pay',
  'revolut_pay',
]);

/** How a charge was paid, from `payment_method_details`. */
export function paymentMethodFacts(details: StripeChargeSlice['payment_method_details']): PaymentMethodFacts {
  if (!details) return { type: 'other' };
  if (details.type === 'card' && details.card) return cardFacts(details.card, false);
  if (details.type === 'card_present' && details.card_present) return cardFacts(details.card_present, true);
  if (details.type === 'interac_present' && details.interac_present) return cardFacts(details.interac_present, true);
  if (details.type === 'paypal') return { type: 'paypal' };
  if (BANK_TYPES.has(details.type)) return { type: 'bank' };
  if (WALLET_TYPES.has(details.type)) return { type: 'wallet' };
  return { type: 'other' };
}

function chargeStatus(charge: StripeChargeSlice): GatewayPayment['status'] {
  if (charge.status === 'failed') return 'failed';
  if (charge.refunded) return 'refunded';
  return charge.status === 'succeeded' && charge.captured ? 'captured' : 'pending';
}

/** A charge as our payment; the payment intent id is the reference when there is one. */
export function chargeToPayment(
  charge: StripeChargeSlice,
  customerFallback?: StripeChargeSlice['customer'],
): GatewayPayment {
  const customer = expanded(charge.customer) ?? expanded(customerFallback ?? null);
  return {
    paymentRef: idOf(charge.payment_intent) ?? charge.id,
    amount: fromStripeAmount(charge.amount, charge.currency),
    amountRefunded: fromStripeAmount(charge.amount_refunded, charge.currency),
    status: chargeStatus(charge),
    capturedAt: new Date(charge.created * 1000),
    customerEmail: customer?.email ?? charge.billing_details?.email ?? charge.receipt_email ?? undefined,
    customerName: customer?.name ?? charge.billing_details?.name ?? undefined,
    method: paymentMethodFacts(charge.payment_method_details),
  };
}

/** A payment intent as our payment, using its latest charge when Stripe expanded it. */
export function paymentIntentToPayment(intent: StripePaymentIntentSlice): GatewayPayment {
  const charge = expanded(intent.latest_charge);
  if (charge) return { ...chargeToPayment(charge, intent.customer), paymentRef: intent.id };
  const customer = expanded(intent.customer);
  const zero = fromStripeAmount(0, intent.currency);
  return {
    paymentRef: intent.id,
    amount: fromStripeAmount(intent.status === 'succeeded' ? intent.amount_received : intent.amount, intent.currency),
    amountRefunded: zero,
    status: intent.status === 'succeeded' ? 'captured' : intent.status === 'canceled' ? 'failed' : 'pending',
    capturedAt: new Date(intent.created * 1000),
    customerEmail: customer?.email ?? intent.receipt_email ?? undefined,
    customerName: customer?.name ?? undefined,
    method: intent.payment_method_types?.includes('card') ? { type: 'card' } : { type: 'other' },
  };
}
