import { type Money, money, parseDecimal } from '../../money/money.js';
import {
  GatewayError,
  type GatewayErrorCode,
  type GatewayPayment,
  type GatewayRefund,
  type GatewayRefundStatus,
  type PaymentMethodFacts,
} from '../../ports/payment-gateway.js';

/** The slices of the SDK's models we read (camelCase, as the SDK maps PayPal's JSON). */
export interface PayPalMoneySlice {
  readonly currencyCode: string;
  readonly value: string;
}
export interface PayPalLinkSlice {
  readonly href: string;
  readonly rel: string;
}
export interface PayPalRefundSlice {
  readonly id?: string | undefined;
  readonly status?: string | undefined;
  readonly statusDetails?: { readonly reason?: string | undefined } | undefined;
  readonly amount?: PayPalMoneySlice | undefined;
  readonly invoiceId?: string | undefined;
  readonly customId?: string | undefined;
  readonly createTime?: string | undefined;
  readonly links?: readonly PayPalLinkSlice[] | undefined;
}
export interface PayPalCaptureSlice {
  readonly id?: string | undefined;
  readonly status?: string | undefined;
  readonly amount?: PayPalMoneySlice | undefined;
  readonly createTime?: string | undefined;
  readonly links?: readonly PayPalLinkSlice[] | undefined;
  readonly supplementaryData?:
    | { readonly relatedIds?: { readonly orderId?: string | undefined } | undefined }
    | undefined;
}
interface PayPalNameSlice {
  readonly givenName?: string | undefined;
  readonly surname?: string | undefined;
}
export interface PayPalOrderSlice {
  readonly payer?:
    | { readonly emailAddress?: string | undefined; readonly name?: PayPalNameSlice | undefined }
    | undefined;
  readonly paymentSource?:
    | {
        readonly card?:
          | {
              readonly name?: string;
              readonly lastDigits?: string;
              readonly brand?: string;
              readonly type?: string;
              readonly expiry?: string;
            }
          | undefined;
        readonly paypal?: { readonly emailAddress?: string; readonly name?: PayPalNameSlice } | undefined;
      }
    | undefined;
  readonly purchaseUnits?:
    | ReadonlyArray<{ readonly payments?: { readonly refunds?: readonly PayPalRefundSlice[] } | undefined }>
    | undefined;
}

/** The metadata key under which a refund's `invoice_id` (our idempotency key) is returned. */
export const IDEMPOTENCY_KEY_METADATA = 'idempotencyKey';

const REFUND_STATUSES: Readonly<Record<string, GatewayRefundStatus>> = {
  COMPLETED: 'succeeded',
  PENDING: 'pending',
  FAILED: 'failed',
  CANCELLED: 'canceled',
};

/** PayPal documents no failure reason for refunds besides ECHECK; these are the sandbox's words. */
const FAILURE_REASONS: Readonly<Record<string, GatewayErrorCode>> = {
  EXPIRED_OR_CANCELED_CARD: 'card_expired_or_canceled',
  LOST_OR_STOLEN_CARD: 'card_lost_or_stolen',
  INSUFFICIENT_FUNDS: 'insufficient_balance',
};

export function toGatewayRefund(refund: PayPalRefundSlice, fallbackPaymentRef?: string): GatewayRefund {
  const status = REFUND_STATUSES[refund.status ?? ''];
  const paymentRef = linkedId(refund.links, 'up', 'captures') ?? fallbackPaymentRef;
  if (!refund.id || !status || !refund.amount || !paymentRef) {
    throw new GatewayError('unknown', `PayPal refund without id, status, amount or capture: ${refund.id}`, {
      gateway: 'paypal',
    });
  }
  const failureReason =
    status === 'failed' ? (FAILURE_REASONS[refund.statusDetails?.reason ?? ''] ?? 'unknown') : undefined;
  return {
    gatewayRefundId: refund.id,
    paymentRef,
    amount: toMoney(refund.amount),
    status,
    failureReason,
    metadata: decodeMetadata(refund.customId, refund.invoiceId),
    createdAt: new Date(refund.createTime ?? 0),
  };
}

