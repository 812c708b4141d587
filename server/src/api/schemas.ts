import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Env } from 'hono';

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'not_found' }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error');

export const MoneyView = z
  .object({
    value: z.string().openapi({ example: '12.50', description: 'decimal string in the currency’s own precision' }),
    minor: z.number().int().openapi({ example: 1250, description: 'integer minor units' }),
    currency: z.string().openapi({ example: 'USD' }),
  })
  .openapi('Money');

export const IdParam = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });

/** A strict decimal string ("12.50"); the currency’s exponent is checked by the handler. */
export const DecimalAmount = z.string().max(24).openapi({ example: '12.50' });
export const CurrencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, 'a three-letter ISO 4217 code in capitals')
  .openapi({ example: 'USD' });

export const errorResponses = {
  400: { description: 'Invalid request', content: { 'application/json': { schema: ErrorBody } } },
  401: { description: 'Missing or invalid token', content: { 'application/json': { schema: ErrorBody } } },
  403: { description: 'Role does not allow this', content: { 'application/json': { schema: ErrorBody } } },
  404: { description: 'Not found in your organisation', content: { 'application/json': { schema: ErrorBody } } },
  409: { description: 'Conflict with the current state', content: { 'application/json': { schema: ErrorBody } } },
  422: { description: 'Not refundable', content: { 'application/json': { schema: ErrorBody } } },
} as const;

export const bearerSecurity = [{ bearerAuth: [] }];

export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

/** A router for one area of /api/v1: invalid input throws (and onError answers 400 with the issues). */
export function createApiRouter<E extends Env>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({
    defaultHook: (result) => {
      if (!result.success) throw result.error;
    },
  });
}
