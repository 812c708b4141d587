/** A Stripe API error the sandbox answers with: `{error: {type, code, message, param, doc_url}}`. */
export class StripeSandboxFailure extends Error {
  constructor(
    readonly status: 400 | 401 | 402 | 404 | 409 | 429 | 500,
    readonly type: 'invalid_request_error' | 'idempotency_error' | 'api_error' | 'card_error' | 'rate_limit_error',
    message: string,
    readonly details: { readonly code?: string; readonly param?: string } = {},
  ) {
    super(message);
    this.name = 'StripeSandboxFailure';
  }

  /** The body Stripe sends. */
  toBody(): { error: Record<string, string> } {
    const error: Record<string, string> = { type: this.type, message: this.message };
    if (this.details.code) {
      error.code = this.details.code;
      error.doc_url = `https://stripe.com/docs/error-codes/${this.details.code.replaceAll('_', '-')}`;
    }
    if (this.details.param) error.param = this.details.param;
    return { error };
  }
}

export function resourceMissing(kind: string, id: string, param = 'id'): StripeSandboxFailure {
  return new StripeSandboxFailure(404, 'invalid_request_error', `No such ${kind}: '${id}'`, {
    code: 'resource_missing',
    param,
  });
}

export function parameterMissing(param: string): StripeSandboxFailure {
  return new StripeSandboxFailure(400, 'invalid_request_error', `Missing required param: ${param}.`, {
    code: 'parameter_missing',
    param,
  });
}

export function invalidInteger(param: string, value: string): StripeSandboxFailure {
  return new StripeSandboxFailure(400, 'invalid_request_error', `Invalid integer: ${value}`, {
    code: 'parameter_invalid_integer',
    param,
  });
}