export function toGatewayPayment(capture: PayPalCaptureSlice, order: PayPalOrderSlice | undefined): GatewayPayment {
  if (!capture.id || !capture.amount) {
    throw new GatewayError('unknown', 'PayPal capture without id or amount', { gateway: 'paypal' });
  }
  const amount = toMoney(capture.amount);
  const refunds = refundsOfCapture(order, capture.id);
  const refunded = refunds.filter((r) => r.status === 'succeeded').reduce((sum, r) => sum + r.amount.amount, 0);
  const status = capture.status ?? '';
  const payer = order?.payer;
  const name = payer?.name ?? order?.paymentSource?.paypal?.name;
  return {
    paymentRef: capture.id,
    amount,
    amountRefunded: money(status === 'REFUNDED' && refunded === 0 ? amount.amount : refunded, amount.currency),
    status:
      status === 'REFUNDED'
        ? 'refunded'
        : status === 'PENDING'
          ? 'pending'
          : /DECLINED|FAILED/.test(status)
            ? 'failed'
            : 'captured',
    capturedAt: new Date(capture.createTime ?? 0),
    customerEmail: payer?.emailAddress ?? order?.paymentSource?.paypal?.emailAddress,
    customerName: name ? [name.givenName, name.surname].filter(Boolean).join(' ') : order?.paymentSource?.card?.name,
    method: methodFacts(order),
  };
}

/** The refunds an order lists for one of its captures, newest first. */
export function refundsOfCapture(order: PayPalOrderSlice | undefined, captureId: string): GatewayRefund[] {
  const refunds = (order?.purchaseUnits ?? []).flatMap((unit) => unit.payments?.refunds ?? []);
  return refunds
    .filter((refund) => (linkedId(refund.links, 'up', 'captures') ?? captureId) === captureId)
    .map((refund) => toGatewayRefund(refund, captureId))
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
}

/** The order a capture belongs to: `supplementary_data.related_ids.order_id`, else its `up` link. */
export function orderIdOf(capture: PayPalCaptureSlice): string | undefined {
  return capture.supplementaryData?.relatedIds?.orderId ?? linkedId(capture.links, 'up', 'orders');
}

/** `custom_id` carries our metadata URL-encoded (127 characters at most); `invoice_id` carries the key. */
export function encodeMetadata(metadata: Readonly<Record<string, string>>, idempotencyKey: string): string {
  const kept = Object.entries(metadata).filter(([, value]) => value !== idempotencyKey);
  const encoded = new URLSearchParams(kept.sort(([a], [b]) => (a < b ? -1 : 1))).toString();
  if (encoded.length > 127) {
    throw new GatewayError(
      'invalid_request',
      `metadata is ${encoded.length} characters URL-encoded; PayPal's custom_id holds 127`,
      {
        gateway: 'paypal',
      },
    );
  }
  return encoded;
}

export function decodeMetadata(customId: string | undefined, invoiceId: string | undefined): Record<string, string> {
  const metadata: Record<string, string> = Object.fromEntries(new URLSearchParams(customId ?? ''));
  if (invoiceId) metadata[IDEMPOTENCY_KEY_METADATA] = invoiceId;
  return metadata;
}

function methodFacts(order: PayPalOrderSlice | undefined): PaymentMethodFacts {
  const card = order?.paymentSource?.card;
  if (card) {
    const [year, month] = (card.expiry ?? '').split('-').map(Number);
    const funding =
      ({ CREDIT: 'credit', DEBIT: 'debit', PREPAID: 'prepaid' } as const)[card.type as 'CREDIT'] ?? 'unknown';
    return {
      type: 'card',
      brand: card.brand?.toLowerCase(),
      last4: card.lastDigits,
      expMonth: month || undefined,
      expYear: year || undefined,
      funding,
      cardPresent: false,
    };
  }
  return { type: order?.paymentSource?.paypal ? 'paypal' : 'other' };
}

function toMoney(value: PayPalMoneySlice): Money {
  return parseDecimal(value.value, value.currencyCode);
}

function linkedId(links: readonly PayPalLinkSlice[] | undefined, rel: string, collection: string): string | undefined {
  const href = links?.find((link) => link.rel === rel)?.href ?? '';
  return new RegExp(`/${collection}/([^/?#]+)`).exec(href)?.[1];
}
