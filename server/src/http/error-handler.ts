import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ZodError } from 'zod';
import { AppError } from '../errors/app-error.js';
import type { Logger } from '../logger.js';
import { MoneyError } from '../money/money.js';

/** Maps anything thrown by a route to `{"error": {"code", "message", "details"?}}` with the code's status. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof MoneyError) {
    return new AppError(error.code === 'unknown_currency' ? 'unknown_currency' : 'invalid_amount', error.message);
  }
  if (error instanceof ZodError) {
    return new AppError('invalid_request', 'the request is not valid', {
      issues: error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    });
  }
  if (error instanceof HTTPException) {
    if (error.status === 413) return new AppError('payload_too_large', 'the request body is too large');
    if (error.status === 401) return new AppError('unauthenticated', error.message || 'authentication required');
    if (error.status === 400) return new AppError('invalid_json', error.message || 'the body could not be read');
    if (error.status === 404) return new AppError('not_found', 'not found');
  }
  return new AppError('internal', 'something went wrong on our side; the request id is in the logs');
}

export function handleError(logger: Logger) {
  return (error: Error, c: Context) => {
    const appError = toAppError(error);
    const requestId = c.get('requestId' as never) as string | undefined;
    if (appError.code === 'internal') logger.error({ err: error, requestId }, 'unhandled error');
    else logger.debug({ code: appError.code, requestId }, appError.message);
    return c.json(appError.toBody(), appError.status);
  };
}
