import { createHmac } from 'node:crypto';

/** Stripe's v1 scheme: hex(HMAC-SHA256(endpoint secret, `${t}.${raw body}`)). */
export function computeStripeSignature(secret: string, timestampSeconds: number, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${rawBody}`, 'utf8').digest('hex');
}

/** The `Stripe-Signature` header value Stripe sends: `t=…,v1=…`. */
export function formatStripeSignatureHeader(secret: string, timestampSeconds: number, rawBody: string): string {
  return `t=${timestampSeconds},v1=${computeStripeSignature(secret, timestampSeconds, rawBody)}`;
}

export interface ParsedStripeSignature {
  readonly timestampSeconds: number | undefined;
  readonly v1Signatures: readonly string[];
}

/** Splits `t=…,v1=…[,v1=…][,v0=…]`; unknown schemes are ignored like the official libraries do. */
export function parseStripeSignatureHeader(header: string): ParsedStripeSignature {
  let timestampSeconds: number | undefined;
  const v1Signatures: string[] = [];
  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    if (separator <= 0) continue;
    const name = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (name === 't' && /^\d{1,12}$/.test(value)) timestampSeconds = Number(value);
    if (name === 'v1') v1Signatures.push(value);
  }
  return { timestampSeconds, v1Signatures };
}
