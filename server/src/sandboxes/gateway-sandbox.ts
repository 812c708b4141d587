import type { Hono } from 'hono';
import type { Money } from '../money/money.js';
import type { GatewayErrorCode, GatewayName } from '../ports/payment-gateway.js';

/** Faults a sandbox can inject into the next refund-create calls. */
export type SandboxFault =
  /** Answer normally after a delay. */
  | { readonly kind: 'latency'; readonly ms: number }
  /** Answer the vendor's 5xx without applying the refund. */
  | { readonly kind: 'http_500' }
  /** Answer the vendor's 429 rate-limit error (with Retry-After) without applying. */
  | { readonly kind: 'http_429'; readonly retryAfterSeconds?: number }
  /** Hold the request open and never answer (the client's timeout fires); nothing applied. */
  | { readonly kind: 'timeout' }
  /** Apply the refund, then destroy the connection without answering. */
  | { readonly kind: 'drop_response' }
  /** Apply the refund as pending; it settles only through `settleRefund`. */
  | { readonly kind: 'pending' };

/** Which kind of payment a test or the demo wants the sandbox to hold. */
export type SandboxPaymentKind =
  /** An ordinary credit card whose refunds succeed. */
  | 'card'
  /** A card whose refunds fail asynchronously (Stripe's refundFail test card): pending, then failed with expired_or_canceled_card. */
  | 'card_refund_fails'
  /** A card-present Interac debit payment that needs the card at a terminal (Square); other gateways map it to their closest. */
  | 'debit_card_present';

export interface SandboxPaymentInput {
  readonly amount: Money;
  readonly email: string;
  readonly name?: string;
  readonly kind?: SandboxPaymentKind;
}

export interface SandboxOptions {
  /** Where signed webhooks go: our full URL, e.g. `http://127.0.0.1:3000/webhooks/stripe/default`. Unset: none sent. */
  readonly webhookUrl?: string | undefined;
  /** Secret (Stripe endpoint secret, Square signature key, PayPal webhook id's secret) used to sign webhooks. */
  readonly webhookSecret?: string | undefined;
  /** Credentials the sandbox accepts (secret key / access token / client id+secret); anything else → 401 like the vendor. */
  readonly credentials?: Readonly<Record<string, string>> | undefined;
}

/** What every gateway sandbox offers tests and the demo, besides its wire-compatible vendor paths. */
export interface GatewaySandbox {
  readonly gateway: GatewayName;
  /** The Hono app serving the vendor paths at the root, plus `/__sandbox/*` control routes mirroring the methods below. */
  readonly app: Hono;
  /** Queues faults for the next refund-create calls, in order. */
  injectFaults(...faults: SandboxFault[]): void;
  clearFaults(): void;
  /** Creates a captured payment directly (demo seeding and tests that do not need the SDK path). */
  createPayment(input: SandboxPaymentInput): Promise<{ readonly paymentRef: string }>;
  /** Moves a pending refund to its final state and delivers the vendor's signed webhook. */
  settleRefund(
    gatewayRefundId: string,
    outcome: { readonly status: 'succeeded' } | { readonly status: 'failed'; readonly reason: GatewayErrorCode },
  ): Promise<void>;
  /** Every refund the sandbox holds for a payment (to assert "exactly one refund"). */
  refundsOf(
    paymentRef: string,
  ): ReadonlyArray<{ readonly gatewayRefundId: string; readonly amount: number; readonly status: string }>;
  /** Points webhook delivery somewhere (or nowhere). */
  setWebhookTarget(target: { readonly url: string; readonly secret: string } | undefined): void;
  /** Resolves when every webhook queued so far has been delivered or given up. */
  drainWebhooks(): Promise<void>;
}

/** FIFO of faults shared by the sandboxes. */
export class FaultQueue<F = SandboxFault> {
  #faults: F[] = [];

  push(...faults: F[]): void {
    this.#faults.push(...faults);
  }

  clear(): void {
    this.#faults = [];
  }

  /** The fault for this call, if any. */
  next(): F | undefined {
    return this.#faults.shift();
  }
}

/** Posts signed webhooks in order, retrying like a vendor (a few times with backoff), and lets tests wait for them. */
export class WebhookOutbox {
  #chain: Promise<void> = Promise.resolve();

  constructor(private readonly options: { readonly attempts?: number; readonly backoffMs?: number } = {}) {}

  /** Queues one delivery; `sign` builds the headers for the exact body sent. */
  enqueue(url: string, body: string, headers: Readonly<Record<string, string>>): void {
    const attempts = this.options.attempts ?? 3;
    const backoffMs = this.options.backoffMs ?? 200;
    this.#chain = this.#chain.then(async () => {
      for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
          const response = await fetch(url, {
            method: 'POST',
            body,
            headers: { 'content-type': 'application/json', ...headers },
          });
          await response.arrayBuffer();
          if (response.status < 500) return;
        } catch {
          // network failure: retry like the vendor would
        }
        await new Promise((resolve) => setTimeout(resolve, backoffMs * attempt));
      }
    });
  }

  /** Resolves when every queued delivery has finished. */
  drain(): Promise<void> {
    return this.#chain;
  }
}
