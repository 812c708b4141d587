import { describe, expect, test } from 'vitest';
import { checkAmount, currencyExponent, decimalOf, formatMinor } from './money-input';

describe('checkAmount', () => {
  test('normalises to the currency precision', () => {
    expect(checkAmount('12.5', 'USD', 10_000)).toEqual({ ok: true, value: '12.50', minor: 1_250 });
    expect(checkAmount(' 7 ', 'USD', 10_000)).toEqual({ ok: true, value: '7.00', minor: 700 });
    expect(checkAmount('1.234', 'KWD', 5_000)).toEqual({ ok: true, value: '1.234', minor: 1_234 });
    expect(checkAmount('980', 'JPY', 9_800)).toEqual({ ok: true, value: '980', minor: 980 });
    expect(checkAmount('100.00', 'USD', 10_000)).toEqual({ ok: true, value: '100.00', minor: 10_000 });
  });

  test.each([
    ['', 'USD'],
    ['abc', 'USD'],
    ['1,50', 'EUR'],
    ['-1', 'USD'],
    ['0.00', 'USD'],
    ['1.001', 'USD'],
    ['1.5', 'JPY'],
    ['1.2345', 'KWD'],
    ['100.01', 'USD'],
    ['9999999999999', 'USD'],
  ])('refuses %j in %s', (input, currency) => {
    expect(checkAmount(input, currency, 10_000).ok).toBe(false);
  });
});

test('formatting', () => {
  expect(currencyExponent('usd')).toBe(2);
  expect(decimalOf(5, 'USD')).toBe('0.05');
  expect(decimalOf(5, 'KWD')).toBe('0.005');
  expect(formatMinor(9_800, 'JPY')).toBe('9800 JPY');
  expect(formatMinor(-1_250, 'EUR')).toBe('-12.50 EUR');
});
