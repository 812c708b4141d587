import { SquareError, SquareTimeoutError } from 'square';
import { GatewayError, type GatewayErrorCode } from '../../ports/payment-gateway.js';

/** Square error codes with a meaning of their own; everything else is decided by category and HTTP status. */
const CODE_MAP: Readonly<Record<string, GatewayErrorCode>> = {
  CARD_EXPIRED: 'card_expired_or_canceled',
  CARD_TOKEN_EXPIRED: 'card_expired_or_canceled',
  SOURCE_EXPIRED: 'card_expired_or_canceled',
  CARD_PRESENCE_REQUIRED: 'card_present_required',
  INSUFFICIENT_FUNDS: 'insufficient_balance',
  REFUND_AMOUNT_INVALID: 'amount_exceeds_refundable',
  AMOUNT_TOO_HIGH: 'amount_exceeds_refundable',
  // Square's word that a refund of this payment is already under way: reconcile, do not retry.
  REFUND_ALREADY_PENDING: 'already_refunded',
  PAYMENT_NOT_REFUNDABLE_DUE_TO_DISPUTE: 'disputed',
  IDEMPOTENCY_KEY_REUSED: 'idempotency_conflict',
  UNAUTHORIZED: 'authentication_failed',
  ACCESS_TOKEN_EXPIRED: 'authentication_failed',
  ACCESS_TOKEN_REVOKED: 'authentication_failed',
  FORBIDDEN: 'authentication_failed',
  INSUFFICIENT_SCOPES: 'authentication_failed',
  NOT_FOUND: 'not_found',
  RATE_LIMITED: 'rate_limited',
};

/** Maps whatever the Square SDK threw to a GatewayError with our code. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error instanceof SquareTimeoutError || isSdkTimeoutAbort(error)) {
    return new GatewayError('timeout', 'Square did not answer in time; the refund may or may not exist', {
      gateway: 'square',
      cause: error,
    });
  }
  if (error instanceof SquareError) return fromSquareError(error);
  const message = error instanceof Error ? error.message : String(error);
  return new GatewayError('unknown', `Square call failed: ${message}`, { gateway: 'square', cause: error });
}

/**
 * The SDK times out by aborting fetch with the reason string "timeout"; Node's fetch rejects with that
 * string rather than an AbortError, so the SDK wraps it in a plain SquareError instead of SquareTimeoutError.
 */
function isSdkTimeoutAbort(error: unknown): boolean {
  return error instanceof SquareError && error.statusCode === undefined && error.cause === 'timeout';
}

function fromSquareError(error: SquareError): GatewayError {
  const status = error.statusCode;
  if (status === undefined) {
    // No HTTP answer at all (connection reset, socket closed mid-response): the call may have applied.
    return new GatewayError('unavailable', `Square connection failed: ${firstLine(error.message)}`, {
      gateway: 'square',
      cause: error,
    });
  }
  const first = error.errors[0];
  const vendorCode = first?.code;
  const code = codeFor(status, first?.category, vendorCode, first?.detail);
  const detail = first?.detail ?? firstLine(error.message);
  return new GatewayError(code, `Square ${status} ${vendorCode ?? ''}: ${detail}`.replace('  ', ' '), {
    gateway: 'square',
    vendorCode,
    httpStatus: status,
    retryAfterMs: code === 'rate_limited' ? retryAfterMs(error) : undefined,
    // Square's own error body: that request under the key has finished (Square replays only a successful one).
    answeredForKey: first?.category !== undefined && code !== 'rate_limited',
    cause: error,
  });
}

function codeFor(
  status: number,
  category: string | undefined,
  vendorCode: string | undefined,
  detail: string | undefined,
): GatewayErrorCode {
  const known = vendorCode ? CODE_MAP[vendorCode] : undefined;
  if (known) return known;
  // Seen in the wild for Interac: code BAD_REQUEST with the reason only in `detail`.
  if (detail?.includes('CARD_PRESENCE_REQUIRED')) return 'card_present_required';
  if (status === 401 || status === 403 || category === 'AUTHENTICATION_ERROR') return 'authentication_failed';
  if (status === 429 || category === 'RATE_LIMIT_ERROR') return 'rate_limited';
  if (status === 404) return 'not_found';
  if (status >= 500 || category === 'API_ERROR') return 'unavailable';
  if (status >= 400) return 'invalid_request';
  return 'unknown';
}

/** Retry-After as seconds or an HTTP date; absent or unreadable → undefined. */
function retryAfterMs(error: SquareError): number | undefined {
  const header = error.rawResponse?.headers.get('retry-after');
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
