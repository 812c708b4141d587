import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header Square puts its webhook signature in. */
export const SQUARE_SIGNATURE_HEADER = 'x-square-hmacsha256-signature';

/** Square's webhook signature: base64(HMAC-SHA256(signature key, notification URL + raw body)). */
export function signSquareWebhook(signatureKey: string, notificationUrl: string, rawBody: string): string {
  return createHmac('sha256', signatureKey)
    .update(notificationUrl + rawBody, 'utf8')
    .digest('base64');
}

/** Constant-time check of one presented signature against one key; unequal lengths never match. */
export function isSquareSignatureValid(
  presented: string,
  signatureKey: string,
  notificationUrl: string,
  rawBody: string,
): boolean {
  const expected = Buffer.from(signSquareWebhook(signatureKey, notificationUrl, rawBody), 'utf8');
  const actual = Buffer.from(presented, 'utf8');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
