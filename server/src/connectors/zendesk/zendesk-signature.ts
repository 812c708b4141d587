import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookVerificationError } from '../../ports/gateway-webhook.js';

/** Zendesk's webhook signature: base64(HMAC-SHA256(secret, timestamp + raw body)), no separator. */
export function computeZendeskSignature(secret: string, timestamp: string, rawBody: string): string {
  return createHmac('sha256', secret)
    .update(timestamp + rawBody, 'utf8')
    .digest('base64');
}

/** Zendesk sends an ISO 8601 UTC time; some integrations send Unix seconds. Returns ms, or undefined. */
export function parseZendeskTimestamp(timestamp: string): number | undefined {
  if (/^\d{9,11}$/.test(timestamp)) return Number(timestamp) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.test(timestamp)) return undefined;
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? undefined : ms;
}

export interface ZendeskWebhookCheck {
  readonly secrets: readonly string[];
  readonly rawBody: string;
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly nowMs: number;
  /** Default 300 s. */
  readonly toleranceSeconds?: number;
}

/**
 * Checks `X-Zendesk-Webhook-Signature` against every secret (all compared, constant time) and
 * the signed timestamp's window; returns the invocation id (the dedupe key).
 */
export function verifyZendeskWebhook(check: ZendeskWebhookCheck): { readonly invocationId: string } {
  const signature = check.headers['x-zendesk-webhook-signature'];
  const timestamp = check.headers['x-zendesk-webhook-signature-timestamp'];
  if (!signature || !timestamp) {
    throw new WebhookVerificationError(
      'missing_signature',
      'X-Zendesk-Webhook-Signature and its timestamp are required',
    );
  }
  const presented = Buffer.from(signature, 'base64');
  let isValid = false;
  for (const secret of check.secrets) {
    const expected = Buffer.from(computeZendeskSignature(secret, timestamp, check.rawBody), 'base64');
    if (presented.length === expected.length && timingSafeEqual(presented, expected)) isValid = true;
  }
  if (!isValid) throw new WebhookVerificationError('invalid_signature', 'the Zendesk webhook signature does not match');
  const signedAt = parseZendeskTimestamp(timestamp);
  const tolerance = (check.toleranceSeconds ?? 300) * 1000;
  if (signedAt === undefined || Math.abs(check.nowMs - signedAt) > tolerance) {
    throw new WebhookVerificationError(
      'stale_timestamp',
      'the Zendesk webhook timestamp is outside the 5-minute window',
    );
  }
  const invocationId = check.headers['x-zendesk-webhook-invocation-id'];
  if (!invocationId || invocationId.length > 200) {
    throw new WebhookVerificationError('malformed_payload', 'X-Zendesk-Webhook-Invocation-Id is missing');
  }
  return { invocationId };
}

/** The headers Zendesk sends with a signed webhook (sandbox, tests and the benchmark sign like Zendesk). */
export function zendeskWebhookHeaders(
  secret: string,
  rawBody: string,
  options: { readonly timestamp?: string; readonly invocationId: string; readonly webhookId?: string },
): Record<string, string> {
  const timestamp = options.timestamp ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    'content-type': 'application/json',
    'x-zendesk-webhook-id': options.webhookId ?? '01HRDSANDBOXWEBHOOK0000000',
    'x-zendesk-webhook-invocation-id': options.invocationId,
    'x-zendesk-webhook-signature-timestamp': timestamp,
    'x-zendesk-webhook-signature': computeZendeskSignature(secret, timestamp, rawBody),
  };
}
