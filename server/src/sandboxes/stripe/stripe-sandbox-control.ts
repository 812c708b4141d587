import type { Hono } from 'hono';
import { z } from 'zod';
import { money } from '../../money/money.js';
import type { GatewaySandbox } from '../gateway-sandbox.js';

const faultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('latency'), ms: z.number().int().min(0).max(60_000) }),
  z.object({ kind: z.literal('http_500') }),
  z.object({ kind: z.literal('http_429'), retryAfterSeconds: z.number().int().min(0).max(3600).optional() }),
  z.object({ kind: z.literal('timeout') }),
  z.object({ kind: z.literal('drop_response') }),
  z.object({ kind: z.literal('pending') }),
]);

const paymentSchema = z.object({
  amount: z.number().int().positive(),
  currency: z.string().length(3),
  email: z.string().min(3),
  name: z.string().optional(),
  kind: z.enum(['card', 'card_refund_fails', 'debit_card_present']).optional(),
});

const settleSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('succeeded') }),
  z.object({
    status: z.literal('failed'),
    reason: z.enum(['card_expired_or_canceled', 'card_lost_or_stolen', 'unknown']).default('unknown'),
  }),
]);

const webhookSchema = z.object({ url: z.url(), secret: z.string().min(1) }).nullable();

/** `/__sandbox/*` JSON routes mirroring the GatewaySandbox methods, for demos and tests in another process. */
export function mountSandboxControl(app: Hono, sandbox: GatewaySandbox): void {
  app.post('/__sandbox/faults', async (c) => {
    const { faults } = z.object({ faults: z.array(faultSchema) }).parse(await c.req.json());
    sandbox.injectFaults(...faults);
    return c.json({ queued: faults.length });
  });

  app.delete('/__sandbox/faults', (c) => {
    sandbox.clearFaults();
    return c.body(null, 204);
  });

  app.post('/__sandbox/payments', async (c) => {
    const input = paymentSchema.parse(await c.req.json());
    const { paymentRef } = await sandbox.createPayment({
      amount: money(input.amount, input.currency.toUpperCase()),
      email: input.email,
      ...(input.name === undefined ? {} : { name: input.name }),
      ...(input.kind === undefined ? {} : { kind: input.kind }),
    });
    return c.json({ paymentRef }, 201);
  });

  app.post('/__sandbox/refunds/:id/settle', async (c) => {
    const outcome = settleSchema.parse(await c.req.json());
    await sandbox.settleRefund(c.req.param('id'), outcome);
    return c.json({ settled: c.req.param('id') });
  });

  app.get('/__sandbox/payments/:ref/refunds', (c) => c.json({ refunds: sandbox.refundsOf(c.req.param('ref')) }));

  app.put('/__sandbox/webhook', async (c) => {
    const target = webhookSchema.parse(await c.req.json());
    sandbox.setWebhookTarget(target ?? undefined);
    return c.json({ target: target?.url ?? null });
  });

  app.post('/__sandbox/webhooks/drain', async (c) => {
    await sandbox.drainWebhooks();
    return c.json({ drained: true });
  });
}
