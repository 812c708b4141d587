import { timingSafeEqual } from 'node:crypto';
import {
  type GatewayEvent,
  type GatewayWebhookVerifier,
  type VerifiedWebhook,
  type WebhookRequest,
  WebhookVerificationError,
} from '../../ports/gateway-webhook.js';
import { GatewayError } from '../../ports/payment-gateway.js';
import { chargeToPayment, paymentIntentToPayment, toGatewayRefund } from './stripe-mapping.js';
import type { StripeChargeSlice, StripePaymentIntentSlice, StripeRefundSlice } from './stripe-objects.js';
import { computeStripeSignature, parseStripeSignatureHeader } from './stripe-signature.js';

export interface StripeWebhookVerifierConfig {
  /** Endpoint signing secrets (`whsec_…`); during rotation list the old and the new one. */
  readonly secrets: readonly string[];
  /** How far the signed timestamp may be from now; default 300 s, as Stripe's libraries use. */
  readonly toleranceSeconds?: number;
  /** Clock in milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
}

const REFUND_EVENTS = new Set(['refund.created', 'refund.updated', 'refund.failed', 'charge.refund.updated']);
const CAPTURE_EVENTS = new Set(['charge.succeeded', 'charge.captured']);

function isSignatureValid(
  secrets: readonly string[],
  timestamp: number,
  rawBody: string,
  candidates: readonly string[],
) {
  const presented = candidates.filter((hex) => /^[0-9a-f]{64}$/i.test(hex)).map((hex) => Buffer.from(hex, 'hex'));
  let isValid = false;
  // Every pair is compared, so timing does not reveal which secret or signature matched.
  for (const secret of secrets) {
    const expected = Buffer.from(computeStripeSignature(secret, timestamp, rawBody), 'hex');
    for (const signature of presented) {
      if (signature.length === expected.length && timingSafeEqual(signature, expected)) isValid = true;
    }
  }
  return isValid;
}

interface StripeEventEnvelope {
  readonly id: string;
  readonly type: string;
  readonly data: { readonly object: Record<string, unknown> };
}

function parseEnvelope(rawBody: string): StripeEventEnvelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    throw new WebhookVerificationError('malformed_payload', 'Stripe webhook body is not JSON');
  }
  const event = parsed as Partial<StripeEventEnvelope> | null;
  const isEnvelope =
    typeof event?.id === 'string' &&
    typeof event.type === 'string' &&
    typeof event.data === 'object' &&
    event.data !== null &&
    typeof event.data.object === 'object' &&
    event.data.object !== null;
  if (!isEnvelope) throw new WebhookVerificationError('malformed_payload', 'Stripe webhook body is not an event');
  return event as StripeEventEnvelope;
}

function mapEvent(event: StripeEventEnvelope): GatewayEvent {
  try {
    if (REFUND_EVENTS.has(event.type)) {
      return { kind: 'refund.updated', refund: toGatewayRefund(event.data.object as unknown as StripeRefundSlice) };
    }
    if (CAPTURE_EVENTS.has(event.type)) {
      return { kind: 'payment.captured', payment: chargeToPayment(event.data.object as unknown as StripeChargeSlice) };
    }
    if (event.type === 'payment_intent.succeeded') {
      const intent = event.data.object as unknown as StripePaymentIntentSlice;
      return { kind: 'payment.captured', payment: paymentIntentToPayment(intent) };
    }
  } catch (error) {
    // A signed event whose object we cannot read as money (unknown currency, missing fields).
    const reason = error instanceof GatewayError || error instanceof TypeError ? error.message : String(error);
    throw new WebhookVerificationError('malformed_payload', `Stripe ${event.type} object is unreadable: ${reason}`);
  }
  return { kind: 'ignored', vendorType: event.type };
}

/** Verifies `Stripe-Signature` over the raw body (any v1, any secret, 300 s tolerance), then maps the event. */
export function createStripeWebhookVerifier(config: StripeWebhookVerifierConfig): GatewayWebhookVerifier {
  const secrets = [...config.secrets];
  if (secrets.length === 0 || secrets.some((secret) => typeof secret !== 'string' || secret.length === 0)) {
    throw new Error('createStripeWebhookVerifier: secrets must list at least one non-empty signing secret');
  }
  const toleranceSeconds = config.toleranceSeconds ?? 300;
  if (!Number.isFinite(toleranceSeconds) || toleranceSeconds <= 0) {
    throw new Error('createStripeWebhookVerifier: toleranceSeconds must be a positive number');
  }
  const now = config.now ?? Date.now;

  return {
    gateway: 'stripe',
    async verify(request: WebhookRequest): Promise<VerifiedWebhook> {
      const header = request.headers['stripe-signature'];
      if (!header) throw new WebhookVerificationError('missing_signature', 'Stripe-Signature header is missing');
      const { timestampSeconds, v1Signatures } = parseStripeSignatureHeader(header);
      if (timestampSeconds === undefined || v1Signatures.length === 0) {
        throw new WebhookVerificationError('invalid_signature', 'Stripe-Signature has no timestamp or no v1 signature');
      }
      if (!isSignatureValid(secrets, timestampSeconds, request.rawBody, v1Signatures)) {
        throw new WebhookVerificationError('invalid_signature', 'no Stripe v1 signature matches the body');
      }
      if (Math.abs(now() / 1000 - timestampSeconds) > toleranceSeconds) {
        throw new WebhookVerificationError(
          'stale_timestamp',
          `Stripe webhook timestamp ${timestampSeconds} is outside tolerance`,
        );
      }
      const event = parseEnvelope(request.rawBody);
      return { gateway: 'stripe', eventId: event.id, vendorType: event.type, event: mapEvent(event) };
    },
  };
}
