import type { Money } from '../money/money.js';

/** The gateways Refund Desk can move money through. */
export type GatewayName = 'stripe' | 'paypal' | 'square' | 'memory';

/** Where a refund stands at the gateway. */
export type GatewayRefundStatus = 'pending' | 'succeeded' | 'failed' | 'canceled';

/** Why we refund, in the gateway-neutral words every adapter maps to its own. */
export type GatewayRefundReason = 'duplicate' | 'fraudulent' | 'requested_by_customer';

export interface RefundInput {
  /** The gateway's id of the payment: Stripe charge `ch_…` or payment intent `pi_…`, PayPal capture id, Square payment id. */
  readonly paymentRef: string;
  readonly amount: Money;
  readonly reason: GatewayRefundReason;
  /** Deterministic per execution attempt; sent as the vendor's idempotency key and reused on every retry. */
  readonly idempotencyKey: string;
  /** Carried to the gateway so a refund can be matched to our case later (case id, attempt key, organisation). */
  readonly metadata: Readonly<Record<string, string>>;
}

export interface GatewayRefund {
  readonly gatewayRefundId: string;
  readonly paymentRef: string;
  readonly amount: Money;
  readonly status: GatewayRefundStatus;
  /** Vendor reason for a failed refund, mapped to our words where known (see GatewayErrorCode). */
  readonly failureReason?: GatewayErrorCode | undefined;
  /** Our metadata as the gateway stored it (absent on refunds made outside Refund Desk). */
  readonly metadata: Readonly<Record<string, string>>;
  readonly createdAt: Date;
}

export interface GatewayPayment {
  readonly paymentRef: string;
  readonly amount: Money;
  /** Amount already refunded at the gateway. */
  readonly amountRefunded: Money;
  readonly status: 'captured' | 'pending' | 'failed' | 'refunded';
  readonly capturedAt: Date;
  readonly customerEmail?: string | undefined;
  readonly customerName?: string | undefined;
  readonly method: PaymentMethodFacts;
}

/** What eligibility needs to know about how a payment was made. */
export interface PaymentMethodFacts {
  readonly type: 'card' | 'paypal' | 'bank' | 'wallet' | 'other';
  readonly brand?: string | undefined;
  readonly last4?: string | undefined;
  readonly expMonth?: number | undefined;
  readonly expYear?: number | undefined;
  readonly funding?: 'credit' | 'debit' | 'prepaid' | 'unknown' | undefined;
  /** Card-present payment (chip/PIN at a terminal); Interac debit needs the card back at a terminal. */
  readonly cardPresent?: boolean | undefined;
}

/** A payment gateway, one method per capability. Errors are thrown as GatewayError. */
export interface PaymentGateway {
  readonly name: GatewayName;
  /** Refunds all or part of a captured payment; the same idempotency key returns the same refund. */
  refund(input: RefundInput): Promise<GatewayRefund>;
  /** Reads one refund by the gateway's id. */
  getRefund(input: { readonly gatewayRefundId: string }): Promise<GatewayRefund>;
  /** Lists the refunds of one payment, newest first, so unknown attempts can be resolved by key or metadata. */
  listRefunds(input: { readonly paymentRef: string }): Promise<{ readonly refunds: GatewayRefund[] }>;
  /** Reads one payment by the gateway's id. */
  getPayment(input: { readonly paymentRef: string }): Promise<GatewayPayment>;
  /** Finds a customer's captured payments by email, as far as the gateway's API allows. */
  findPayments(input: { readonly email: string }): Promise<{ readonly payments: GatewayPayment[] }>;
  /** One page of the payments captured since a date (the backfill); pass `nextCursor` back for the next page. */
  listPayments(input: ListPaymentsInput): Promise<PaymentPage>;
}

export interface ListPaymentsInput {
  /** Payments captured at or after this instant. */
  readonly since: Date;
  /** Where the previous page ended (opaque, gateway-specific); absent for the first page. */
  readonly cursor?: string | undefined;
}

export interface PaymentPage {
  /** Captured payments of this page, with the payer where the gateway knows one (may be empty mid-way). */
  readonly payments: GatewayPayment[];
  /** Absent on the last page. */
  readonly nextCursor?: string | undefined;
}

/** Our words for what went wrong at a gateway. */
export type GatewayErrorCode =
  | 'card_expired_or_canceled'
  | 'card_lost_or_stolen'
  | 'card_present_required'
  | 'insufficient_balance'
  | 'already_refunded'
  | 'amount_exceeds_refundable'
  | 'disputed'
  | 'idempotency_conflict'
  | 'idempotency_in_progress'
  | 'rate_limited'
  | 'authentication_failed'
  | 'not_found'
  | 'invalid_request'
  | 'timeout'
  | 'unavailable'
  | 'unknown';

/** Codes after which the money may or may not have moved: resolve by asking the gateway, never by minting a new key. */
const OUTCOME_UNKNOWN: ReadonlySet<GatewayErrorCode> = new Set(['timeout', 'unavailable', 'unknown']);
/** Codes worth retrying with the same key later. */
const RETRYABLE: ReadonlySet<GatewayErrorCode> = new Set([
  'rate_limited',
  'idempotency_in_progress',
  'timeout',
  'unavailable',
  'unknown',
]);

/** What a GatewayError tells besides its code (never the vendor's error itself: it may carry credentials). */
export interface GatewayErrorFacts {
  readonly gateway: GatewayName;
  readonly vendorCode?: string | undefined;
  readonly httpStatus?: number | undefined;
  readonly retryAfterMs?: number | undefined;
  /**
   * The gateway's own API answered this for the idempotency key of the call (Stripe: a saved result
   * replayed with `Idempotent-Replayed: true`; PayPal and Square: their error body), so no request under
   * that key is still running there. Unset for timeouts, lost connections, rate limits, "in progress"
   * and bare proxy errors. See docs/vendors.md, "What each gateway can prove".
   */
  readonly answeredForKey?: boolean | undefined;
}

/** A gateway refused or failed a call. */
export class GatewayError extends Error {
  readonly options: GatewayErrorFacts;

  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    options: GatewayErrorFacts & {
      /** The SDK's error; kept only as the non-enumerable `Error.cause`. */
      readonly cause?: unknown;
    },
  ) {
    super(message, { cause: options.cause });
    const { cause: _cause, ...facts } = options;
    this.options = facts;
    this.name = 'GatewayError';
  }

  /** True when the call may have applied at the gateway. */
  get isOutcomeUnknown(): boolean {
    return OUTCOME_UNKNOWN.has(this.code);
  }

  /** True when the same call may succeed later with the same key. */
  get isRetryable(): boolean {
    return RETRYABLE.has(this.code);
  }

  /** True when the gateway itself gave this answer for the call's idempotency key (see GatewayErrorFacts). */
  get isAnswerForKey(): boolean {
    return this.options.answeredForKey === true;
  }
}
