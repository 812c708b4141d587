import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * X-Twilio-Signature: base64(HMAC-SHA1(auth token, full URL + each POST parameter's name and value,
 * sorted by name)). There is no timestamp, so dedupe happens on the message sid and status.
 */
export function twilioSignature(authToken: string, url: string, params: Readonly<Record<string, string>>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + (params[key] ?? ''), url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/** True when `signature` matches under any of the tokens (old and new during rotation); constant-time. */
export function isValidTwilioSignature(
  authTokens: ReadonlyArray<string>,
  signature: string | undefined,
  url: string,
  params: Readonly<Record<string, string>>,
): boolean {
  if (!signature) return false;
  const given = Buffer.from(signature, 'utf8');
  let valid = false;
  for (const token of authTokens) {
    const expected = Buffer.from(twilioSignature(token, url, params), 'utf8');
    if (expected.length === given.length && timingSafeEqual(expected, given)) valid = true;
  }
  return valid;
}

/** A form body as a flat map (Twilio never repeats a parameter in these webhooks; the last one wins). */
export function formParams(rawBody: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawBody)) params[key] = value;
  return params;
}
