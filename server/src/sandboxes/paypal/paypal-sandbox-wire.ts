import { randomBytes } from 'node:crypto';
import { money } from '../../money/money.js';
import {
  PAYPAL_LINK_ORIGIN,
  type PayPalSandboxStore,
  type StoredCapture,
  type StoredRefund,
  wireMoney,
} from './paypal-sandbox-store.js';

/** Failure reasons the sandbox puts in a failed refund's `status_details.reason` (PayPal documents only ECHECK). */
export const SANDBOX_REFUND_FAILURE_REASONS: Readonly<Record<string, string>> = {
  card_expired_or_canceled: 'EXPIRED_OR_CANCELED_CARD',
  card_lost_or_stolen: 'LOST_OR_STOLEN_CARD',
  insufficient_balance: 'INSUFFICIENT_FUNDS',
};

export function renderRefund(refund: StoredRefund) {
  const reason = refund.failureReason ? (SANDBOX_REFUND_FAILURE_REASONS[refund.failureReason] ?? 'UNKNOWN') : undefined;
  return {
    id: refund.id,
    amount: wireMoney(refund.amount),
    status: refund.status,
    ...(reason ? { status_details: { reason } } : {}),
    ...(refund.invoiceId !== undefined ? { invoice_id: refund.invoiceId } : {}),
    ...(refund.customId !== undefined ? { custom_id: refund.customId } : {}),
    ...(refund.noteToPayer !== undefined ? { note_to_payer: refund.noteToPayer } : {}),
    seller_payable_breakdown: { gross_amount: wireMoney(refund.amount), net_amount: wireMoney(refund.amount) },
    create_time: refund.createTime,
    update_time: refund.updateTime,
    links: [
      { href: `${PAYPAL_LINK_ORIGIN}/v2/payments/refunds/${refund.id}`, rel: 'self', method: 'GET' },
      { href: `${PAYPAL_LINK_ORIGIN}/v2/payments/captures/${refund.captureId}`, rel: 'up', method: 'GET' },
    ],
  };
}

export function renderCapture(store: PayPalSandboxStore, capture: StoredCapture) {
  return {
    id: capture.id,
    amount: wireMoney(capture.amount),
    final_capture: true,
    seller_protection: { status: 'ELIGIBLE', dispute_categories: ['ITEM_NOT_RECEIVED', 'UNAUTHORIZED_TRANSACTION'] },
    seller_receivable_breakdown: {
      gross_amount: wireMoney(capture.amount),
      paypal_fee: wireMoney(money(0, capture.amount.currency)),
      net_amount: wireMoney(capture.amount),
    },
    status: store.captureStatus(capture),
    supplementary_data: { related_ids: { order_id: capture.orderId } },
    create_time: capture.createTime,
    update_time: capture.createTime,
    // Like PayPal: a capture links to itself, to its refund action and to its order, never to a list of refunds.
    links: [
      { href: `${PAYPAL_LINK_ORIGIN}/v2/payments/captures/${capture.id}`, rel: 'self', method: 'GET' },
      { href: `${PAYPAL_LINK_ORIGIN}/v2/payments/captures/${capture.id}/refund`, rel: 'refund', method: 'POST' },
      { href: `${PAYPAL_LINK_ORIGIN}/v2/checkout/orders/${capture.orderId}`, rel: 'up', method: 'GET' },
    ],
  };
}

export function renderOrder(store: PayPalSandboxStore, capture: StoredCapture) {
  const [givenName, ...rest] = (capture.name ?? '').split(' ');
  const name = capture.name ? { given_name: givenName, surname: rest.join(' ') } : undefined;
  const paymentSource = capture.card
    ? {
        card: {
          name: capture.name,
          last_digits: capture.card.lastDigits,
          brand: capture.card.brand,
          type: capture.card.type,
          expiry: capture.card.expiry,
        },
      }
    : { paypal: { email_address: capture.email, account_id: capture.orderId.slice(0, 13), name } };
  return {
    id: capture.orderId,
    intent: 'CAPTURE',
    status: 'COMPLETED',
    payment_source: paymentSource,
    ...(capture.email
      ? { payer: { email_address: capture.email, payer_id: capture.orderId.slice(0, 13), ...(name ? { name } : {}) } }
      : {}),
    purchase_units: [
      {
        reference_id: 'default',
        amount: wireMoney(capture.amount),
        payments: {
          captures: [renderCapture(store, capture)],
          refunds: store.refundsOfCapture(capture).map(renderRefund),
        },
      },
    ],
    create_time: capture.createTime,
    update_time: capture.createTime,
    links: [{ href: `${PAYPAL_LINK_ORIGIN}/v2/checkout/orders/${capture.orderId}`, rel: 'self', method: 'GET' }],
  };
}

/** PayPal's error envelope: `{name, message, debug_id, details?: [{issue, description}]}`. */
export function paypalError(name: string, message: string, issue?: string, description?: string) {
  return {
    name,
    message,
    debug_id: randomBytes(7).toString('hex'),
    ...(issue ? { details: [{ issue, description: description ?? message }] } : {}),
    links: [
      {
        href: `https://developer.paypal.com/api/rest/reference/orders/v2/errors/#${issue ?? name}`,
        rel: 'information_link',
      },
    ],
  };
}

export const UNPROCESSABLE =
  'The requested action could not be performed, semantically incorrect, or failed business validation.';

export const AUTHENTICATION_FAILURE = () =>
  paypalError(
    'AUTHENTICATION_FAILURE',
    'Authentication failed due to invalid authentication credentials or a missing Authorization header.',
  );

export const RESOURCE_NOT_FOUND = () =>
  paypalError(
    'RESOURCE_NOT_FOUND',
    'The specified resource does not exist.',
    'INVALID_RESOURCE_ID',
    'Specified resource ID does not exist. Please check the resource ID and try again.',
  );
