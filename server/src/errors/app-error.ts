import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Stable error codes of the public API. Clients may rely on them; add codes, never rename.
 *
 * | code | status | meaning |
 * |---|---|---|
 * | invalid_request | 400 | the body, query or path is malformed (details lists the fields) |
 * | invalid_json | 400 | the body is not JSON |
 * | invalid_amount | 400 | not an exact positive amount for the currency |
 * | unknown_currency | 400 | ISO 4217 code we do not know |
 * | unauthenticated | 401 | missing or invalid token or signature |
 * | invalid_signature | 401 | a webhook's signature does not verify |
 * | stale_timestamp | 401 | a signed timestamp is outside the window |
 * | forbidden | 403 | authenticated, but the role does not allow this |
 * | not_found | 404 | no such resource in your organisation |
 * | conflict | 409 | the resource is not in a state that allows this |
 * | idempotency_conflict | 409 | Idempotency-Key reused with a different body |
 * | already_decided | 409 | the case was decided already (details say by whom) |
 * | illegal_transition | 409 | the case's state machine does not allow this move |
 * | not_refundable | 422 | the payment cannot take this refund (details carry the verdict) |
 * | self_approval | 403 | the requester cannot approve their own case |
 * | payload_too_large | 413 | body over the limit |
 * | rate_limited | 429 | too many requests |
 * | not_ready | 503 | a dependency is not ready |
 * | internal | 500 | a bug; the request id is in the logs |
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  invalid_json: 400,
  invalid_amount: 400,
  unknown_currency: 400,
  unauthenticated: 401,
  invalid_signature: 401,
  stale_timestamp: 401,
  forbidden: 403,
  self_approval: 403,
  not_found: 404,
  conflict: 409,
  idempotency_conflict: 409,
  already_decided: 409,
  illegal_transition: 409,
  payload_too_large: 413,
  not_refundable: 422,
  rate_limited: 429,
  internal: 500,
  not_ready: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The one error type the HTTP layer turns into `{"error": {"code", "message", "details"?}}`. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): ContentfulStatusCode {
    return ERROR_STATUS[this.code];
  }

  toBody(): { error: { code: ErrorCode; message: string; details?: unknown } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}
