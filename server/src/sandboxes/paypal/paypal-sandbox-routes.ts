import { randomBytes } from 'node:crypto';
import type { Hono } from 'hono';
import { MoneyError, parseDecimal } from '../../money/money.js';
import { isAuthorized, type PayPalSandboxContext } from './paypal-sandbox-context.js';
import { mountRefundRoute } from './paypal-sandbox-refund-route.js';
import { mountSearchRoute } from './paypal-sandbox-search-route.js';
import { type CardFacts, paypalId } from './paypal-sandbox-store.js';
import {
  AUTHENTICATION_FAILURE,
  paypalError,
  RESOURCE_NOT_FOUND,
  renderCapture,
  renderOrder,
  renderRefund,
} from './paypal-sandbox-wire.js';

interface PendingOrder {
  readonly id: string;
  readonly body: Record<string, unknown>;
}

/** PayPal's REST paths at the root of the sandbox origin, shaped as the official SDK sends and parses them. */
export function mountVendorRoutes(app: Hono, ctx: PayPalSandboxContext): void {
  app.post('/v1/oauth2/token', (c) => {
    const [clientId, clientSecret] = basicCredentials(c.req.header('authorization'));
    const expected = ctx.credentials;
    if (expected && (clientId !== expected.clientId || clientSecret !== expected.clientSecret)) {
      return c.json({ error: 'invalid_client', error_description: 'Client Authentication failed' }, 401);
    }
    const token = `A21AA${randomBytes(24).toString('base64url')}`;
    ctx.issuedTokens.add(token);
    return c.json({
      scope: 'https://uri.paypal.com/services/payments/refund https://uri.paypal.com/services/reporting/search/read',
      access_token: token,
      token_type: 'Bearer',
      app_id: 'APP-80W284485P519543T',
      expires_in: 32400,
      nonce: `${new Date().toISOString()}${randomBytes(8).toString('hex')}`,
    });
  });

  app.use('/v1/notifications/*', bearerGuard(ctx));
  app.use('/v1/reporting/*', bearerGuard(ctx));
  app.use('/v2/checkout/*', bearerGuard(ctx));
  app.on(['GET'], '/v2/payments/*', bearerGuard(ctx));

  app.post('/v1/notifications/verify-webhook-signature', async (c) => {
    const body = (await c.req.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!body || body.webhook_event === undefined || typeof body.webhook_id !== 'string') {
      return c.json(
        paypalError('VALIDATION_ERROR', 'Invalid request - see details', 'MISSING_REQUIRED_PARAMETER'),
        400,
      );
    }
    return c.json({ verification_status: ctx.signer.verify(body) });
  });

  const orders = new Map<string, PendingOrder>();
  app.post('/v2/checkout/orders', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as Record<string, unknown>;
    const id = paypalId();
    orders.set(id, { id, body });
    const links = [{ href: `https://api.sandbox.paypal.com/v2/checkout/orders/${id}`, rel: 'self', method: 'GET' }];
    return c.json({ id, status: 'CREATED', links }, 201);
  });

  app.post('/v2/checkout/orders/:id/capture', (c) => {
    const order = orders.get(c.req.param('id'));
    if (!order) return c.json(RESOURCE_NOT_FOUND(), 404);
    const unit = (order.body.purchase_units as Array<{ amount?: { currency_code?: string; value?: string } }>)?.[0];
    const source = (order.body.payment_source ?? {}) as {
      card?: { number?: string; expiry?: string; name?: string };
      paypal?: { email_address?: string; name?: { given_name?: string; surname?: string } };
    };
    try {
      const amount = parseDecimal(unit?.amount?.value ?? '', unit?.amount?.currency_code ?? '');
      const payerName = source.paypal?.name
        ? `${source.paypal.name.given_name ?? ''} ${source.paypal.name.surname ?? ''}`
        : undefined;
      const capture = ctx.store.addCapture({
        orderId: order.id,
        amount,
        email: source.paypal?.email_address,
        name: source.card?.name ?? payerName?.trim(),
        kind: 'card',
        card: source.card ? cardFacts(source.card.number ?? '', source.card.expiry ?? '') : undefined,
      });
      orders.delete(order.id);
      ctx.onCaptureCompleted(capture);
      return c.json(renderOrder(ctx.store, capture), 201);
    } catch (error) {
      if (!(error instanceof MoneyError)) throw error;
      return c.json(paypalError('UNPROCESSABLE_ENTITY', error.message, 'DECIMAL_PRECISION'), 422);
    }
  });

  app.get('/v2/checkout/orders/:id', (c) => {
    const capture = ctx.store.captures.get(ctx.store.orderToCapture.get(c.req.param('id')) ?? '');
    return capture ? c.json(renderOrder(ctx.store, capture)) : c.json(RESOURCE_NOT_FOUND(), 404);
  });

  app.get('/v2/payments/captures/:id', (c) => {
    const capture = ctx.store.captures.get(c.req.param('id'));
    return capture ? c.json(renderCapture(ctx.store, capture)) : c.json(RESOURCE_NOT_FOUND(), 404);
  });

  app.get('/v2/payments/refunds/:id', (c) => {
    const refund = ctx.store.refunds.get(c.req.param('id'));
    return refund ? c.json(renderRefund(refund)) : c.json(RESOURCE_NOT_FOUND(), 404);
  });

  mountRefundRoute(app, ctx);
  mountSearchRoute(app, ctx);
}

function bearerGuard(ctx: PayPalSandboxContext) {
  return async (c: Parameters<typeof isAuthorized>[1], next: () => Promise<void>) => {
    if (!isAuthorized(ctx, c)) return c.json(AUTHENTICATION_FAILURE(), 401);
    await next();
  };
}

function basicCredentials(header: string | undefined): [string, string] {
  if (!header?.startsWith('Basic ')) return ['', ''];
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? [decoded, ''] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

function cardFacts(number: string, expiry: string): CardFacts {
  const brand = number.startsWith('4')
    ? 'VISA'
    : number.startsWith('5')
      ? 'MASTERCARD'
      : number.startsWith('3')
        ? 'AMEX'
        : 'UNKNOWN';
  return { brand, lastDigits: number.slice(-4), expiry, type: 'CREDIT' };
}
