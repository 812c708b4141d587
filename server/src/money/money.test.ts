import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyExponent } from './currency.js';
import { addMoney, formatDecimal, formatMoney, MoneyError, money, parseDecimal, subtractMoney } from './money.js';

/** The MoneyError code thrown by fn, or a marker when it throws nothing (so the assertion shows it). */
function errorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof MoneyError) return error.code;
    throw error;
  }
  return 'no error';
}

const currencies = fc.constantFrom('JPY', 'USD', 'KWD');
const minorUnits = fc.nat({ max: Number.MAX_SAFE_INTEGER });

describe('parseDecimal', () => {
  it.each([
    ['12.50', 'USD', 1250],
    ['12.5', 'USD', 1250],
    ['0.01', 'USD', 1],
    ['0', 'USD', 0],
    ['1000', 'JPY', 1000],
    ['1.5', 'KWD', 1500],
    ['0.001', 'KWD', 1],
    ['90071992547409.91', 'USD', Number.MAX_SAFE_INTEGER],
  ])('reads "%s" %s as %i minor units', (text, currency, amount) => {
    expect(parseDecimal(text, currency)).toEqual({ amount, currency });
  });

  it.each([
    ['1.005', 'USD'], // more decimals than the currency has
    ['1.0', 'JPY'],
    ['1.0001', 'KWD'],
    ['-1', 'USD'],
    ['+1', 'USD'],
    ['1e3', 'USD'],
    ['', 'USD'],
    [' 1', 'USD'],
    ['1 ', 'USD'],
    ['1\n', 'USD'],
    ['1,000', 'USD'],
    ['1_000', 'USD'],
    ['0x10', 'USD'],
    ['١٢', 'USD'], // Arabic-Indic digits
    ['１２', 'USD'], // full-width digits
    ['12.', 'USD'],
    ['.5', 'USD'],
    ['1.2.3', 'USD'],
    ['NaN', 'USD'],
    ['Infinity', 'USD'],
    ['9007199254740992', 'JPY'], // one past the largest safe integer
    ['90071992547409.92', 'USD'],
  ])('refuses "%s" %s as invalid_amount', (text, currency) => {
    expect(errorCode(() => parseDecimal(text, currency))).toBe('invalid_amount');
  });

  it.each(['XXX', 'usd', '', '__proto__', 'toString'])('refuses currency "%s" as unknown_currency', (currency) => {
    expect(errorCode(() => parseDecimal('1', currency))).toBe('unknown_currency');
  });
});

describe('formatDecimal', () => {
  it.each([
    [1250, 'USD', '12.50'],
    [5, 'USD', '0.05'],
    [0, 'USD', '0.00'],
    [1000, 'JPY', '1000'],
    [0, 'JPY', '0'],
    [1500, 'KWD', '1.500'],
    [1, 'KWD', '0.001'],
  ])('formats %i %s as "%s"', (amount, currency, text) => {
    expect(formatDecimal(money(amount, currency))).toBe(text);
  });

  it('round-trips every amount through parseDecimal, with exactly the currency’s decimals', () => {
    fc.assert(
      fc.property(currencies, minorUnits, (currency, amount) => {
        const value = money(amount, currency);
        const text = formatDecimal(value);
        const exponent = currencyExponent(currency);
        expect(text).toMatch(exponent === 0 ? /^\d+$/ : new RegExp(`^\\d+\\.\\d{${exponent}}$`));
        expect(parseDecimal(text, currency)).toEqual(value);
      }),
    );
  });

  it('gives back a canonical decimal string unchanged', () => {
    const canonical = currencies.chain((currency) => {
      const exponent = currencyExponent(currency);
      const whole = fc.nat({ max: 999_999_999 }).map(String);
      const fraction = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: exponent, maxLength: exponent });
      return fc.record({
        currency: fc.constant(currency),
        text: exponent === 0 ? whole : fc.tuple(whole, fraction).map(([w, f]) => `${w}.${f}`),
      });
    });
    fc.assert(
      fc.property(canonical, ({ currency, text }) => {
        expect(formatDecimal(parseDecimal(text, currency))).toBe(text);
      }),
    );
  });
});

describe('formatMoney', () => {
  it('prefixes the currency code', () => {
    expect(formatMoney(money(1250, 'USD'))).toBe('USD 12.50');
    expect(formatMoney(money(1000, 'JPY'))).toBe('JPY 1000');
    expect(formatMoney(money(1500, 'KWD'))).toBe('KWD 1.500');
  });
});

describe('money', () => {
  it('builds a frozen amount of minor units', () => {
    const value = money(1250, 'USD');
    expect(value).toEqual({ amount: 1250, currency: 'USD' });
    expect(Object.isFrozen(value)).toBe(true);
  });

  it('accepts the largest safe integer', () => {
    expect(money(Number.MAX_SAFE_INTEGER, 'JPY').amount).toBe(Number.MAX_SAFE_INTEGER);
  });

  it.each([
    ['a fraction', 12.5],
    ['a negative amount', -1],
    ['an unsafe integer', Number.MAX_SAFE_INTEGER + 1],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('refuses %s', (_label, amount) => {
    expect(errorCode(() => money(amount, 'USD'))).toBe('invalid_amount');
  });

  it('refuses an unknown currency', () => {
    expect(errorCode(() => money(1, 'ZZZ'))).toBe('unknown_currency');
  });
});

describe('addMoney and subtractMoney', () => {
  it('add and subtract within one currency', () => {
    expect(addMoney(money(1250, 'USD'), money(1, 'USD'))).toEqual(money(1251, 'USD'));
    expect(subtractMoney(money(1250, 'USD'), money(1250, 'USD'))).toEqual(money(0, 'USD'));
  });

  it('refuse mixed currencies', () => {
    expect(errorCode(() => addMoney(money(1, 'USD'), money(1, 'EUR')))).toBe('currency_mismatch');
    expect(errorCode(() => subtractMoney(money(1, 'USD'), money(1, 'EUR')))).toBe('currency_mismatch');
  });

  it('refuse mixed currencies even with the same exponent and amount', () => {
    expect(errorCode(() => addMoney(money(0, 'JPY'), money(0, 'KRW')))).toBe('currency_mismatch');
  });

  it('refuse a negative difference', () => {
    expect(errorCode(() => subtractMoney(money(1, 'USD'), money(2, 'USD')))).toBe('invalid_amount');
  });

  it('refuse a sum past the largest safe integer', () => {
    expect(errorCode(() => addMoney(money(Number.MAX_SAFE_INTEGER, 'JPY'), money(1, 'JPY')))).toBe('invalid_amount');
  });
});
