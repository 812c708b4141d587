import { createHmac, timingSafeEqual } from 'node:crypto';

/** Why a request was refused: a bad signature, or a timestamp outside the 5-minute window. */
export class SlackSignatureError extends Error {
  constructor(readonly code: 'invalid_signature' | 'stale_timestamp') {
    super(
      code === 'stale_timestamp'
        ? 'the request timestamp is more than 5 minutes off'
        : 'the Slack signature does not verify',
    );
    this.name = 'SlackSignatureError';
  }
}

const WINDOW_SECONDS = 300;

/** `v0=` + hex(HMAC-SHA256(secret, `v0:{timestamp}:{raw body}`)), as Slack signs. */
export function signSlackRequest(secret: string, timestamp: number | string, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`, 'utf8').digest('hex')}`;
}

/**
 * Checks `X-Slack-Signature` over the raw body with any of the secrets (two during rotation), in
 * constant time, and `X-Slack-Request-Timestamp` within 5 minutes of `nowSeconds`.
 */
export function verifySlackSignature(input: {
  readonly secrets: ReadonlyArray<string>;
  readonly rawBody: string;
  readonly timestamp: string | null | undefined;
  readonly signature: string | null | undefined;
  readonly nowSeconds: number;
}): void {
  const timestamp = Number(input.timestamp);
  if (!input.timestamp || !Number.isInteger(timestamp)) throw new SlackSignatureError('invalid_signature');
  if (Math.abs(input.nowSeconds - timestamp) > WINDOW_SECONDS) throw new SlackSignatureError('stale_timestamp');
  const given = Buffer.from(input.signature ?? '', 'utf8');
  const matches = input.secrets.some((secret) => {
    const expected = Buffer.from(signSlackRequest(secret, input.timestamp as string, input.rawBody), 'utf8');
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!matches) throw new SlackSignatureError('invalid_signature');
}
