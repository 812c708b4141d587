import type { GatewayName, GatewayPayment, GatewayRefund } from './payment-gateway.js';

/** The few things a gateway event can tell us; every vendor event maps to one of these. */
export type GatewayEvent =
  | { readonly kind: 'refund.updated'; readonly refund: GatewayRefund }
  | { readonly kind: 'payment.captured'; readonly payment: GatewayPayment }
  | { readonly kind: 'ignored'; readonly vendorType: string };

export interface VerifiedWebhook {
  readonly gateway: GatewayName;
  /** The vendor's event id; dedupe key. */
  readonly eventId: string;
  readonly vendorType: string;
  readonly event: GatewayEvent;
}

export interface WebhookRequest {
  /** The body exactly as received, before any parsing. */
  readonly rawBody: string;
  /** Request headers, names lower-cased. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The public URL the vendor posted to (Square signs it). */
  readonly url: string;
}

/** Thrown when a webhook's signature, timestamp or shape is not acceptable; answered 401 (or 400 for shape). */
export class WebhookVerificationError extends Error {
  constructor(
    readonly code: 'missing_signature' | 'invalid_signature' | 'stale_timestamp' | 'malformed_payload',
    message: string,
  ) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

/** Verifies and maps one vendor's webhooks. */
export interface GatewayWebhookVerifier {
  readonly gateway: GatewayName;
  /** Checks authenticity over the raw bytes, then maps the event; throws WebhookVerificationError. */
  verify(request: WebhookRequest): Promise<VerifiedWebhook>;
}
