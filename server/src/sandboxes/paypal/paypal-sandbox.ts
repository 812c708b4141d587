import { Hono } from 'hono';
import { money } from '../../money/money.js';
import type { GatewayErrorCode } from '../../ports/payment-gateway.js';
import {
  FaultQueue,
  type GatewaySandbox,
  type SandboxFault,
  type SandboxOptions,
  type SandboxPaymentInput,
  type SandboxPaymentKind,
  WebhookOutbox,
} from '../gateway-sandbox.js';
import type { PayPalSandboxContext } from './paypal-sandbox-context.js';
import { mountVendorRoutes } from './paypal-sandbox-routes.js';
import { PayPalWebhookSigner, webhookEventBody } from './paypal-sandbox-signer.js';
import { isoNow, PayPalSandboxStore, type StoredCapture, type StoredRefund } from './paypal-sandbox-store.js';
import { renderCapture, renderRefund } from './paypal-sandbox-wire.js';

export interface PayPalSandboxOptions extends SandboxOptions {
  /** A `card_refund_fails` payment's refunds stay PENDING this long, then fail on their own (default 100 ms). */
  readonly refundFailureDelayMs?: number;
}

/** The shared sandbox surface, plus PayPal's signer so tests can sign events of their own making. */
export interface PayPalSandbox extends GatewaySandbox {
  /** PayPal's webhook headers for this exact body, signed for `webhookId`. */
  signWebhook(body: string, webhookId: string, now?: Date): Record<string, string>;
}

/** Event names per refund status; only PAYMENT.CAPTURE.REFUNDED is confirmed in PayPal's event list. */
const REFUND_EVENT_TYPES = {
  COMPLETED: 'PAYMENT.CAPTURE.REFUNDED',
  PENDING: 'PAYMENT.REFUND.PENDING',
  FAILED: 'PAYMENT.REFUND.FAILED',
  CANCELLED: 'PAYMENT.REFUND.CANCELLED',
} as const;

/**
 * An in-memory PayPal: OAuth, orders, captures, refunds, Transaction Search and webhook verification at
 * PayPal's paths, plus `/__sandbox/*` control routes. Credentials, when given, are `{clientId, clientSecret}`;
 * the webhook secret is the PayPal webhook id the events are signed for.
 */
