import { randomBytes } from 'node:crypto';
import { renderPaymentMethodDetails, type SandboxCard } from './stripe-sandbox-cards.js';

export interface StoredCustomer {
  readonly id: string;
  readonly seq: number;
  readonly created: number;
  readonly email: string | null;
  readonly name: string | null;
  readonly metadata: Record<string, string>;
}

export interface StoredCharge {
  readonly id: string;
  readonly seq: number;
  readonly created: number;
  readonly amount: number;
  readonly currency: string;
  readonly customer: string | null;
  readonly paymentIntent: string | null;
  readonly card: SandboxCard;
  readonly receiptEmail: string | null;
  readonly metadata: Record<string, string>;
}

export interface StoredPaymentIntent {
  readonly id: string;
  readonly seq: number;
  readonly created: number;
  readonly chargeId: string;
  readonly paymentMethod: string;
  readonly metadata: Record<string, string>;
}

export type StoredRefundStatus = 'pending' | 'succeeded' | 'failed' | 'canceled';

export interface StoredRefund {
  readonly id: string;
  readonly seq: number;
  readonly created: number;
  readonly chargeId: string;
  readonly amount: number;
  status: StoredRefundStatus;
  failureReason: string | null;
  readonly reason: string | null;
  readonly metadata: Record<string, string>;
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Ids shaped like Stripe's: a prefix and 24 base-62 characters. */
export function stripeId(prefix: string): string {
  const bytes = randomBytes(24);
  let suffix = '';
  for (const byte of bytes) suffix += ALPHABET[byte % ALPHABET.length];
  return `${prefix}_${suffix}`;
}

/** Everything the sandbox remembers, in memory, with Stripe's JSON renderings. */
export class StripeSandboxStore {
  readonly customers = new Map<string, StoredCustomer>();
  readonly charges = new Map<string, StoredCharge>();
  readonly paymentIntents = new Map<string, StoredPaymentIntent>();
  readonly refunds = new Map<string, StoredRefund>();
  #seq = 0;

  /** Insertion order, so lists are newest first even within one second. */
  nextSeq(): number {
    this.#seq += 1;
    return this.#seq;
  }

  refundsOfCharge(chargeId: string): StoredRefund[] {
    return [...this.refunds.values()].filter((refund) => refund.chargeId === chargeId).sort((a, b) => b.seq - a.seq);
  }

  /** Pending and succeeded refunds hold money back; failed and canceled ones return it. */
  refundedAmount(chargeId: string): number {
    return this.refundsOfCharge(chargeId)
      .filter((refund) => refund.status === 'pending' || refund.status === 'succeeded')
      .reduce((sum, refund) => sum + refund.amount, 0);
  }

  renderCustomer(customer: StoredCustomer): Record<string, unknown> {
    return {
      id: customer.id,
      object: 'customer',
      created: customer.created,
      email: customer.email,
      name: customer.name,
      livemode: false,
      metadata: customer.metadata,
    };
  }

  renderCharge(charge: StoredCharge, expand: readonly string[] = []): Record<string, unknown> {
    const refunded = this.refundedAmount(charge.id);
    const customer = charge.customer ? this.customers.get(charge.customer) : undefined;
    return {
      id: charge.id,
      object: 'charge',
      amount: charge.amount,
      amount_captured: charge.amount,
      amount_refunded: refunded,
      captured: true,
      created: charge.created,
      currency: charge.currency,
      customer: expand.includes('customer') && customer ? this.renderCustomer(customer) : charge.customer,
      billing_details: { email: customer?.email ?? charge.receiptEmail, name: customer?.name ?? null },
      disputed: false,
      livemode: false,
      metadata: charge.metadata,
      paid: true,
      payment_intent: charge.paymentIntent,
      payment_method_details: renderPaymentMethodDetails(charge.card),
      receipt_email: charge.receiptEmail,
      refunded: refunded >= charge.amount,
      status: 'succeeded',
    };
  }

  renderPaymentIntent(intent: StoredPaymentIntent, expand: readonly string[] = []): Record<string, unknown> {
    const charge = this.charges.get(intent.chargeId);
    if (!charge) throw new Error(`payment intent ${intent.id} lost its charge`);
    const customer = charge.customer ? this.customers.get(charge.customer) : undefined;
    return {
      id: intent.id,
      object: 'payment_intent',
      amount: charge.amount,
      amount_received: charge.amount,
      created: intent.created,
      currency: charge.currency,
      customer: expand.includes('customer') && customer ? this.renderCustomer(customer) : charge.customer,
      latest_charge: expand.includes('latest_charge') ? this.renderCharge(charge) : charge.id,
      livemode: false,
      metadata: intent.metadata,
      payment_method: intent.paymentMethod,
      payment_method_types: [charge.card.type],
      receipt_email: charge.receiptEmail,
      status: 'succeeded',
    };
  }

  renderRefund(refund: StoredRefund): Record<string, unknown> {
    const charge = this.charges.get(refund.chargeId);
    return {
      id: refund.id,
      object: 'refund',
      amount: refund.amount,
      charge: refund.chargeId,
      created: refund.created,
      currency: charge?.currency,
      failure_reason: refund.failureReason,
      metadata: refund.metadata,
      payment_intent: charge?.paymentIntent ?? null,
      reason: refund.reason,
      status: refund.status,
    };
  }
}
