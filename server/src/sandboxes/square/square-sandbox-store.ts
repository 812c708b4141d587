import { randomBytes } from 'node:crypto';
import type { SandboxPaymentKind } from '../gateway-sandbox.js';
import {
  CARD_PROFILES,
  type CardProfile,
  errorBody,
  SANDBOX_LOCATION_ID,
  type WireCustomer,
  type WireError,
  type WirePayment,
  type WireRefund,
  type WireRefundStatus,
} from './square-sandbox-wire.js';

/** A finished vendor answer: status and the exact body text, so idempotent replays are byte for byte. */
export interface StoredAnswer {
  readonly status: number;
  readonly text: string;
}

export interface RefundRequest {
  readonly paymentId: string;
  readonly amount: number;
  readonly currency: string;
  readonly reason?: string | undefined;
  readonly forcePending: boolean;
}

type Emit = (type: string, objectType: 'payment' | 'refund', object: WirePayment | WireRefund) => void;

/** Square ids are opaque base62-ish strings; ours only need to be unique and look the part. */
export function squareId(length = 29): string {
  return randomBytes(length).toString('base64url').replace(/[-_]/g, 'x').slice(0, length);
}

/** The sandbox's in-memory Square account: customers, payments, refunds and idempotency records. */
export class SquareSandboxStore {
  readonly customers = new Map<string, WireCustomer>();
  readonly payments = new Map<string, WirePayment>();
  readonly refunds = new Map<string, WireRefund>();
  readonly #profiles = new Map<string, CardProfile>();
  readonly #answers = new Map<string, { fingerprint: string; answer: StoredAnswer }>();

  constructor(private readonly emit: Emit) {}

  /** Replays the first answer for a key, refuses the key with other params, or records a new answer. */
  idempotent(scope: string, key: string, fingerprint: string, produce: () => StoredAnswer): StoredAnswer {
    const seen = this.#answers.get(`${scope}:${key}`);
    if (seen && seen.fingerprint === fingerprint) return seen.answer;
    if (seen) {
      const detail = 'The idempotency key can only be retried with the same request data.';
      const text = JSON.stringify(
        errorBody({
          category: 'INVALID_REQUEST_ERROR',
          code: 'IDEMPOTENCY_KEY_REUSED',
          detail,
          field: 'idempotency_key',
        }),
      );
      return { status: 400, text };
    }
    const answer = produce();
    this.#answers.set(`${scope}:${key}`, { fingerprint, answer });
    return answer;
  }

  createCustomer(input: {
    email?: string | undefined;
    givenName?: string | undefined;
    familyName?: string | undefined;
  }) {
    const now = new Date().toISOString();
    const customer: WireCustomer = {
      id: squareId(26),
      created_at: now,
      updated_at: now,
      creation_source: 'THIRD_PARTY',
      version: 0,
      ...(input.givenName ? { given_name: input.givenName } : {}),
      ...(input.familyName ? { family_name: input.familyName } : {}),
      ...(input.email ? { email_address: input.email } : {}),
    };
    this.customers.set(customer.id, customer);
    return customer;
  }

  createPayment(input: {
    kind: SandboxPaymentKind;
    amount: number;
    currency: string;
    email?: string | undefined;
    customerId?: string | undefined;
  }): WirePayment {
    const profile = CARD_PROFILES[input.kind];
    const now = new Date().toISOString();
    const money = { amount: input.amount, currency: input.currency };
    const payment: WirePayment = {
      id: squareId(),
      created_at: now,
      updated_at: now,
      amount_money: money,
      total_money: money,
      approved_money: money,
      status: 'COMPLETED',
      source_type: 'CARD',
      card_details: {
        status: 'CAPTURED',
        card: { ...profile.card },
        entry_method: profile.entryMethod,
        cvv_status: profile.entryMethod === 'KEYED' ? 'CVV_ACCEPTED' : 'CVV_NOT_CHECKED',
        avs_status: profile.entryMethod === 'KEYED' ? 'AVS_ACCEPTED' : 'AVS_NOT_CHECKED',
        statement_description: 'SQ *REFUND DESK SANDBOX',
        card_payment_timeline: { authorized_at: now, captured_at: now },
        ...(profile.refundRequiresCardPresence ? { refund_requires_card_presence: true } : {}),
      },
      location_id: SANDBOX_LOCATION_ID,
      ...(input.customerId ? { customer_id: input.customerId } : {}),
      ...(input.email ? { buyer_email_address: input.email } : {}),
      receipt_number: '',
      version_token: squareId(12),
    };
    payment.receipt_number = payment.id.slice(0, 4);
    this.payments.set(payment.id, payment);
    this.#profiles.set(payment.id, profile);
    this.emit('payment.created', 'payment', payment);
    this.emit('payment.updated', 'payment', payment);
    return payment;
  }

