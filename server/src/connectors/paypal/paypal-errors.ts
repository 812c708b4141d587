import { GatewayError, type GatewayErrorCode } from '../../ports/payment-gateway.js';

/** The slice of the SDK's `ApiError` (and its `CustomError` / `OAuthProviderError` subclasses) we read. */
interface PayPalApiErrorSlice {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly result?: unknown;
  readonly body?: unknown;
}

/** PayPal's error body, `{name, message, debug_id, details: [{issue}]}`, or the OAuth `{error}` body. */
interface PayPalErrorBody {
  readonly name?: string;
  readonly message?: string;
  readonly debug_id?: string;
  readonly details?: ReadonlyArray<{ readonly issue?: string; readonly description?: string }>;
  readonly error?: string;
  readonly error_description?: string;
}

/** 422 issues with a meaning of their own; any other 422 is an invalid request. */
const ISSUE_CODES: Readonly<Record<string, GatewayErrorCode>> = {
  REFUND_AMOUNT_EXCEEDED: 'amount_exceeds_refundable',
  CAPTURE_FULLY_REFUNDED: 'already_refunded',
  REFUND_FAILED_INSUFFICIENT_FUNDS: 'insufficient_balance',
  TRANSACTION_DISPUTED: 'disputed',
  REFUND_NOT_PERMITTED_DUE_TO_CHARGEBACK: 'disputed',
  // Unconfirmed issue name: what the sandbox answers for a PayPal-Request-Id reused with other parameters.
  DUPLICATE_REQUEST_ID: 'idempotency_conflict',
  PAYER_ACCOUNT_LOCKED_OR_CLOSED: 'card_expired_or_canceled',
};

/** Network failures where the request may have been applied; anything else unexplained is 'unknown'. */
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT']);
const UNAVAILABLE_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/** Turns whatever the SDK threw into our GatewayError. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  if (isApiError(error)) return fromHttpError(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) {
    return new GatewayError('timeout', `PayPal did not answer in time: ${message}`, {
      gateway: 'paypal',
      vendorCode: code,
      cause: error,
    });
  }
  if ((typeof code === 'string' && UNAVAILABLE_CODES.has(code)) || /socket hang up/i.test(message)) {
    const vendorCode = typeof code === 'string' ? code : undefined;
    return new GatewayError('unavailable', `PayPal connection failed: ${message}`, {
      gateway: 'paypal',
      vendorCode,
      cause: error,
    });
  }
  return new GatewayError('unknown', `PayPal call failed: ${message}`, { gateway: 'paypal', cause: error });
}

function fromHttpError(error: PayPalApiErrorSlice): GatewayError {
  const status = error.statusCode;
  const body = errorBody(error);
  const issue = body.details?.[0]?.issue;
  const vendorCode = issue ?? body.name ?? body.error;
  const description = body.details?.[0]?.description ?? body.message ?? body.error_description ?? `HTTP ${status}`;
  // PayPal's own envelope (name + debug_id) is its answer for the PayPal-Request-Id: "the latest status of the
  // previous request"; a 409 says that request is still in progress, a 429 that it never ran.
  const answeredForKey = Boolean(body.name && body.debug_id) && status !== 409 && status !== 429;
  const base = { gateway: 'paypal' as const, vendorCode, httpStatus: status, answeredForKey, cause: error };
  const message = `PayPal ${status} ${vendorCode ?? ''}: ${description}`.replace(/ {2}/, ' ');
  if (status === 429)
    return new GatewayError('rate_limited', message, { ...base, retryAfterMs: retryAfterMs(error.headers) });
  if (status >= 500) return new GatewayError('unavailable', message, base);
  if (status === 401 || status === 403 || body.error === 'invalid_client') {
    return new GatewayError('authentication_failed', message, base);
  }
  if (status === 404) return new GatewayError('not_found', message, base);
  if (status === 409) return new GatewayError('idempotency_in_progress', message, base);
  const mapped = issue ? ISSUE_CODES[issue] : undefined;
  if (mapped) return new GatewayError(mapped, message, base);
  if (status === 400 || status === 422) return new GatewayError('invalid_request', message, base);
  return new GatewayError('unknown', message, base);
}

function isApiError(error: unknown): error is PayPalApiErrorSlice {
  return error instanceof Error && typeof (error as { statusCode?: unknown }).statusCode === 'number';
}

function errorBody(error: PayPalApiErrorSlice): PayPalErrorBody {
  if (error.result && typeof error.result === 'object') return error.result as PayPalErrorBody;
  if (typeof error.body !== 'string') return {};
  try {
    return JSON.parse(error.body) as PayPalErrorBody;
  } catch {
    return {};
  }
}

function retryAfterMs(headers: Readonly<Record<string, string>>): number | undefined {
  const value = headers['retry-after'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(seconds, 0) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(at - Date.now(), 0);
}