export function createPayPalSandbox(options: PayPalSandboxOptions = {}): PayPalSandbox {
  const outbox = new WebhookOutbox({ attempts: 3, backoffMs: 50 });
  let target =
    options.webhookUrl && options.webhookSecret
      ? { url: options.webhookUrl, secret: options.webhookSecret }
      : undefined;
  const failureDelayMs = options.refundFailureDelayMs ?? 100;

  const deliver = (eventType: string, resourceType: string, resource: unknown, summary: string) => {
    if (!target) return;
    const body = webhookEventBody(eventType, resourceType, resource, summary);
    outbox.enqueue(target.url, body, ctx.signer.sign(body, target.secret));
  };

  const settle = (refund: StoredRefund, outcome: Parameters<GatewaySandbox['settleRefund']>[1]) => {
    const capture = ctx.store.captures.get(refund.captureId);
    if (!capture || refund.status !== 'PENDING') return;
    refund.status = outcome.status === 'succeeded' ? 'COMPLETED' : 'FAILED';
    refund.failureReason = outcome.status === 'failed' ? outcome.reason : undefined;
    refund.updateTime = isoNow();
    ctx.onRefundChanged(refund, capture);
  };

  const ctx: PayPalSandboxContext = {
    store: new PayPalSandboxStore(),
    signer: new PayPalWebhookSigner(),
    faults: new FaultQueue(),
    idempotency: new Map(),
    credentials: options.credentials,
    issuedTokens: new Set(),
    onRefundChanged(refund, capture) {
      const summary = `A ${refund.amount.currency} refund of capture ${capture.id} is ${refund.status.toLowerCase()}`;
      deliver(REFUND_EVENT_TYPES[refund.status], 'refund', renderRefund(refund), summary);
      if (refund.status === 'PENDING' && capture.kind === 'card_refund_fails') {
        const timer = setTimeout(
          () => settle(refund, { status: 'failed', reason: 'card_expired_or_canceled' }),
          failureDelayMs,
        );
        timer.unref();
      }
    },
    onCaptureCompleted(capture) {
      const summary = `Payment completed for ${capture.amount.currency} ${capture.amount.amount}`;
      deliver('PAYMENT.CAPTURE.COMPLETED', 'capture', renderCapture(ctx.store, capture), summary);
    },
  };

  const createPayment = async (input: SandboxPaymentInput) => {
    const kind = input.kind ?? 'card';
    const capture: StoredCapture = ctx.store.addCapture({
      amount: money(input.amount.amount, input.amount.currency),
      email: input.email,
      name: input.name,
      kind,
      card: {
        brand: 'VISA',
        lastDigits: '1111',
        expiry: '2030-12',
        type: kind === 'debit_card_present' ? 'DEBIT' : 'CREDIT',
      },
    });
    ctx.onCaptureCompleted(capture);
    return { paymentRef: capture.id };
  };

  const sandbox: PayPalSandbox = {
    gateway: 'paypal',
    app: new Hono(),
    injectFaults: (...faults: SandboxFault[]) => ctx.faults.push(...faults),
    clearFaults: () => ctx.faults.clear(),
    createPayment,
    async settleRefund(gatewayRefundId, outcome) {
      const refund = ctx.store.refunds.get(gatewayRefundId);
      if (!refund) throw new Error(`no sandbox refund ${gatewayRefundId}`);
      settle(refund, outcome);
    },
    refundsOf(paymentRef) {
      const capture = ctx.store.captures.get(paymentRef);
      if (!capture) return [];
      return ctx.store
        .refundsOfCapture(capture)
        .map((r) => ({ gatewayRefundId: r.id, amount: r.amount.amount, status: r.status.toLowerCase() }));
    },
    setWebhookTarget(next) {
      target = next;
    },
    drainWebhooks: () => outbox.drain(),
    signWebhook: (body, webhookId, now) => ctx.signer.sign(body, webhookId, now),
  };
  mountControlRoutes(sandbox);
  mountVendorRoutes(sandbox.app, ctx);
  return sandbox;
}

/** `/__sandbox/*`: the same controls as JSON routes, for a demo or another process. Amounts are minor units. */
function mountControlRoutes(sandbox: PayPalSandbox): void {
  const app = sandbox.app;
  app.post('/__sandbox/faults', async (c) => {
    const body = (await c.req.json()) as { faults?: SandboxFault[] };
    sandbox.injectFaults(...(body.faults ?? []));
    return c.json({ ok: true });
  });
  app.delete('/__sandbox/faults', (c) => {
    sandbox.clearFaults();
    return c.json({ ok: true });
  });
  app.post('/__sandbox/payments', async (c) => {
    const body = (await c.req.json()) as {
      amount: number;
      currency: string;
      email: string;
      name?: string;
      kind?: SandboxPaymentKind;
    };
    try {
      const amount = money(body.amount, body.currency);
      return c.json(
        await sandbox.createPayment({
          amount,
          email: body.email,
          ...(body.name ? { name: body.name } : {}),
          ...(body.kind ? { kind: body.kind } : {}),
        }),
      );
    } catch (error) {
      return c.json({ error: error instanceof Error ? error.message : String(error) }, 400);
    }
  });
  app.post('/__sandbox/refunds/:id/settle', async (c) => {
    const body = (await c.req.json()) as { status: 'succeeded' | 'failed'; reason?: GatewayErrorCode };
    const outcome =
      body.status === 'failed'
        ? { status: 'failed' as const, reason: body.reason ?? 'unknown' }
        : { status: 'succeeded' as const };
    try {
      await sandbox.settleRefund(c.req.param('id'), outcome);
      return c.json({ ok: true });
    } catch (error) {
      return c.json({ error: error instanceof Error ? error.message : String(error) }, 404);
    }
  });
  app.get('/__sandbox/payments/:ref/refunds', (c) => c.json({ refunds: sandbox.refundsOf(c.req.param('ref')) }));
  app.put('/__sandbox/webhook', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { url?: string; secret?: string };
    sandbox.setWebhookTarget(body.url && body.secret ? { url: body.url, secret: body.secret } : undefined);
    return c.json({ ok: true });
  });
}
