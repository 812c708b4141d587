import { generateKeyPairSync, type KeyObject, randomBytes, randomUUID, sign, verify } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { isoNow } from './paypal-sandbox-store.js';

/** What PayPal's `POST /v1/notifications/verify-webhook-signature` receives. */
export interface VerifySignatureRequest {
  readonly auth_algo?: unknown;
  readonly cert_url?: unknown;
  readonly transmission_id?: unknown;
  readonly transmission_sig?: unknown;
  readonly transmission_time?: unknown;
  readonly webhook_id?: unknown;
  readonly webhook_event?: unknown;
}

/**
 * Signs webhooks the way PayPal does: SHA256withRSA over `transmissionId|time|webhookId|crc32(body)`,
 * with the certificate named by a paypal.com URL. The key pair is per sandbox; only this sandbox's
 * verify endpoint knows the public half, just as only PayPal can check its own signatures.
 */
export class PayPalWebhookSigner {
  readonly certUrl =
    `https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-${randomBytes(4).toString('hex')}`;
  #keys: { privateKey: KeyObject; publicKey: KeyObject } | undefined;

  /** Headers PayPal sends with the exact body. */
  sign(body: string, webhookId: string, now = new Date()): Record<string, string> {
    const transmissionId = randomUUID();
    const transmissionTime = now.toISOString();
    const signed = signedText(transmissionId, transmissionTime, webhookId, body);
    return {
      'paypal-transmission-id': transmissionId,
      'paypal-transmission-time': transmissionTime,
      'paypal-transmission-sig': sign('sha256', Buffer.from(signed), this.#keyPair().privateKey).toString('base64'),
      'paypal-cert-url': this.certUrl,
      'paypal-auth-algo': 'SHA256withRSA',
    };
  }

  /**
   * PayPal receives the event parsed, so it can only re-serialise it; the sandbox re-serialises compactly,
   * which is byte-identical to what it sent when nothing was altered.
   */
  verify(request: VerifySignatureRequest): 'SUCCESS' | 'FAILURE' {
    const { auth_algo, cert_url, transmission_id, transmission_sig, transmission_time, webhook_id } = request;
    if (auth_algo !== 'SHA256withRSA' || cert_url !== this.certUrl) return 'FAILURE';
    if (typeof transmission_id !== 'string' || typeof transmission_time !== 'string') return 'FAILURE';
    if (typeof transmission_sig !== 'string' || typeof webhook_id !== 'string') return 'FAILURE';
    const body = JSON.stringify(request.webhook_event);
    const signed = signedText(transmission_id, transmission_time, webhook_id, body);
    const signature = Buffer.from(transmission_sig, 'base64');
    return verify('sha256', Buffer.from(signed), this.#keyPair().publicKey, signature) ? 'SUCCESS' : 'FAILURE';
  }

  #keyPair() {
    this.#keys ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
    return this.#keys;
  }
}

function signedText(transmissionId: string, time: string, webhookId: string, body: string): string {
  return `${transmissionId}|${time}|${webhookId}|${crc32(Buffer.from(body, 'utf8'))}`;
}

/** One PayPal webhook event envelope around a resource. */
export function webhookEventBody(eventType: string, resourceType: string, resource: unknown, summary: string): string {
  const id = `WH-${randomBytes(8).toString('hex').toUpperCase()}-${randomBytes(8).toString('hex').toUpperCase()}`;
  return JSON.stringify({
    id,
    event_version: '1.0',
    create_time: isoNow(),
    resource_type: resourceType,
    resource_version: '2.0',
    event_type: eventType,
    summary,
    resource,
    links: [
      { href: `https://api.paypal.com/v1/notifications/webhooks-events/${id}`, rel: 'self', method: 'GET' },
      { href: `https://api.paypal.com/v1/notifications/webhooks-events/${id}/resend`, rel: 'resend', method: 'POST' },
    ],
  });
}
