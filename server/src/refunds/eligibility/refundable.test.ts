import { describe, expect, it } from 'vitest';
import { MoneyError, money } from '../../money/money.js';
import { refundableAmount, refundableBalance } from './refundable.js';

describe('refundableAmount', () => {
  it('is captured minus reserved', () => {
    expect(refundableAmount(money(10_000, 'USD'), money(3750, 'USD'))).toEqual(money(6250, 'USD'));
  });

  it('is zero on a fully refunded payment', () => {
    expect(refundableAmount(money(5000, 'JPY'), money(5000, 'JPY'))).toEqual(money(0, 'JPY'));
  });

  it('clamps at zero when reservations exceed the capture', () => {
    expect(refundableAmount(money(1000, 'KWD'), money(1500, 'KWD'))).toEqual(money(0, 'KWD'));
  });

  it('throws on a currency mismatch', () => {
    expect(() => refundableAmount(money(10_000, 'USD'), money(0, 'EUR'))).toThrow(
      expect.objectContaining({ name: 'MoneyError', code: 'currency_mismatch' }),
    );
    expect(() => refundableAmount(money(10_000, 'USD'), money(0, 'EUR'))).toThrow(MoneyError);
  });
});

describe('refundableBalance', () => {
  it('reports no over-reservation in the normal case', () => {
    expect(refundableBalance(money(10_000, 'USD'), money(3750, 'USD'))).toEqual({
      refundable: money(6250, 'USD'),
      overReserved: money(0, 'USD'),
    });
  });

  it('reports by how much reservations exceed the capture', () => {
    expect(refundableBalance(money(1000, 'KWD'), money(1500, 'KWD'))).toEqual({
      refundable: money(0, 'KWD'),
      overReserved: money(500, 'KWD'),
    });
  });
});
