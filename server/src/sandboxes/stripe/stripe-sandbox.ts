import { Hono } from 'hono';
import { z } from 'zod';
import { toStripeAmount } from '../../connectors/stripe/stripe-amounts.js';
import { formatStripeSignatureHeader } from '../../connectors/stripe/stripe-signature.js';
import { MoneyError } from '../../money/money.js';
import { GatewayError } from '../../ports/payment-gateway.js';
import {
  FaultQueue,
  type GatewaySandbox,
  type SandboxFault,
  type SandboxOptions,
  WebhookOutbox,
} from '../gateway-sandbox.js';
import { cardForKind } from './stripe-sandbox-cards.js';
import { mountSandboxControl } from './stripe-sandbox-control.js';
import { StripeSandboxFailure } from './stripe-sandbox-errors.js';
import { type EndpointFault, refundFaultMiddleware } from './stripe-sandbox-faults.js';
import { StripeSandboxIdempotency } from './stripe-sandbox-idempotency.js';
import { StripeSandboxLedger } from './stripe-sandbox-ledger.js';
import { mountStripePaymentsApi } from './stripe-sandbox-payments-api.js';
import { mountStripeRefundsApi } from './stripe-sandbox-refunds-api.js';
import { StripeSandboxStore, stripeId } from './stripe-sandbox-store.js';

export interface StripeSandboxOptions extends SandboxOptions {
  /** Refunds of `card_refund_fails` payments fail this long after creation (default 150 ms); null: only via settleRefund. */
  readonly refundFailAfterMs?: number | null;
}

export interface StripeSandbox extends GatewaySandbox {
  readonly gateway: 'stripe';
}

/** The API version stamped on events, as Stripe stamps the endpoint's version. */
const EVENT_API_VERSION = '2026-10-28.endive';

const FAILURE_REASONS: Readonly<Record<string, string>> = {
  card_expired_or_canceled: 'expired_or_canceled_card',
  card_lost_or_stolen: 'lost_or_stolen_card',
};

/**
 * An in-memory Stripe that the official SDK cannot tell from the real API on the paths Refund Desk
 * uses (see stripe-sandbox-*-api.ts), with Stripe's auth, idempotency, refund rules, faults and
 * signed webhooks, plus `/__sandbox/*` control routes.
 */
export function createStripeSandbox(options: StripeSandboxOptions = {}): StripeSandbox {
  const store = new StripeSandboxStore();
  const faults = new FaultQueue();
  const outbox = new WebhookOutbox({ attempts: 3, backoffMs: 100 });
  const idempotency = new StripeSandboxIdempotency();
  const endpointFaults = new WeakMap<Request, EndpointFault>();
  let target =
    options.webhookUrl && options.webhookSecret
      ? { url: options.webhookUrl, secret: options.webhookSecret }
      : undefined;

  function deliverEvent(type: string, object: Record<string, unknown>): void {
    if (!target) return;
    const created = Math.floor(Date.now() / 1000);
    const event = { id: stripeId('evt'), object: 'event', api_version: EVENT_API_VERSION, created, type };
    const body = JSON.stringify({ ...event, data: { object }, livemode: false, pending_webhooks: 1 });
    outbox.enqueue(target.url, body, { 'Stripe-Signature': formatStripeSignatureHeader(target.secret, created, body) });
  }

  const failAfter = options.refundFailAfterMs === undefined ? 150 : (options.refundFailAfterMs ?? undefined);
  const ledger = new StripeSandboxLedger(store, deliverEvent, failAfter);
  const expectedKey = options.credentials?.secretKey ?? options.credentials?.apiKey;

  const app = new Hono();
  app.onError((error, c) => {
    if (error instanceof StripeSandboxFailure) return c.json(error.toBody(), error.status);
    if (error instanceof z.ZodError) return c.json({ error: 'invalid_body', issues: error.issues }, 400);
    if (error instanceof MoneyError || error instanceof GatewayError) return c.json({ error: error.message }, 400);
    return c.json({ error: { type: 'api_error', message: 'The sandbox failed unexpectedly.' } }, 500);
  });
  app.use('/v1/*', async (c, next) => {
    c.header('Request-Id', stripeId('req'));
    const presented = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    if (!presented) {
      const message = `You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').`;
      return c.json(new StripeSandboxFailure(401, 'invalid_request_error', message).toBody(), 401);
    }
    if (expectedKey !== undefined && presented !== expectedKey) {
      const masked = `${presented.slice(0, 8)}${'*'.repeat(Math.max(presented.length - 12, 0))}${presented.slice(-4)}`;
      const failure = new StripeSandboxFailure(401, 'invalid_request_error', `Invalid API Key provided: ${masked}`);
      return c.json(failure.toBody(), 401);
    }
    return next();
  });
  const takeRefundFault = refundFaultMiddleware(faults, idempotency, endpointFaults);
  app.use('/v1/refunds', (c, next) => (c.req.method === 'POST' ? takeRefundFault(c, next) : next()));
  app.use('/v1/*', idempotency.middleware());
  mountStripePaymentsApi(app, ledger);
  mountStripeRefundsApi(app, ledger, endpointFaults);
  app.all('/v1/*', (c) => {
    const message = `Unrecognized request URL (${c.req.method}: ${c.req.path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`;
    return c.json(new StripeSandboxFailure(404, 'invalid_request_error', message).toBody(), 404);
  });

  function chargeIdOf(paymentRef: string): string | undefined {
    return paymentRef.startsWith('pi_') ? store.paymentIntents.get(paymentRef)?.chargeId : paymentRef;
  }

  const sandbox: StripeSandbox = {
    gateway: 'stripe',
    app,
    injectFaults: (...queued: SandboxFault[]) => faults.push(...queued),
    clearFaults: () => faults.clear(),
    async createPayment(input) {
      const kind = input.kind ?? 'card';
      const existing = [...store.customers.values()].find((customer) => customer.email === input.email);
      const customer =
        existing ?? ledger.createCustomer({ email: input.email, name: input.name ?? null, metadata: {} });
      const intent = ledger.createPaymentIntent({
        amount: toStripeAmount(input.amount),
        currency: input.amount.currency.toLowerCase(),
        customer: customer.id,
        card: cardForKind(kind),
        paymentMethod: stripeId('pm'),
        receiptEmail: input.email,
        metadata: {},
      });
      return { paymentRef: intent.id };
    },
    async settleRefund(gatewayRefundId, outcome) {
      const reason = outcome.status === 'failed' ? (FAILURE_REASONS[outcome.reason] ?? 'unknown') : null;
      ledger.settleRefund(gatewayRefundId, outcome.status, reason);
    },
    refundsOf(paymentRef) {
      const chargeId = chargeIdOf(paymentRef);
      if (!chargeId) return [];
      return store
        .refundsOfCharge(chargeId)
        .map((refund) => ({ gatewayRefundId: refund.id, amount: refund.amount, status: refund.status }));
    },
    setWebhookTarget(next) {
      target = next;
    },
    drainWebhooks: () => outbox.drain(),
  };
  mountSandboxControl(app, sandbox);
  return sandbox;
}
