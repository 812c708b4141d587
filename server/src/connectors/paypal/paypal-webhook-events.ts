import { type GatewayEvent, type VerifiedWebhook, WebhookVerificationError } from '../../ports/gateway-webhook.js';
import type { PayPalCaptureSlice, PayPalLinkSlice, PayPalMoneySlice, PayPalRefundSlice } from './paypal-mapping.js';
import { toGatewayPayment, toGatewayRefund } from './paypal-mapping.js';

/** PayPal's event envelope as it arrives (snake_case JSON; the SDK has no webhook models). */
interface PayPalEventJson {
  readonly id?: unknown;
  readonly event_type?: unknown;
  readonly resource_type?: unknown;
  readonly resource?: Record<string, unknown>;
}

/**
 * Refund events: PAYMENT.CAPTURE.REFUNDED and .REVERSED (both carry a refund resource) are PayPal's
 * documented names; PAYMENT.REFUND.* is what the sandbox sends for pending and failed refunds, whose
 * event names PayPal does not document. Any event whose resource is a refund is read as one.
 */
const REFUND_EVENT = /^PAYMENT\.(CAPTURE\.(REFUNDED|REVERSED)|REFUND\.)/;

/** Maps a verified PayPal event to ours; a refund or capture we cannot read is a malformed payload. */
export function toGatewayEvent(json: unknown): VerifiedWebhook {
  const event = (json ?? {}) as PayPalEventJson;
  if (typeof event.id !== 'string' || typeof event.event_type !== 'string') {
    throw new WebhookVerificationError('malformed_payload', 'PayPal event without id or event_type');
  }
  const vendorType = event.event_type;
  return { gateway: 'paypal', eventId: event.id, vendorType, event: mapEvent(vendorType, event) };
}

function mapEvent(vendorType: string, event: PayPalEventJson): GatewayEvent {
  const resource = event.resource;
  const isRefund = REFUND_EVENT.test(vendorType) || event.resource_type === 'refund';
  try {
    if (isRefund && resource) return { kind: 'refund.updated', refund: toGatewayRefund(refundSlice(resource)) };
    if (vendorType === 'PAYMENT.CAPTURE.COMPLETED' && resource) {
      return { kind: 'payment.captured', payment: toGatewayPayment(captureSlice(resource), undefined) };
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new WebhookVerificationError('malformed_payload', `unreadable ${vendorType} resource: ${reason}`);
  }
  return { kind: 'ignored', vendorType };
}

function refundSlice(resource: Record<string, unknown>): PayPalRefundSlice {
  const details = resource.status_details as { reason?: unknown } | undefined;
  return {
    id: text(resource.id),
    status: text(resource.status),
    statusDetails: { reason: text(details?.reason) },
    amount: moneySlice(resource.amount),
    invoiceId: text(resource.invoice_id),
    customId: text(resource.custom_id),
    createTime: text(resource.create_time),
    links: linkSlices(resource.links),
  };
}

function captureSlice(resource: Record<string, unknown>): PayPalCaptureSlice {
  const related = (resource.supplementary_data as { related_ids?: { order_id?: unknown } } | undefined)?.related_ids;
  return {
    id: text(resource.id),
    status: text(resource.status),
    amount: moneySlice(resource.amount),
    createTime: text(resource.create_time),
    links: linkSlices(resource.links),
    supplementaryData: { relatedIds: { orderId: text(related?.order_id) } },
  };
}

function moneySlice(value: unknown): PayPalMoneySlice | undefined {
  const wire = value as { currency_code?: unknown; value?: unknown } | undefined;
  const currencyCode = text(wire?.currency_code);
  const amount = text(wire?.value);
  return currencyCode && amount ? { currencyCode, value: amount } : undefined;
}

function linkSlices(value: unknown): PayPalLinkSlice[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((link: { href?: unknown; rel?: unknown }) => {
    const href = text(link?.href);
    const rel = text(link?.rel);
    return href && rel ? [{ href, rel }] : [];
  });
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
