import { createPublicKey, type KeyObject, verify } from 'node:crypto';

export const SENDGRID_SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const SENDGRID_TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

/** The event webhook's verification key as SendGrid shows it: base64 of the DER (SPKI) public key. */
export function parseSendgridPublicKey(base64Der: string): KeyObject {
  const key = createPublicKey({ key: Buffer.from(base64Der, 'base64'), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ec') throw new Error('the SendGrid webhook key must be an EC (P-256) public key');
  return key;
}

/**
 * SendGrid signs timestamp + raw body with ECDSA P-256 / SHA-256; the signature header is base64 of
 * the DER-encoded signature. Verified over the bytes as received, before any parsing.
 */
export function isValidSendgridSignature(
  publicKey: KeyObject,
  signature: string | undefined,
  timestamp: string | undefined,
  rawBody: string,
): boolean {
  if (!signature || !timestamp) return false;
  try {
    return verify('sha256', Buffer.from(timestamp + rawBody, 'utf8'), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
