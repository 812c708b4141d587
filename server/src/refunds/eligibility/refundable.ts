import { type Money, MoneyError, money, subtractMoney } from '../../money/money.js';

/** What is left to refund on a payment, and by how much reservations overshoot it (normally zero). */
export interface RefundableBalance {
  /** captured − reserved, never negative. */
  readonly refundable: Money;
  /** reserved − captured when refunds exceed the capture, else zero. */
  readonly overReserved: Money;
}

/**
 * Splits a payment into what may still be refunded. Reservations above the captured amount
 * break the no-over-refund invariant (a refund made outside Refund Desk, a ledger bug): the
 * refundable amount is then zero, the safe direction, and `overReserved` says by how much so
 * the caller can tell "fully refunded" from "over-refunded" instead of hiding it.
 *
 * Throws MoneyError('currency_mismatch') when reserved is not in the payment's currency: that
 * is a caller bug, never a verdict.
 */
export function refundableBalance(captured: Money, reserved: Money): RefundableBalance {
  if (captured.currency !== reserved.currency) {
    throw new MoneyError(
      'currency_mismatch',
      `reserved ${reserved.currency} cannot be taken from a ${captured.currency} payment`,
    );
  }
  const zero = money(0, captured.currency);
  if (reserved.amount > captured.amount) {
    return { refundable: zero, overReserved: subtractMoney(reserved, captured) };
  }
  return { refundable: subtractMoney(captured, reserved), overReserved: zero };
}

/**
 * captured − reserved, clamped at zero when reservations exceed the capture (see
 * refundableBalance for how to detect that case). Throws MoneyError on a currency mismatch.
 */
export function refundableAmount(captured: Money, reserved: Money): Money {
  return refundableBalance(captured, reserved).refundable;
}
