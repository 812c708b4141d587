import { Hono } from 'hono';
import { z } from 'zod';
import { isKnownCurrency } from '../../money/currency.js';
import { money } from '../../money/money.js';
import type { GatewaySandbox, SandboxFault } from '../gateway-sandbox.js';

const faultSchema: z.ZodType<SandboxFault> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('latency'), ms: z.number().int().nonnegative().max(60_000) }),
  z.object({ kind: z.literal('http_500') }),
  z.object({ kind: z.literal('http_429'), retryAfterSeconds: z.number().int().positive().max(3600).optional() }),
  z.object({ kind: z.literal('timeout') }),
  z.object({ kind: z.literal('drop_response') }),
  z.object({ kind: z.literal('pending') }),
]);

const paymentSchema = z.object({
  amount: z.number().int().positive(),
  currency: z.string().refine(isKnownCurrency, 'unknown currency'),
  email: z.string().min(1),
  name: z.string().min(1).optional(),
  kind: z.enum(['card', 'card_refund_fails', 'debit_card_present']).optional(),
});

const failureReasons = [
  'card_expired_or_canceled',
  'card_lost_or_stolen',
  'card_present_required',
  'insufficient_balance',
  'unknown',
] as const;

const settleSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('succeeded') }),
  z.object({ status: z.literal('failed'), reason: z.enum(failureReasons).default('unknown') }),
]);

/** `{url, secret}` points webhooks somewhere; `{}` stops them. */
const webhookSchema = z.object({ url: z.url().optional(), secret: z.string().min(1).optional() });

/** `/__sandbox/*` JSON routes mirroring the GatewaySandbox methods, for a demo or a child process. */
export function sandboxControlRoutes(sandbox: GatewaySandbox): Hono {
  const control = new Hono();

  control.onError((error, c) => c.json({ error: error.message }, 400));

  control.post('/faults', async (c) => {
    const { faults } = z.object({ faults: z.array(faultSchema) }).parse(await c.req.json());
    sandbox.injectFaults(...faults);
    return c.json({ queued: faults.length });
  });

  control.delete('/faults', (c) => {
    sandbox.clearFaults();
    return c.json({ cleared: true });
  });

  control.post('/payments', async (c) => {
    const input = paymentSchema.parse(await c.req.json());
    const { paymentRef } = await sandbox.createPayment({
      amount: money(input.amount, input.currency),
      email: input.email,
      ...(input.name ? { name: input.name } : {}),
      ...(input.kind ? { kind: input.kind } : {}),
    });
    return c.json({ paymentRef });
  });

  control.post('/refunds/:id/settle', async (c) => {
    const outcome = settleSchema.parse(await c.req.json());
    await sandbox.settleRefund(c.req.param('id'), outcome);
    return c.json({ settled: c.req.param('id') });
  });

  control.get('/payments/:ref/refunds', (c) => c.json({ refunds: sandbox.refundsOf(c.req.param('ref')) }));

  control.put('/webhook', async (c) => {
    const { url, secret } = webhookSchema.parse(await c.req.json());
    sandbox.setWebhookTarget(url && secret ? { url, secret } : undefined);
    return c.json({ webhook: url && secret ? url : null });
  });

  return control;
}
