import { randomBytes } from 'node:crypto';
import { formatDecimal, type Money } from '../../money/money.js';
import type { GatewayErrorCode } from '../../ports/payment-gateway.js';
import type { SandboxPaymentKind } from '../gateway-sandbox.js';

/** PayPal's own host in HATEOAS links; the adapter reads ids from the paths, never the host. */
export const PAYPAL_LINK_ORIGIN = 'https://api.sandbox.paypal.com';

export type RefundWireStatus = 'PENDING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';

export interface CardFacts {
  readonly brand: string;
  readonly lastDigits: string;
  readonly expiry: string;
  readonly type: 'CREDIT' | 'DEBIT' | 'PREPAID' | 'UNKNOWN';
}

export interface StoredCapture {
  readonly id: string;
  readonly orderId: string;
  readonly amount: Money;
  readonly email: string | undefined;
  readonly name: string | undefined;
  readonly kind: SandboxPaymentKind;
  readonly card: CardFacts | undefined;
  readonly createTime: string;
  readonly refundIds: string[];
}

export interface StoredRefund {
  readonly id: string;
  readonly captureId: string;
  readonly amount: Money;
  status: RefundWireStatus;
  failureReason: GatewayErrorCode | undefined;
  readonly invoiceId: string | undefined;
  readonly customId: string | undefined;
  readonly noteToPayer: string | undefined;
  readonly createTime: string;
  updateTime: string;
}

/** Where the sandbox's money lives: captures (each with its order) and refunds. */
export class PayPalSandboxStore {
  readonly captures = new Map<string, StoredCapture>();
  readonly refunds = new Map<string, StoredRefund>();
  readonly orderToCapture = new Map<string, string>();

  addCapture(input: Omit<StoredCapture, 'id' | 'orderId' | 'createTime' | 'refundIds'> & { orderId?: string }) {
    const capture: StoredCapture = {
      ...input,
      id: paypalId(),
      orderId: input.orderId ?? paypalId(),
      createTime: isoNow(),
      refundIds: [],
    };
    this.captures.set(capture.id, capture);
    this.orderToCapture.set(capture.orderId, capture.id);
    return capture;
  }

  addRefund(capture: StoredCapture, input: Pick<StoredRefund, 'amount' | 'invoiceId' | 'customId' | 'noteToPayer'>) {
    const now = isoNow();
    const pending = capture.kind === 'card_refund_fails';
    const refund: StoredRefund = {
      ...input,
      id: paypalId(),
      captureId: capture.id,
      status: pending ? 'PENDING' : 'COMPLETED',
      failureReason: undefined,
      createTime: now,
      updateTime: now,
    };
    this.refunds.set(refund.id, refund);
    capture.refundIds.push(refund.id);
    return refund;
  }

  refundsOfCapture(capture: StoredCapture): StoredRefund[] {
    return capture.refundIds.map((id) => this.refunds.get(id)).filter((r): r is StoredRefund => r !== undefined);
  }

  /** Captured amount minus every refund that has not failed or been cancelled. */
  refundableMinor(capture: StoredCapture): number {
    const held = this.refundsOfCapture(capture)
      .filter((r) => r.status === 'PENDING' || r.status === 'COMPLETED')
      .reduce((sum, r) => sum + r.amount.amount, 0);
    return capture.amount.amount - held;
  }

  completedRefundMinor(capture: StoredCapture): number {
    return this.refundsOfCapture(capture)
      .filter((r) => r.status === 'COMPLETED')
      .reduce((sum, r) => sum + r.amount.amount, 0);
  }

  captureStatus(capture: StoredCapture): 'COMPLETED' | 'PARTIALLY_REFUNDED' | 'REFUNDED' {
    const refunded = this.completedRefundMinor(capture);
    if (refunded === 0) return 'COMPLETED';
    return refunded >= capture.amount.amount ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
  }
}

/** PayPal-style id: 17 upper-case letters and digits, e.g. `2GG279541U471931P`. */
export function paypalId(): string {
  const alphabet = '0123456789ABCDEFGHJKLMNPRSTUVWXY';
  return Array.from(randomBytes(17), (byte) => alphabet[byte % alphabet.length]).join('');
}

export function isoNow(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function wireMoney(value: Money): { currency_code: string; value: string } {
  return { currency_code: value.currency, value: formatDecimal(value) };
}
