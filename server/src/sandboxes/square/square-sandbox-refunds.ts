import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { isKnownCurrency } from '../../money/currency.js';
import type { FaultQueue } from '../gateway-sandbox.js';
import {
  answerOf,
  errorAnswer,
  inTimeOrder,
  nodeSocket,
  notFound,
  pageOf,
  readJson,
  sendAnswer,
} from './square-sandbox-http.js';
import type { SquareSandboxStore } from './square-sandbox-store.js';
import { errorBody, type WireRefund } from './square-sandbox-wire.js';

const refundPaymentSchema = z.object({
  idempotency_key: z.string().min(1).max(45),
  amount_money: z.object({
    amount: z.number().int().positive(),
    currency: z.string().refine(isKnownCurrency, 'unsupported currency'),
  }),
  payment_id: z.string().min(1),
  reason: z.string().max(192).optional(),
});

export interface RefundsApiDeps {
  readonly store: SquareSandboxStore;
  readonly faults: FaultQueue;
  /** Called with every refund this call left pending (card_refund_fails payments fail later). */
  readonly onPending: (refund: WireRefund) => void;
  /** Held requests register here so the sandbox can release them when it closes. */
  readonly held: Set<() => void>;
}

/** Square's Refunds paths, with the sandbox faults applied to RefundPayment. */
export function squareRefundsApi(deps: RefundsApiDeps): Hono {
  const { store, faults } = deps;
  const api = new Hono();

  api.post('/v2/refunds', async (c) => {
    const fault = faults.next();
    const body = await readJson(c, refundPaymentSchema);
    if (!body.ok) return sendAnswer(c, body.answer);
    if (fault?.kind === 'latency') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (fault?.kind === 'http_500') {
      const detail = 'An internal error has occurred, and the API was unable to service your request.';
      return sendAnswer(c, errorAnswer(500, { category: 'API_ERROR', code: 'INTERNAL_SERVER_ERROR', detail }));
    }
    if (fault?.kind === 'http_429') {
      const retryAfter = String(fault.retryAfterSeconds ?? 1);
      const limited = errorAnswer(429, { category: 'RATE_LIMIT_ERROR', code: 'RATE_LIMITED', detail: 'Rate limited.' });
      return sendAnswer(c, limited, { 'retry-after': retryAfter });
    }
    if (fault?.kind === 'timeout') return holdUntilClosed(c, deps.held);

    const request = body.value;
    const answer = store.idempotent('refunds', request.idempotency_key, body.fingerprint, () => {
      const result = store.createRefund({
        paymentId: request.payment_id,
        amount: request.amount_money.amount,
        currency: request.amount_money.currency,
        reason: request.reason,
        forcePending: fault?.kind === 'pending',
      });
      if ('error' in result) return answerOf(result.status, errorBody(result.error));
      if (result.refund.status === 'PENDING') deps.onPending(result.refund);
      return answerOf(200, { refund: result.refund });
    });
    if (fault?.kind === 'drop_response') {
      // The refund is applied and recorded; the client only sees the connection die.
      nodeSocket(c)?.destroy();
      return holdUntilClosed(c, deps.held);
    }
    return sendAnswer(c, answer);
  });

  api.get('/v2/refunds/:id', (c) => {
    const refund = store.refunds.get(c.req.param('id'));
    if (!refund) return sendAnswer(c, notFound(`Could not find payment refund with id: ${c.req.param('id')}`));
    return sendAnswer(c, answerOf(200, { refund }));
  });

  api.get('/v2/refunds', (c) => {
    const query = c.req.query();
    const refunds = [...store.refunds.values()].filter((refund) => !query.status || refund.status === query.status);
    const { page, cursor } = pageOf(inTimeOrder(refunds, query), query);
    return sendAnswer(c, answerOf(200, page.length > 0 ? { refunds: page, ...(cursor ? { cursor } : {}) } : {}));
  });

  return api;
}

/** Never answers: resolves (into a response nobody reads) only when the socket closes or the sandbox is closed. */
function holdUntilClosed(c: Context, held: Set<() => void>): Promise<Response> {
  return new Promise((resolve) => {
    const release = () => {
      held.delete(release);
      resolve(new Response(null, { status: 504 }));
    };
    held.add(release);
    const socket = nodeSocket(c);
    if (socket?.destroyed) release();
    else socket?.once('close', release);
  });
}
