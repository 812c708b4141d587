import { currencyExponent, isKnownCurrency } from './currency.js';

/** An amount of money: an integer count of minor units and an ISO 4217 code. */
export interface Money {
  readonly amount: number;
  readonly currency: string;
}

/** Thrown when a human or vendor amount cannot be read as exact money. */
export class MoneyError extends Error {
  constructor(
    readonly code: 'invalid_amount' | 'unknown_currency' | 'currency_mismatch',
    message: string,
  ) {
    super(message);
    this.name = 'MoneyError';
  }
}

/** Builds Money from minor units, refusing fractions, negatives, unsafe integers and unknown codes. */
export function money(amount: number, currency: string): Money {
  assertCurrency(currency);
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw new MoneyError('invalid_amount', `amount must be a non-negative integer of minor units, got ${amount}`);
  }
  return Object.freeze({ amount, currency });
}

function assertCurrency(currency: string): void {
  if (!isKnownCurrency(currency)) throw new MoneyError('unknown_currency', `unknown currency "${currency}"`);
}

/**
 * Parses a human decimal string strictly: "12.50" USD → 1250, "1000" JPY → 1000.
 * Refuses signs, exponents, spaces, separators and more decimals than the currency has.
 */
export function parseDecimal(text: string, currency: string): Money {
  assertCurrency(currency);
  const exponent = currencyExponent(currency);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new MoneyError('invalid_amount', `"${text}" is not a plain decimal amount`);
  const whole = match[1] ?? '';
  const fraction = match[2] ?? '';
  if (fraction.length > exponent) {
    throw new MoneyError('invalid_amount', `${currency} has ${exponent} decimals; "${text}" has ${fraction.length}`);
  }
  const digits = (whole + fraction.padEnd(exponent, '0')).replace(/^0+(?=\d)/, '');
  const amount = Number(digits);
  if (!Number.isSafeInteger(amount)) throw new MoneyError('invalid_amount', `"${text}" is too large`);
  return money(amount, currency);
}

/** Formats minor units as a plain decimal string: 1250 USD → "12.50", 1000 JPY → "1000". */
export function formatDecimal(value: Money): string {
  const exponent = currencyExponent(value.currency);
  if (exponent === 0) return String(value.amount);
  const digits = String(value.amount).padStart(exponent + 1, '0');
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** Formats for people: "USD 12.50". */
export function formatMoney(value: Money): string {
  return `${value.currency} ${formatDecimal(value)}`;
}

/** Adds two amounts of the same currency. */
export function addMoney(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(a.amount + b.amount, a.currency);
}

/** Subtracts b from a (same currency); a negative result is an error. */
export function subtractMoney(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(a.amount - b.amount, a.currency);
}

function assertSameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) {
    throw new MoneyError('currency_mismatch', `cannot combine ${a.currency} with ${b.currency}`);
  }
}
