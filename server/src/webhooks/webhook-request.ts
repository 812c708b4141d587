import { AppError } from '../errors/app-error.js';
import { WebhookVerificationError } from '../ports/gateway-webhook.js';

/** A request's headers with lower-case names, as the signature verifiers read them. */
export function lowerCaseHeaders(headers: Headers): Record<string, string> {
  const lowered: Record<string, string> = {};
  headers.forEach((value, name) => {
    lowered[name.toLowerCase()] = value;
  });
  return lowered;
}

/** A verification failure as our stable error codes: 401 for authenticity, 400 for shape; anything else as it is. */
export function webhookRejection(error: unknown): unknown {
  if (!(error instanceof WebhookVerificationError)) return error;
  if (error.code === 'malformed_payload') return new AppError('invalid_request', error.message);
  if (error.code === 'stale_timestamp') return new AppError('stale_timestamp', error.message);
  return new AppError('invalid_signature', error.message);
}
