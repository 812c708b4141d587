import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { SQUARE_SIGNATURE_HEADER, signSquareWebhook } from '../../connectors/square/square-signature.js';
import { FaultQueue, type GatewaySandbox, type SandboxOptions, WebhookOutbox } from '../gateway-sandbox.js';
import { sandboxControlRoutes } from './square-sandbox-control.js';
import { requireBearer } from './square-sandbox-http.js';
import { squarePaymentsApi } from './square-sandbox-payments.js';
import { squareRefundsApi } from './square-sandbox-refunds.js';
import { SquareSandboxStore } from './square-sandbox-store.js';
import { SANDBOX_MERCHANT_ID, type WirePayment, type WireRefund } from './square-sandbox-wire.js';

export interface SquareSandboxOptions extends SandboxOptions {
  /** `credentials.accessToken` is the only bearer token accepted; unset credentials accept any token. */
  readonly credentials?: Readonly<{ accessToken: string }> | undefined;
  /** Refunds of `card_refund_fails` payments turn FAILED this long after creation (unless settled first). */
  readonly refundFailureDelayMs?: number | undefined;
}

export interface SquareSandbox extends GatewaySandbox {
  readonly gateway: 'square';
  /** Releases held (timeout-fault) requests and pending timers; call when the sandbox goes away. */
  close(): void;
}

/**
 * A Square look-alike that the official `square` SDK cannot tell apart on the paths Refund Desk uses:
 * /v2/payments, /v2/refunds, /v2/customers. Refunds of ordinary cards complete at once; the `pending` fault
 * and `card_refund_fails` payments leave them PENDING. The latter fail automatically after
 * `refundFailureDelayMs` (default 100 ms), with the card shown as closed by its issuer.
 */
export function createSquareSandbox(options: SquareSandboxOptions = {}): SquareSandbox {
  const faults = new FaultQueue();
  const outbox = new WebhookOutbox({ attempts: 3, backoffMs: 50 });
  const held = new Set<() => void>();
  const timers = new Set<NodeJS.Timeout>();
  const failureDelayMs = options.refundFailureDelayMs ?? 100;
  let target =
    options.webhookUrl && options.webhookSecret
      ? { url: options.webhookUrl, secret: options.webhookSecret }
      : undefined;

  const emit = (type: string, objectType: 'payment' | 'refund', object: WirePayment | WireRefund) => {
    if (!target) return;
    const body = JSON.stringify({
      merchant_id: SANDBOX_MERCHANT_ID,
      type,
      event_id: randomUUID(),
      created_at: new Date().toISOString(),
      data: { type: objectType, id: object.id, object: { [objectType]: object } },
    });
    outbox.enqueue(target.url, body, {
      [SQUARE_SIGNATURE_HEADER]: signSquareWebhook(target.secret, target.url, body),
      'square-environment': 'Sandbox',
      'square-initial-delivery-timestamp': new Date().toISOString(),
    });
  };
  const store = new SquareSandboxStore(emit);

  const scheduleFailure = (refund: WireRefund) => {
    if (!store.refundsFail(refund.payment_id)) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (store.refunds.get(refund.id)?.status === 'PENDING') store.settle(refund.id, 'FAILED', true);
    }, failureDelayMs);
    timer.unref();
    timers.add(timer);
  };

  const app = new Hono();
  const sandbox: SquareSandbox = {
    gateway: 'square',
    app,
    injectFaults: (...queued) => faults.push(...queued),
    clearFaults: () => faults.clear(),
    async createPayment(input) {
      const [givenName, ...rest] = (input.name ?? '').split(' ').filter(Boolean);
      const customer = store.createCustomer({ email: input.email, givenName, familyName: rest.join(' ') || undefined });
      const payment = store.createPayment({
        kind: input.kind ?? 'card',
        amount: input.amount.amount,
        currency: input.amount.currency,
        email: input.email,
        customerId: customer.id,
      });
      return { paymentRef: payment.id };
    },
    async settleRefund(gatewayRefundId, outcome) {
      if (outcome.status === 'succeeded') store.settle(gatewayRefundId, 'COMPLETED', false);
      else store.settle(gatewayRefundId, 'FAILED', outcome.reason === 'card_expired_or_canceled');
    },
    refundsOf: (paymentRef) =>
      store.refundsOfPayment(paymentRef).map((refund) => ({
        gatewayRefundId: refund.id,
        amount: refund.amount_money.amount,
        status: refund.status,
      })),
    setWebhookTarget: (next) => {
      target = next ? { url: next.url, secret: next.secret } : undefined;
    },
    drainWebhooks: () => outbox.drain(),
    close() {
      for (const release of [...held]) release();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };

  app.route('/__sandbox', sandboxControlRoutes(sandbox));
  app.use('/v2/*', requireBearer(options.credentials?.accessToken));
  app.route('/', squarePaymentsApi(store));
  app.route('/', squareRefundsApi({ store, faults, held, onPending: scheduleFailure }));
  return sandbox;
}
