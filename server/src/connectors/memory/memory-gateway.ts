import { randomUUID } from 'node:crypto';
import { type Money, money } from '../../money/money.js';
import {
  GatewayError,
  type GatewayErrorCode,
  type GatewayPayment,
  type GatewayRefund,
  type ListPaymentsInput,
  type PaymentGateway,
  type PaymentPage,
  type RefundInput,
} from '../../ports/payment-gateway.js';
import { FaultQueue, type SandboxFault } from '../../sandboxes/gateway-sandbox.js';

interface StoredRefund {
  refund: GatewayRefund;
  fingerprint: string;
}

/**
 * An in-memory PaymentGateway for engine tests and benchmarks: vendor-like idempotency (same key →
 * the same refund; same key, other amount → idempotency_conflict), over-refunds refused, and the
 * sandboxes' faults. `calls` counts refund calls that reached it.
 */
export class MemoryGateway implements PaymentGateway {
  readonly name = 'memory' as const;
  readonly faults = new FaultQueue();
  calls = 0;
  readonly #payments = new Map<string, GatewayPayment>();
  readonly #refunds = new Map<string, StoredRefund>();
  readonly #byKey = new Map<string, string>();
  /** Refunds that fail at the gateway with this code, by payment. */
  readonly #declines = new Map<string, GatewayErrorCode>();

  addPayment(input: {
    readonly paymentRef?: string;
    readonly amount: Money;
    readonly email?: string;
    readonly capturedAt?: Date;
  }): GatewayPayment {
    const payment: GatewayPayment = {
      paymentRef: input.paymentRef ?? `mem_${randomUUID()}`,
      amount: input.amount,
      amountRefunded: money(0, input.amount.currency),
      status: 'captured',
      capturedAt: input.capturedAt ?? new Date(),
      customerEmail: input.email,
      method: { type: 'card', brand: 'visa', last4: '4242', expMonth: 12, expYear: 2099, funding: 'credit' },
    };
    this.#payments.set(payment.paymentRef, payment);
    return payment;
  }

  /** Every refund of this payment fails with `code` (card closed, disputed, …). */
  declineRefunds(paymentRef: string, code: GatewayErrorCode): void {
    this.#declines.set(paymentRef, code);
  }

  /** Refunds held for a payment, as the gateway sees them. */
  refundsOf(paymentRef: string): GatewayRefund[] {
    return [...this.#refunds.values()].map((s) => s.refund).filter((r) => r.paymentRef === paymentRef);
  }

  /** Settles a pending refund. */
  settle(gatewayRefundId: string, status: 'succeeded' | 'failed', failureReason?: GatewayErrorCode): GatewayRefund {
    const stored = this.#refunds.get(gatewayRefundId);
    if (!stored) throw new Error(`no refund ${gatewayRefundId}`);
    stored.refund = {
      ...stored.refund,
      status,
      failureReason: status === 'failed' ? (failureReason ?? 'unknown') : undefined,
    };
    return stored.refund;
  }

  async refund(input: RefundInput): Promise<GatewayRefund> {
    this.calls++;
    const fault = this.faults.next();
    if (fault) await this.#beforeApply(fault);
    const fingerprint = `${input.paymentRef}|${input.amount.amount}|${input.amount.currency}`;
    const existingId = this.#byKey.get(input.idempotencyKey);
    if (existingId) {
      const existing = this.#refunds.get(existingId);
      if (existing && existing.fingerprint !== fingerprint)
        throw this.#error('idempotency_conflict', 'key reused with other parameters');
      if (existing) return existing.refund;
    }
    const payment = this.#payments.get(input.paymentRef);
    if (!payment) throw this.#error('not_found', `no payment ${input.paymentRef}`);
    const decline = this.#declines.get(input.paymentRef);
    if (decline) throw this.#error(decline, `refund declined: ${decline}`);
    if (payment.amount.currency !== input.amount.currency)
      throw this.#error('invalid_request', 'currency differs from the payment');
    const taken = this.refundsOf(input.paymentRef)
      .filter((r) => r.status !== 'failed' && r.status !== 'canceled')
      .reduce((sum, r) => sum + r.amount.amount, 0);
    if (taken + input.amount.amount > payment.amount.amount) {
      throw this.#error(
        taken >= payment.amount.amount ? 'already_refunded' : 'amount_exceeds_refundable',
        'refund exceeds the captured amount',
      );
    }
    const refund: GatewayRefund = {
      gatewayRefundId: `mre_${randomUUID()}`,
      paymentRef: input.paymentRef,
      amount: input.amount,
      status: fault?.kind === 'pending' ? 'pending' : 'succeeded',
      metadata: { ...input.metadata, idempotencyKey: input.idempotencyKey },
      createdAt: new Date(),
    };
    this.#refunds.set(refund.gatewayRefundId, { refund, fingerprint });
    this.#byKey.set(input.idempotencyKey, refund.gatewayRefundId);
    if (fault?.kind === 'drop_response') throw this.#error('unavailable', 'connection reset after the refund applied');
    return refund;
  }

  async #beforeApply(fault: SandboxFault): Promise<void> {
    switch (fault.kind) {
      case 'latency':
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
        return;
      case 'http_500':
        throw this.#error('unavailable', 'gateway answered 500');
      case 'http_429':
        throw new GatewayError('rate_limited', 'slow down', {
          gateway: 'memory',
          httpStatus: 429,
          retryAfterMs: (fault.retryAfterSeconds ?? 1) * 1000,
        });
      case 'timeout':
        throw this.#error('timeout', 'gateway did not answer in time');
      default:
        return;
    }
  }

  async getRefund(input: { readonly gatewayRefundId: string }): Promise<GatewayRefund> {
    const stored = this.#refunds.get(input.gatewayRefundId);
    if (!stored) throw this.#error('not_found', `no refund ${input.gatewayRefundId}`);
    return stored.refund;
  }

  async listRefunds(input: { readonly paymentRef: string }): Promise<{ readonly refunds: GatewayRefund[] }> {
    return { refunds: this.refundsOf(input.paymentRef).reverse() };
  }

  async getPayment(input: { readonly paymentRef: string }): Promise<GatewayPayment> {
    const payment = this.#payments.get(input.paymentRef);
    if (!payment) throw this.#error('not_found', `no payment ${input.paymentRef}`);
    return payment;
  }

  async findPayments(input: { readonly email: string }): Promise<{ readonly payments: GatewayPayment[] }> {
    const email = input.email.toLowerCase();
    return { payments: [...this.#payments.values()].filter((p) => p.customerEmail?.toLowerCase() === email) };
  }

  /** Payments in capture order, `pageSize` at a time; the cursor is the index of the next one. */
  async listPayments(input: ListPaymentsInput): Promise<PaymentPage> {
    const pageSize = 50;
    const since = input.since.getTime();
    const all = [...this.#payments.values()].filter((p) => p.capturedAt.getTime() >= since);
    const start = Number(input.cursor ?? 0) || 0;
    const end = start + pageSize;
    return { payments: all.slice(start, end), nextCursor: end < all.length ? String(end) : undefined };
  }

  #error(code: GatewayErrorCode, message: string): GatewayError {
    return new GatewayError(code, message, { gateway: 'memory' });
  }
}
