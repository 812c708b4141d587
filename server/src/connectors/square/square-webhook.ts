/**
 * Square webhook verifier. Square signs `notification URL + raw body` with the subscription's signature
 * key and signs no timestamp, so there is no freshness window to check: replays are stopped by deduping on
 * `event_id` downstream.
 */
import { serialization } from 'square';
import { z } from 'zod';
import {
  type GatewayEvent,
  type GatewayWebhookVerifier,
  type VerifiedWebhook,
  type WebhookRequest,
  WebhookVerificationError,
} from '../../ports/gateway-webhook.js';
import {
  mapSquarePayment,
  mapSquareRefund,
  type SquarePaymentSlice,
  type SquareRefundSlice,
} from './square-mapping.js';
import { isSquareSignatureValid, SQUARE_SIGNATURE_HEADER } from './square-signature.js';

export interface SquareWebhookConfig {
  /** Signature keys currently valid; list the old and the new one while rotating. */
  readonly signatureKeys: readonly string[];
  /**
   * The notification URL exactly as registered with Square (it is part of what is signed). A function
   * can rebuild it from the request behind a proxy; default: the request's own `url`.
   */
  readonly notificationUrl?: string | ((request: WebhookRequest) => string) | undefined;
}

const envelopeSchema = z.object({
  merchant_id: z.string().optional(),
  type: z.string().min(1),
  event_id: z.string().min(1),
  created_at: z.string().optional(),
  data: z
    .object({ type: z.string().optional(), id: z.string().optional(), object: z.record(z.string(), z.unknown()) })
    .optional(),
});

const PARSE_OPTIONS = {
  unrecognizedObjectKeys: 'passthrough',
  allowUnrecognizedEnumValues: true,
  allowUnrecognizedUnionMembers: true,
  skipValidation: true,
} as const;

export function createSquareWebhookVerifier(config: SquareWebhookConfig): GatewayWebhookVerifier {
  const keys = [...config.signatureKeys];
  if (keys.length === 0 || keys.some((key) => typeof key !== 'string' || key === '')) {
    throw new Error('createSquareWebhookVerifier: signatureKeys must be a non-empty list of non-empty strings');
  }
  const urlOf =
    typeof config.notificationUrl === 'function'
      ? config.notificationUrl
      : (request: WebhookRequest) => (config.notificationUrl as string | undefined) ?? request.url;

  return {
    gateway: 'square',
    async verify(request: WebhookRequest): Promise<VerifiedWebhook> {
      const signature = request.headers[SQUARE_SIGNATURE_HEADER];
      if (!signature) throw new WebhookVerificationError('missing_signature', `no ${SQUARE_SIGNATURE_HEADER} header`);
      const url = urlOf(request);
      if (!keys.some((key) => isSquareSignatureValid(signature, key, url, request.rawBody))) {
        throw new WebhookVerificationError('invalid_signature', 'Square webhook signature does not match');
      }
      const envelope = parseEnvelope(request.rawBody);
      return {
        gateway: 'square',
        eventId: envelope.event_id,
        vendorType: envelope.type,
        event: mapEventOrRefuse(envelope),
      };
    },
  };
}

function parseEnvelope(rawBody: string): z.infer<typeof envelopeSchema> {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    throw new WebhookVerificationError('malformed_payload', 'Square webhook body is not JSON');
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) throw new WebhookVerificationError('malformed_payload', 'not a Square event envelope');
  return parsed.data;
}

function mapEventOrRefuse(envelope: z.infer<typeof envelopeSchema>): GatewayEvent {
  try {
    return mapEvent(envelope);
  } catch (error) {
    if (error instanceof WebhookVerificationError) throw error;
    // e.g. a currency we do not know: refuse the shape rather than guess at money.
    const reason = error instanceof Error ? error.message : String(error);
    throw new WebhookVerificationError('malformed_payload', `${envelope.type}: ${reason}`);
  }
}

function mapEvent(envelope: z.infer<typeof envelopeSchema>): GatewayEvent {
  const object = envelope.data?.object;
  if (envelope.type === 'refund.created' || envelope.type === 'refund.updated') {
    const refund = serialization.PaymentRefund.parse(object?.refund, PARSE_OPTIONS);
    if (!refund.ok || !refund.value.id) throw malformed(envelope.type, 'refund');
    return { kind: 'refund.updated', refund: mapSquareRefund(refund.value as SquareRefundSlice) };
  }
  if (envelope.type === 'payment.updated') {
    const payment = serialization.Payment.parse(object?.payment, PARSE_OPTIONS);
    if (!payment.ok || !payment.value.id) throw malformed(envelope.type, 'payment');
    if (payment.value.status !== 'COMPLETED') return { kind: 'ignored', vendorType: envelope.type };
    return { kind: 'payment.captured', payment: mapSquarePayment(payment.value as SquarePaymentSlice) };
  }
  return { kind: 'ignored', vendorType: envelope.type };
}

function malformed(type: string, objectName: string): WebhookVerificationError {
  return new WebhookVerificationError('malformed_payload', `${type} without a readable data.object.${objectName}`);
}
