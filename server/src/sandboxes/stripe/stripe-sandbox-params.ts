import type { Context } from 'hono';
import { parseStripeForm, type StripeParams, stringParam } from '../../connectors/stripe/stripe-form.js';
import { invalidInteger, parameterMissing } from './stripe-sandbox-errors.js';

/** The form-encoded body of a POST. */
export async function bodyParams(c: Context): Promise<StripeParams> {
  return parseStripeForm(await c.req.text());
}

/** The query string of a GET, bracket notation included. */
export function queryParams(c: Context): StripeParams {
  return parseStripeForm(new URL(c.req.url).search.slice(1));
}

export function requiredString(params: StripeParams, name: string): string {
  const value = stringParam(params, name);
  if (value === undefined || value === '') throw parameterMissing(name);
  return value;
}

/** A positive integer amount in the currency's smallest unit, as Stripe requires. */
export function positiveInteger(params: StripeParams, name: string): number | undefined {
  const value = stringParam(params, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value) || Number(value) <= 0) throw invalidInteger(name, value);
  return Number(value);
}

/** A three-letter currency code, lower-cased like Stripe stores it. */
export function currencyParam(params: StripeParams): string {
  const currency = requiredString(params, 'currency').toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) throw parameterMissing('currency');
  return currency;
}

/** Stripe's list envelope with `limit` (1–100, default 10) and `starting_after` cursors. */
export function renderList(
  url: string,
  items: ReadonlyArray<Record<string, unknown>>,
  params: StripeParams,
): Record<string, unknown> {
  const limit = Math.min(Math.max(Number(stringParam(params, 'limit') ?? 10) || 10, 1), 100);
  const after = stringParam(params, 'starting_after');
  const start = after ? items.findIndex((item) => item['id'] === after) + 1 : 0;
  const page = items.slice(start, start + limit);
  return { object: 'list', data: page, has_more: start + limit < items.length, url };
}
