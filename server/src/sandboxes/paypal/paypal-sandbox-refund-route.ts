import type { Hono } from 'hono';
import { type Money, MoneyError, money, parseDecimal } from '../../money/money.js';
import {
  holdUntilClosed,
  type IdempotencyRecord,
  isAuthorized,
  nodeIncoming,
  type PayPalSandboxContext,
  sleep,
} from './paypal-sandbox-context.js';
import type { StoredCapture } from './paypal-sandbox-store.js';
import {
  AUTHENTICATION_FAILURE,
  paypalError,
  RESOURCE_NOT_FOUND,
  renderRefund,
  UNPROCESSABLE,
} from './paypal-sandbox-wire.js';

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly refundId?: string | undefined;
}

/** `POST /v2/payments/captures/{id}/refund` with faults, `PayPal-Request-Id` idempotency and over-refund checks. */
export function mountRefundRoute(app: Hono, ctx: PayPalSandboxContext): void {
  app.post('/v2/payments/captures/:id/refund', async (c) => {
    if (!isAuthorized(ctx, c)) return c.json(AUTHENTICATION_FAILURE(), 401);
    const fault = ctx.faults.next();
    // Edge failures: nothing reaches the idempotency layer, so a retry with the same key starts afresh.
    if (fault?.kind === 'http_429') {
      c.header('Retry-After', String(fault.retryAfterSeconds ?? 1));
      return c.json(paypalError('RATE_LIMIT_REACHED', 'Too many requests. Blocked due to rate limiting.'), 429);
    }
    if (fault?.kind === 'timeout') {
      await holdUntilClosed(c);
      return c.body(null, 504);
    }
    const raw = await c.req.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = raw.trim() === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
    } catch {
      return c.json(paypalError('INVALID_REQUEST', 'Request is not well-formed.', 'MALFORMED_REQUEST_JSON'), 400);
    }
    const captureId = c.req.param('id');
    const key = c.req.header('paypal-request-id');
    const fingerprint = `${captureId}\n${canonicalJson(parsed)}`;
    const prior = key ? ctx.idempotency.get(key) : undefined;
    let answer: Answer;
    if (prior) {
      answer = replay(ctx, prior, fingerprint);
    } else if (fault?.kind === 'http_500') {
      // The request failed inside PayPal without refunding. PayPal answers a repeated PayPal-Request-Id with
      // "the latest status of the previous request" (kept 45 days for refunds), so every retry of this id
      // gets this same 500, byte for byte; only a new id can refund.
      const body = JSON.stringify(
        paypalError('INTERNAL_SERVER_ERROR', 'An internal server error has occurred.', 'INTERNAL_SERVICE_ERROR'),
      );
      answer = { status: 500, body };
      if (key) ctx.idempotency.set(key, { fingerprint, state: 'done', status: 500, body });
    } else {
      const record: IdempotencyRecord = { fingerprint, state: 'in_progress' };
      if (key) ctx.idempotency.set(key, record);
      if (fault?.kind === 'latency') await sleep(fault.ms);
      answer = applyRefund(ctx, captureId, parsed, fault?.kind === 'pending');
      Object.assign(record, { state: 'done', refundId: answer.refundId, status: answer.status, body: answer.body });
    }
    if (fault?.kind === 'drop_response') {
      nodeIncoming(c)?.socket.destroy();
    }
    const prefersMinimal = c.req.header('prefer') === 'return=minimal';
    const body = prefersMinimal && answer.refundId ? minimal(answer.body) : answer.body;
    return c.body(body, answer.status as 200, { 'content-type': 'application/json' });
  });
}

/** A repeat returns the original's latest state; a failed original is replayed byte for byte. */
function replay(ctx: PayPalSandboxContext, prior: IdempotencyRecord, fingerprint: string): Answer {
  if (prior.fingerprint !== fingerprint) {
    const error = paypalError(
      'UNPROCESSABLE_ENTITY',
      UNPROCESSABLE,
      'DUPLICATE_REQUEST_ID',
      'PayPal-Request-Id reused with a different request.',
    );
    return { status: 422, body: JSON.stringify(error) };
  }
  if (prior.state === 'in_progress') {
    const error = paypalError(
      'RESOURCE_CONFLICT',
      'A previous request with this PayPal-Request-Id is in progress.',
      'PREVIOUS_REQUEST_IN_PROGRESS',
    );
    return { status: 409, body: JSON.stringify(error) };
  }
  const refund = prior.refundId ? ctx.store.refunds.get(prior.refundId) : undefined;
  if (refund) return { status: prior.status ?? 201, body: JSON.stringify(renderRefund(refund)), refundId: refund.id };
  return { status: prior.status ?? 500, body: prior.body ?? '' };
}

function applyRefund(
  ctx: PayPalSandboxContext,
  captureId: string,
  body: Record<string, unknown>,
  forcePending: boolean,
): Answer {
  const capture = ctx.store.captures.get(captureId);
  if (!capture) return { status: 404, body: JSON.stringify(RESOURCE_NOT_FOUND()) };
  const refundable = ctx.store.refundableMinor(capture);
  if (refundable === 0) return unprocessable('CAPTURE_FULLY_REFUNDED', 'The capture has already been fully refunded.');
  const amount = requestedAmount(capture, body.amount, refundable);
  if (!('amount' in amount)) return amount;
  if (amount.amount.amount > refundable) {
    return unprocessable(
      'REFUND_AMOUNT_EXCEEDED',
      'The refund amount must be less than or equal to the capture amount that has not yet been refunded.',
    );
  }
  const refund = ctx.store.addRefund(capture, {
    amount: amount.amount,
    invoiceId: optionalString(body.invoice_id),
    customId: optionalString(body.custom_id),
    noteToPayer: optionalString(body.note_to_payer),
  });
  if (forcePending) refund.status = 'PENDING';
  ctx.onRefundChanged(refund, capture);
  return { status: 201, body: JSON.stringify(renderRefund(refund)), refundId: refund.id };
}

function requestedAmount(capture: StoredCapture, value: unknown, refundable: number): { amount: Money } | Answer {
  if (value === undefined) return { amount: money(refundable, capture.amount.currency) };
  const wire = value as { currency_code?: unknown; value?: unknown };
  if (wire.currency_code !== capture.amount.currency) {
    return unprocessable('REFUND_CAPTURE_CURRENCY_MISMATCH', 'Refund must be in the same currency as the capture.');
  }
  try {
    const amount = parseDecimal(String(wire.value), capture.amount.currency);
    if (amount.amount === 0) return unprocessable('CANNOT_BE_ZERO_OR_NEGATIVE', 'Must be greater than zero.');
    return { amount };
  } catch (error) {
    if (!(error instanceof MoneyError)) throw error;
    return unprocessable('DECIMAL_PRECISION', 'The value of the field should not be more than the currency allows.');
  }
}

function unprocessable(issue: string, description: string): Answer {
  return { status: 422, body: JSON.stringify(paypalError('UNPROCESSABLE_ENTITY', UNPROCESSABLE, issue, description)) };
}

function minimal(body: string): string {
  const { id, status, links } = JSON.parse(body) as Record<string, unknown>;
  return JSON.stringify({ id, status, links });
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Key-sorted JSON, so the same parameters in another order count as the same request. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
