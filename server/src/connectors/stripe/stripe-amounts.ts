import { isKnownCurrency } from '../../money/currency.js';
import { type Money, money } from '../../money/money.js';
import { GatewayError } from '../../ports/payment-gateway.js';

/**
 * Stripe amounts are integers in "the currency's smallest unit", which matches ISO 4217 minor units
 * except for ISK: ISO says 0 decimals, Stripe's API keeps 2 (and requires multiples of 100).
 * Three-decimal currencies must end in 0 at Stripe (round to the nearest ten).
 */
const STRIPE_EXTRA_DIGITS: Readonly<Record<string, number>> = { ISK: 2 };
const THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

function invalid(message: string): GatewayError {
  return new GatewayError('invalid_request', message, { gateway: 'stripe' });
}

/** Our Money as Stripe's `amount` integer; refuses amounts Stripe cannot take rather than rounding them. */
export function toStripeAmount(value: Money): number {
  if (THREE_DECIMAL.has(value.currency) && value.amount % 10 !== 0) {
    throw invalid(`Stripe requires ${value.currency} amounts to end in 0 (got ${value.amount} minor units)`);
  }
  return value.amount * 10 ** (STRIPE_EXTRA_DIGITS[value.currency] ?? 0);
}

/** Stripe's lower-case `currency` and integer `amount` as our Money. */
export function fromStripeAmount(amount: number, stripeCurrency: string): Money {
  const currency = stripeCurrency.toUpperCase();
  if (!isKnownCurrency(currency)) throw invalid(`Stripe currency ${stripeCurrency} is not one Refund Desk knows`);
  const divisor = 10 ** (STRIPE_EXTRA_DIGITS[currency] ?? 0);
  if (!Number.isSafeInteger(amount) || amount % divisor !== 0) {
    throw invalid(`Stripe ${currency} amount ${amount} is not a whole number of minor units`);
  }
  return money(amount / divisor, currency);
}
