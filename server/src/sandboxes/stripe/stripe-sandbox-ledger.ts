import type { SandboxCard } from './stripe-sandbox-cards.js';
import { resourceMissing, StripeSandboxFailure } from './stripe-sandbox-errors.js';
import {
  type StoredCharge,
  type StoredCustomer,
  type StoredPaymentIntent,
  type StoredRefund,
  type StripeSandboxStore,
  stripeId,
} from './stripe-sandbox-store.js';

/** Called with every event type and object the sandbox would notify a webhook endpoint of. */
export type SandboxEventSink = (type: string, object: Record<string, unknown>) => void;

const REFUND_REASONS = new Set(['duplicate', 'fraudulent', 'requested_by_customer']);

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** The sandbox's business rules: payments, refunds and their state changes, each emitting Stripe's events. */
export class StripeSandboxLedger {
  constructor(
    readonly store: StripeSandboxStore,
    private readonly emit: SandboxEventSink,
    /** Refunds on the refund-fail card fail this long after creation; undefined: only through settleRefund. */
    private readonly refundFailAfterMs: number | undefined,
  ) {}

  createCustomer(input: {
    email: string | null;
    name: string | null;
    metadata: Record<string, string>;
  }): StoredCustomer {
    const customer = { id: stripeId('cus'), seq: this.store.nextSeq(), created: nowSeconds(), ...input };
    this.store.customers.set(customer.id, customer);
    return customer;
  }

  createCharge(input: {
    amount: number;
    currency: string;
    customer: string | null;
    card: SandboxCard;
    receiptEmail: string | null;
    metadata: Record<string, string>;
    paymentIntent?: string;
  }): StoredCharge {
    if (input.customer && !this.store.customers.has(input.customer)) {
      throw resourceMissing('customer', input.customer, 'customer');
    }
    const charge: StoredCharge = {
      id: stripeId('ch'),
      seq: this.store.nextSeq(),
      created: nowSeconds(),
      amount: input.amount,
      currency: input.currency,
      customer: input.customer,
      paymentIntent: input.paymentIntent ?? null,
      card: input.card,
      receiptEmail: input.receiptEmail,
      metadata: input.paymentIntent ? {} : input.metadata,
    };
    this.store.charges.set(charge.id, charge);
    this.emit('charge.succeeded', this.store.renderCharge(charge));
    return charge;
  }

  createPaymentIntent(input: Parameters<StripeSandboxLedger['createCharge']>[0] & { paymentMethod: string }) {
    const id = stripeId('pi');
    const charge = this.createCharge({ ...input, paymentIntent: id });
    const intent: StoredPaymentIntent = {
      id,
      seq: this.store.nextSeq(),
      created: charge.created,
      chargeId: charge.id,
      paymentMethod: input.paymentMethod,
      metadata: input.metadata,
    };
    this.store.paymentIntents.set(id, intent);
    this.emit('payment_intent.succeeded', this.store.renderPaymentIntent(intent));
    return intent;
  }

  /** Applies Stripe's refund rules: reason, refundable amount, card-present Interac, then the card's behaviour. */
  createRefund(input: {
    chargeId: string;
    amount: number | undefined;
    reason: string | undefined;
    metadata: Record<string, string>;
    forcePending: boolean;
  }): StoredRefund {
    const charge = this.store.charges.get(input.chargeId);
    if (!charge) throw resourceMissing('charge', input.chargeId, 'charge');
    if (input.reason !== undefined && !REFUND_REASONS.has(input.reason)) {
      throw new StripeSandboxFailure(
        400,
        'invalid_request_error',
        'Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer',
        { param: 'reason' },
      );
    }
    if (charge.card.type === 'interac_present') {
      // Unconfirmed wording: Stripe refunds Interac card-present payments in person, through Terminal.
      throw new StripeSandboxFailure(
        400,
        'invalid_request_error',
        'Interac refunds must be processed in person with the card present at a terminal.',
        { code: 'charge_not_refundable' },
      );
    }
    const remaining = charge.amount - this.store.refundedAmount(charge.id);
    if (remaining <= 0) {
      throw new StripeSandboxFailure(400, 'invalid_request_error', `Charge ${charge.id} has already been refunded.`, {
        code: 'charge_already_refunded',
      });
    }
    const amount = input.amount ?? remaining;
    if (amount > remaining) {
      throw new StripeSandboxFailure(
        400,
        'invalid_request_error',
        `Refund amount (${amount} ${charge.currency}) is greater than unrefunded amount on charge (${remaining} ${charge.currency})`,
        { code: 'amount_too_large', param: 'amount' },
      );
    }
    const failsLater = charge.card.kind === 'card_refund_fails';
    const refund: StoredRefund = {
      id: stripeId('re'),
      seq: this.store.nextSeq(),
      created: nowSeconds(),
      chargeId: charge.id,
      amount,
      status: failsLater || input.forcePending ? 'pending' : 'succeeded',
      failureReason: null,
      reason: input.reason ?? null,
      metadata: input.metadata,
    };
    this.store.refunds.set(refund.id, refund);
    this.emit('refund.created', this.store.renderRefund(refund));
    if (refund.status === 'succeeded') this.emit('charge.refunded', this.store.renderCharge(charge));
    if (failsLater && this.refundFailAfterMs !== undefined) this.#failLater(refund.id, this.refundFailAfterMs);
    return refund;
  }

  /** Moves a pending refund to a final state; a failed refund gives the money back to the refundable amount. */
  settleRefund(refundId: string, status: 'succeeded' | 'failed', failureReason: string | null): StoredRefund {
    const refund = this.store.refunds.get(refundId);
    if (!refund) throw resourceMissing('refund', refundId);
    if (refund.status !== 'pending') {
      throw new StripeSandboxFailure(400, 'invalid_request_error', `Refund ${refundId} is already ${refund.status}.`);
    }
    refund.status = status;
    refund.failureReason = status === 'failed' ? (failureReason ?? 'unknown') : null;
    const rendered = this.store.renderRefund(refund);
    this.emit('refund.updated', rendered);
    if (status === 'failed') this.emit('refund.failed', rendered);
    const charge = this.store.charges.get(refund.chargeId);
    if (status === 'succeeded' && charge) this.emit('charge.refunded', this.store.renderCharge(charge));
    return refund;
  }

  #failLater(refundId: string, delayMs: number): void {
    const timer = setTimeout(() => {
      if (this.store.refunds.get(refundId)?.status === 'pending') {
        this.settleRefund(refundId, 'failed', 'expired_or_canceled_card');
      }
    }, delayMs);
    timer.unref();
  }
}
