import { type Money, money } from '../../money/money.js';
import type {
  GatewayErrorCode,
  GatewayPayment,
  GatewayRefund,
  GatewayRefundStatus,
  PaymentMethodFacts,
} from '../../ports/payment-gateway.js';
import { readRefundReason } from './square-reason.js';

/** The slice of Square's (camelCase, SDK-parsed) objects we read; amounts arrive as bigint or number. */
export interface SquareMoneySlice {
  readonly amount?: bigint | number | null;
  readonly currency?: string | null;
}

export interface SquareCardSlice {
  readonly cardBrand?: string | null;
  readonly last4?: string | null;
  readonly expMonth?: bigint | number | null;
  readonly expYear?: bigint | number | null;
  readonly cardType?: string | null;
  readonly prepaidType?: string | null;
  readonly issuerAlert?: string | null;
}

export interface SquareRefundSlice {
  readonly id: string;
  readonly status?: string | null;
  readonly amountMoney: SquareMoneySlice;
  readonly paymentId?: string | null;
  readonly reason?: string | null;
  readonly createdAt?: string | null;
  readonly destinationDetails?: { readonly cardDetails?: { readonly card?: SquareCardSlice } };
}

export interface SquarePaymentSlice {
  readonly id?: string | null;
  readonly createdAt?: string | null;
  readonly updatedAt?: string | null;
  readonly amountMoney?: SquareMoneySlice;
  readonly totalMoney?: SquareMoneySlice;
  readonly refundedMoney?: SquareMoneySlice;
  readonly status?: string | null;
  readonly sourceType?: string | null;
  readonly cardDetails?: {
    readonly card?: SquareCardSlice;
    readonly entryMethod?: string | null;
    readonly refundRequiresCardPresence?: boolean | null;
    readonly cardPaymentTimeline?: { readonly capturedAt?: string | null };
  };
  readonly customerId?: string | null;
  readonly buyerEmailAddress?: string | null;
}

/** Square money → ours; Square's smallest denomination is our minor unit for every currency we know. */
export function toMoney(value: SquareMoneySlice | undefined, fallbackCurrency?: string): Money {
  const currency = value?.currency ?? fallbackCurrency;
  if (!currency) throw new Error('Square money without a currency');
  return money(Number(value?.amount ?? 0), currency);
}

const REFUND_STATUS: Readonly<Record<string, GatewayRefundStatus>> = {
  PENDING: 'pending',
  COMPLETED: 'succeeded',
  FAILED: 'failed',
  REJECTED: 'failed',
};

export function mapSquareRefund(refund: SquareRefundSlice): GatewayRefund {
  const status = REFUND_STATUS[refund.status ?? ''] ?? 'pending';
  return {
    gatewayRefundId: refund.id,
    paymentRef: refund.paymentId ?? '',
    amount: toMoney(refund.amountMoney),
    status,
    failureReason: status === 'failed' ? inferFailureReason(refund) : undefined,
    metadata: readRefundReason(refund.reason),
    createdAt: new Date(refund.createdAt ?? 0),
  };
}

/**
 * Square gives no reason for a FAILED refund. The destination card tells us one case: the issuer closed
 * it (issuer alert) or it has expired since the payment. Anything else stays `unknown`.
 */
function inferFailureReason(refund: SquareRefundSlice): GatewayErrorCode {
  const card = refund.destinationDetails?.cardDetails?.card;
  if (card?.issuerAlert === 'ISSUER_ALERT_CARD_CLOSED') return 'card_expired_or_canceled';
  if (card?.expYear != null && card.expMonth != null) {
    const firstDayAfterExpiry = Date.UTC(Number(card.expYear), Number(card.expMonth), 1);
    if (firstDayAfterExpiry <= Date.parse(refund.createdAt ?? '')) return 'card_expired_or_canceled';
  }
  return 'unknown';
}

export function mapSquarePayment(
  payment: SquarePaymentSlice,
  customer: { readonly email?: string | undefined; readonly name?: string | undefined } = {},
): GatewayPayment {
  const amount = toMoney(payment.totalMoney ?? payment.amountMoney);
  const amountRefunded = toMoney(payment.refundedMoney, amount.currency);
  return {
    paymentRef: payment.id ?? '',
    amount,
    amountRefunded,
    status: paymentStatus(payment.status, amount, amountRefunded),
    capturedAt: new Date(payment.cardDetails?.cardPaymentTimeline?.capturedAt ?? payment.createdAt ?? 0),
    customerEmail: payment.buyerEmailAddress ?? customer.email,
    customerName: customer.name,
    method: methodFacts(payment),
  };
}

function paymentStatus(status: string | null | undefined, amount: Money, refunded: Money): GatewayPayment['status'] {
  if (status === 'COMPLETED') return amount.amount > 0 && refunded.amount >= amount.amount ? 'refunded' : 'captured';
  if (status === 'CANCELED' || status === 'FAILED') return 'failed';
  return 'pending';
}

const CARD_PRESENT_ENTRY = new Set(['EMV', 'CONTACTLESS', 'SWIPED']);
const SOURCE_TYPES: Readonly<Record<string, PaymentMethodFacts['type']>> = {
  CARD: 'card',
  BANK_ACCOUNT: 'bank',
  WALLET: 'wallet',
};

function methodFacts(payment: SquarePaymentSlice): PaymentMethodFacts {
  const type = SOURCE_TYPES[payment.sourceType ?? ''] ?? 'other';
  const details = payment.cardDetails;
  const card = details?.card;
  if (type !== 'card' || !card) return { type };
  return {
    type,
    brand: card.cardBrand?.toLowerCase(),
    last4: card.last4 ?? undefined,
    expMonth: card.expMonth == null ? undefined : Number(card.expMonth),
    expYear: card.expYear == null ? undefined : Number(card.expYear),
    funding:
      card.prepaidType === 'PREPAID'
        ? 'prepaid'
        : card.cardType === 'CREDIT'
          ? 'credit'
          : card.cardType === 'DEBIT'
            ? 'debit'
            : 'unknown',
    cardPresent: details.refundRequiresCardPresence === true || CARD_PRESENT_ENTRY.has(details.entryMethod ?? ''),
  };
}
