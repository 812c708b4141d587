import { GatewayError, type GatewayErrorCode } from '../../ports/payment-gateway.js';

/** The fields of the SDK's StripeError we read (its class names arrive in `type`). */
interface StripeErrorSlice {
  readonly type: string;
  readonly message: string;
  readonly code?: string;
  readonly decline_code?: string;
  readonly statusCode?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly detail?: unknown;
  /** `error.type` of Stripe's JSON body (api_error, card_error, …); absent when the body was not Stripe's. */
  readonly rawType?: string;
}

function isStripeError(error: unknown): error is StripeErrorSlice {
  const type = error instanceof Error ? (error as { type?: unknown }).type : undefined;
  return typeof type === 'string' && type.startsWith('Stripe');
}

/** Stripe `error.code` (and card `decline_code`) values with a meaning of their own. */
const BY_VENDOR_CODE: Readonly<Record<string, GatewayErrorCode>> = {
  charge_already_refunded: 'already_refunded',
  amount_too_large: 'amount_exceeds_refundable',
  charge_disputed: 'disputed',
  balance_insufficient: 'insufficient_balance',
  insufficient_funds: 'insufficient_balance',
  expired_card: 'card_expired_or_canceled',
  expired_or_canceled_card: 'card_expired_or_canceled',
  lost_card: 'card_lost_or_stolen',
  stolen_card: 'card_lost_or_stolen',
  lost_or_stolen_card: 'card_lost_or_stolen',
  idempotency_key_in_use: 'idempotency_in_progress',
  rate_limit: 'rate_limited',
  resource_missing: 'not_found',
};

/** Refund `failure_reason` values (lost_or_stolen_card, expired_or_canceled_card, unknown, …) in our words. */
export function refundFailureCode(reason: string | null | undefined): GatewayErrorCode {
  if (reason === 'charge_for_pending_refund_disputed') return 'disputed';
  return (reason && BY_VENDOR_CODE[reason]) || 'unknown';
}

function retryAfterMs(headers: StripeErrorSlice['headers']): number | undefined {
  const seconds = Number(headers?.['retry-after']);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

function codeFor(error: StripeErrorSlice): GatewayErrorCode {
  switch (error.type) {
    case 'StripeConnectionError': {
      const detailCode = (error.detail as { code?: unknown } | undefined)?.code;
      return detailCode === 'ETIMEDOUT' || /timeout/i.test(error.message) ? 'timeout' : 'unavailable';
    }
    case 'StripeRateLimitError':
      return 'rate_limited';
    case 'StripeAuthenticationError':
    case 'StripePermissionError':
      return 'authentication_failed';
    case 'StripeIdempotencyError':
      return error.code === 'idempotency_key_in_use' || error.statusCode === 409
        ? 'idempotency_in_progress'
        : 'idempotency_conflict';
    case 'StripeAPIError':
      // No status: a body that was not JSON; the call may or may not have applied.
      return error.statusCode !== undefined && error.statusCode >= 500 ? 'unavailable' : 'unknown';
  }
  const byCode = BY_VENDOR_CODE[error.decline_code ?? ''] ?? BY_VENDOR_CODE[error.code ?? ''];
  if (byCode) return byCode;
  // Unconfirmed wording: Interac card-present payments are refunded in person at a terminal.
  if (error.code === 'charge_not_refundable' && /in person|card.present|terminal/i.test(error.message)) {
    return 'card_present_required';
  }
  if (error.statusCode === 404) return 'not_found';
  if (error.statusCode === 409) return 'idempotency_in_progress';
  if (error.statusCode !== undefined && error.statusCode >= 500) return 'unavailable';
  if (error.statusCode === 400 || error.statusCode === 402) return 'invalid_request';
  return 'unknown';
}

/**
 * Stripe's API itself answered (its JSON error body, with an HTTP status): Stripe saves the first result
 * of an idempotency key once its endpoint began, 500s included, and answers every retry of the key with
 * it (replays also carry `Idempotent-Replayed: true`). A 409 means the key's request is still running, a
 * 429 that it never ran; a connection error or a body that is not Stripe's is no answer at all.
 */
function isStripesAnswer(error: StripeErrorSlice): boolean {
  if (error.headers?.['idempotent-replayed'] === 'true') return true;
  const status = error.statusCode;
  return status !== undefined && status !== 409 && status !== 429 && typeof error.rawType === 'string';
}

/** Any error thrown by the Stripe SDK as a GatewayError; already-mapped errors pass through. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  if (!isStripeError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return new GatewayError('unknown', `Stripe call failed: ${message}`, { gateway: 'stripe', cause: error });
  }
  const code = codeFor(error);
  return new GatewayError(code, `Stripe: ${error.message}`, {
    gateway: 'stripe',
    vendorCode: error.code ?? error.decline_code ?? error.type,
    httpStatus: error.statusCode,
    retryAfterMs: code === 'rate_limited' ? (retryAfterMs(error.headers) ?? 1000) : undefined,
    answeredForKey: isStripesAnswer(error),
    cause: error,
  });
}
