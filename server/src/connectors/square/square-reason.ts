import { createHash } from 'node:crypto';
import type { GatewayRefundReason } from '../../ports/payment-gateway.js';

/**
 * Square refunds have no metadata field and do not expose their idempotency key, so we carry the few
 * opaque ids needed to match an unknown attempt in the free-text `reason` (max 192 chars), after the human
 * words: `Requested by customer | refund-desk:idempotencyKey=…&caseId=…`. Only allow-listed keys whose
 * values look like opaque ids are written, so an email address or a name can never leak into it.
 */
const MARKER = ' | refund-desk:';
const MAX_REASON_LENGTH = 192;
const OPAQUE_VALUE = /^[A-Za-z0-9._:-]{1,100}$/;
/** Square's limit for `idempotency_key` on RefundPayment. */
const MAX_SQUARE_KEY_LENGTH = 45;

export const IDEMPOTENCY_METADATA_KEY = 'idempotencyKey';

const HUMAN_REASONS: Readonly<Record<GatewayRefundReason, string>> = {
  duplicate: 'Duplicate payment',
  fraudulent: 'Fraudulent payment',
  requested_by_customer: 'Requested by customer',
};

/** Builds the `reason` text: human words first, then as many allow-listed ids as fit. */
export function composeRefundReason(input: {
  readonly reason: GatewayRefundReason;
  readonly idempotencyKey: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly carriedKeys: readonly string[];
}): string {
  const human = HUMAN_REASONS[input.reason];
  const params = new URLSearchParams();
  const candidates: Array<[string, string | undefined]> = [
    [IDEMPOTENCY_METADATA_KEY, input.idempotencyKey],
    ...input.carriedKeys.map((key): [string, string | undefined] => [key, input.metadata[key]]),
  ];
  for (const [key, value] of candidates) {
    if (value === undefined || !OPAQUE_VALUE.test(value) || params.has(key)) continue;
    params.append(key, value);
    if (human.length + MARKER.length + params.toString().length > MAX_REASON_LENGTH) params.delete(key);
  }
  return params.size > 0 ? `${human}${MARKER}${params.toString()}` : human;
}

/** Reads back the ids `composeRefundReason` wrote; refunds made elsewhere give `{}`. */
export function readRefundReason(reason: string | null | undefined): Record<string, string> {
  const at = reason?.lastIndexOf(MARKER) ?? -1;
  if (!reason || at < 0) return {};
  return Object.fromEntries(new URLSearchParams(reason.slice(at + MARKER.length)));
}

/** Our key if Square accepts it (≤ 45 ASCII chars), else a deterministic 45-char digest of it. */
export function squareIdempotencyKey(key: string): string {
  if (key.length <= MAX_SQUARE_KEY_LENGTH && /^[\x21-\x7e]+$/.test(key)) return key;
  return `rd_${createHash('sha256')
    .update(key, 'utf8')
    .digest('base64url')
    .slice(0, MAX_SQUARE_KEY_LENGTH - 3)}`;
}