  /** Square's RefundPayment checks, in the order the vendor reports them; returns the refund or its error. */
  createRefund(request: RefundRequest): { refund: WireRefund } | { status: number; error: WireError } {
    const payment = this.payments.get(request.paymentId);
    const profile = this.#profiles.get(request.paymentId);
    if (!payment || !profile) {
      const detail = `Could not find payment with id: ${request.paymentId}`;
      return { status: 404, error: { category: 'INVALID_REQUEST_ERROR', code: 'NOT_FOUND', detail } };
    }
    if (request.currency !== payment.total_money.currency) {
      const detail = `The refund currency ${request.currency} does not match the payment currency.`;
      return invalid('CURRENCY_MISMATCH', detail, 'amount_money.currency');
    }
    if (profile.refundRequiresCardPresence) {
      // Interac debit: Square refuses API refunds; the card must be presented at a Square Terminal.
      return invalid('CARD_PRESENCE_REQUIRED', 'CARD_PRESENCE_REQUIRED');
    }
    const refundable = payment.total_money.amount - this.#committedRefunds(payment.id);
    if (request.amount > refundable) {
      const detail = `The requested refund amount exceeds the amount available to refund (${refundable}).`;
      return invalid('REFUND_AMOUNT_INVALID', detail, 'amount_money.amount');
    }
    const now = new Date().toISOString();
    const refund: WireRefund = {
      id: `${payment.id}_${squareId(51)}`,
      status: request.forcePending || profile.refundsFail ? 'PENDING' : 'COMPLETED',
      location_id: payment.location_id,
      destination_type: 'CARD',
      destination_details: { card_details: { card: { ...payment.card_details.card }, entry_method: 'KEYED' } },
      amount_money: { amount: request.amount, currency: request.currency },
      payment_id: payment.id,
      ...(request.reason ? { reason: request.reason } : {}),
      created_at: now,
      updated_at: now,
    };
    this.refunds.set(refund.id, refund);
    payment.refund_ids = [...(payment.refund_ids ?? []), refund.id];
    this.#touchPayment(payment);
    this.emit('refund.created', 'refund', refund);
    return { refund };
  }

  /** True when refunds of this payment fail once pending (the `card_refund_fails` kind). */
  refundsFail(paymentId: string): boolean {
    return this.#profiles.get(paymentId)?.refundsFail ?? false;
  }

  /** Moves a pending refund to its final status; a card closed by its issuer shows as an issuer alert. */
  settle(refundId: string, status: Exclude<WireRefundStatus, 'PENDING'>, cardClosed: boolean): WireRefund {
    const refund = this.refunds.get(refundId);
    if (!refund) throw new Error(`no refund ${refundId}`);
    if (refund.status !== 'PENDING') throw new Error(`refund ${refundId} is ${refund.status}, not PENDING`);
    refund.status = status;
    refund.updated_at = new Date().toISOString();
    if (cardClosed) {
      refund.destination_details.card_details.card.issuer_alert = 'ISSUER_ALERT_CARD_CLOSED';
      refund.destination_details.card_details.card.issuer_alert_at = refund.updated_at;
    }
    const payment = this.payments.get(refund.payment_id);
    if (payment) this.#touchPayment(payment);
    this.emit('refund.updated', 'refund', refund);
    return refund;
  }

  refundsOfPayment(paymentId: string): WireRefund[] {
    const ids = this.payments.get(paymentId)?.refund_ids ?? [];
    return ids.flatMap((id) => this.refunds.get(id) ?? []);
  }

  /** Pending and completed refunds both hold the payment's money; failed ones release it. */
  #committedRefunds(paymentId: string): number {
    return this.refundsOfPayment(paymentId)
      .filter((refund) => refund.status === 'PENDING' || refund.status === 'COMPLETED')
      .reduce((sum, refund) => sum + refund.amount_money.amount, 0);
  }

  #touchPayment(payment: WirePayment): void {
    const committed = this.#committedRefunds(payment.id);
    if (committed > 0) payment.refunded_money = { amount: committed, currency: payment.total_money.currency };
    else delete payment.refunded_money;
    payment.updated_at = new Date().toISOString();
    payment.version_token = squareId(12);
  }
}

function invalid(code: string, detail: string, field?: string): { status: number; error: WireError } {
  return { status: 400, error: { category: 'INVALID_REQUEST_ERROR', code, detail, ...(field ? { field } : {}) } };
}
