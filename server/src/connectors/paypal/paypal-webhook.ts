import {
  type GatewayWebhookVerifier,
  type VerifiedWebhook,
  type WebhookRequest,
  WebhookVerificationError,
} from '../../ports/gateway-webhook.js';
import { toGatewayEvent } from './paypal-webhook-events.js';

export interface PayPalWebhookVerifierConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The webhook id(s) PayPal signs for; during rotation give the old and the new, either is accepted. */
  readonly webhookId: string | readonly string[];
  /** PayPal's API origin (default https://api-m.paypal.com); the sandbox in tests. */
  readonly baseUrl?: string | undefined;
  /** Per call to PayPal, default 10 000 ms. */
  readonly timeoutMs?: number | undefined;
  /** Injectable clock (ms since epoch) for the 300 s transmission-time window. */
  readonly now?: (() => number) | undefined;
}

const TOLERANCE_MS = 300_000;
const SIGNATURE_HEADERS = [
  'paypal-transmission-id',
  'paypal-transmission-time',
  'paypal-transmission-sig',
  'paypal-cert-url',
  'paypal-auth-algo',
] as const;

/**
 * Verifies PayPal webhooks through `POST /v1/notifications/verify-webhook-signature`: PayPal checks its RSA
 * signature over `transmissionId|time|webhookId|crc32(body)` and answers SUCCESS or FAILURE, so no secret is
 * compared here. Before any call we refuse a cert URL outside paypal.com and a transmission time more than
 * 300 s away. The raw body is spliced into the request unchanged, so PayPal checksums the bytes we received.
 * A verification service that cannot be reached throws a plain Error (answer 5xx so PayPal retries), never
 * a WebhookVerificationError.
 */
export function createPayPalWebhookVerifier(config: PayPalWebhookVerifierConfig): GatewayWebhookVerifier {
  const webhookIds = typeof config.webhookId === 'string' ? [config.webhookId] : [...config.webhookId];
  if (!config.clientId || !config.clientSecret)
    throw new Error('PayPal webhook verifier: clientId and clientSecret are required');
  if (webhookIds.length === 0 || webhookIds.some((id) => !id))
    throw new Error('PayPal webhook verifier: webhookId is required');
  const baseUrl = (config.baseUrl ?? 'https://api-m.paypal.com').replace(/\/$/, '');
  const timeoutMs = config.timeoutMs ?? 10_000;
  const now = config.now ?? Date.now;
  let token: { value: string; expiresAt: number } | undefined;
  let fetching: Promise<string> | undefined;

  // one token fetch at a time: a burst of webhooks shares it instead of each minting its own
  const accessToken = (): Promise<string> => {
    if (token && token.expiresAt > now() + 60_000) return Promise.resolve(token.value);
    fetching ??= fetchToken().finally(() => {
      fetching = undefined;
    });
    return fetching;
  };

  const fetchToken = async (): Promise<string> => {
    const response = await fetch(`${baseUrl}/v1/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${config.clientId}:${config.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`PayPal OAuth answered ${response.status} to the webhook verifier`);
    const body = (await response.json()) as { access_token: string; expires_in: number };
    token = { value: body.access_token, expiresAt: now() + body.expires_in * 1000 };
    return token.value;
  };

  const isVerified = async (
    headers: Record<string, string>,
    rawBody: string,
    webhookId: string,
    retried = false,
  ): Promise<boolean> => {
    const fields = JSON.stringify({
      auth_algo: headers['paypal-auth-algo'],
      cert_url: headers['paypal-cert-url'],
      transmission_id: headers['paypal-transmission-id'],
      transmission_sig: headers['paypal-transmission-sig'],
      transmission_time: headers['paypal-transmission-time'],
      webhook_id: webhookId,
    });
    const response = await fetch(`${baseUrl}/v1/notifications/verify-webhook-signature`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await accessToken()}`, 'content-type': 'application/json' },
      body: `${fields.slice(0, -1)},"webhook_event":${rawBody}}`,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status === 401 && !retried) {
      // the token expired or was revoked: fetch a new one and try once more
      token = undefined;
      await response.arrayBuffer();
      return isVerified(headers, rawBody, webhookId, true);
    }
    if (!response.ok) throw new Error(`PayPal verify-webhook-signature answered ${response.status}`);
    const body = (await response.json()) as { verification_status?: string };
    return body.verification_status === 'SUCCESS';
  };

  return {
    gateway: 'paypal',
    async verify(request: WebhookRequest): Promise<VerifiedWebhook> {
      const headers = signatureHeaders(request);
      if (!isPayPalCertUrl(headers['paypal-cert-url'] ?? '')) {
        throw new WebhookVerificationError('invalid_signature', 'PAYPAL-CERT-URL is not an https paypal.com URL');
      }
      const sentAt = Date.parse(headers['paypal-transmission-time'] ?? '');
      if (Number.isNaN(sentAt))
        throw new WebhookVerificationError('invalid_signature', 'PAYPAL-TRANSMISSION-TIME is not a time');
      if (Math.abs(now() - sentAt) > TOLERANCE_MS) {
        throw new WebhookVerificationError('stale_timestamp', 'PAYPAL-TRANSMISSION-TIME is more than 300 s away');
      }
      let event: unknown;
      try {
        event = JSON.parse(request.rawBody);
      } catch {
        throw new WebhookVerificationError('malformed_payload', 'webhook body is not JSON');
      }
      let verified = false;
      for (const webhookId of webhookIds) {
        if (await isVerified(headers, request.rawBody, webhookId)) {
          verified = true;
          break;
        }
      }
      if (!verified)
        throw new WebhookVerificationError('invalid_signature', 'PayPal did not verify the webhook signature');
      return toGatewayEvent(event);
    },
  };
}

function signatureHeaders(request: WebhookRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of SIGNATURE_HEADERS) {
    const value = request.headers[name];
    if (!value) throw new WebhookVerificationError('missing_signature', `missing ${name.toUpperCase()} header`);
    headers[name] = value;
  }
  return headers;
}

/** PayPal publishes its signing certificates under paypal.com; anything else could be an attacker's key. */
function isPayPalCertUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && (url.hostname === 'paypal.com' || url.hostname.endsWith('.paypal.com'));
  } catch {
    return false;
  }
}
