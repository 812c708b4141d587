import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { bearerSecurity, CurrencyCode, createApiRouter, DecimalAmount, errorResponses, json } from '../api/schemas.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors/app-error.js';
import { type AuthEnv, requireRole } from '../http/auth.js';
import { MoneyError, parseDecimal } from '../money/money.js';
import { upsertCreditBalance } from './credit-balances.js';
import { upsertPayment } from './payments.js';

const CustomerInput = z.object({
  name: z.string().max(200).optional(),
  email: z.email().max(254).optional(),
  phone: z.string().min(4).max(32).optional(),
  tier: z.string().max(32).optional(),
  externalIds: z.record(z.string().max(32), z.string().max(128)).optional(),
});

const PaymentInput = z
  .object({
    gateway: z.string().min(1).max(32),
    gatewayPaymentId: z.string().min(1).max(128),
    amount: DecimalAmount,
    currency: CurrencyCode,
    status: z.enum(['captured', 'pending', 'failed']).default('captured'),
    capturedAt: z.iso.datetime({ offset: true }),
    method: z
      .object({
        type: z.enum(['card', 'paypal', 'bank', 'wallet', 'other']),
        brand: z.string().max(32).optional(),
        last4: z
          .string()
          .regex(/^\d{4}$/)
          .optional(),
        expMonth: z.number().int().min(1).max(12).optional(),
        expYear: z.number().int().min(2000).max(2100).optional(),
        funding: z.enum(['credit', 'debit', 'prepaid', 'unknown']).optional(),
        cardPresent: z.boolean().optional(),
      })
      .default({ type: 'card' }),
    description: z.string().max(500).optional(),
    customer: CustomerInput.optional(),
  })
  .strict();

const BalanceInput = z
  .object({
    sourceSystem: z.string().min(1).max(64),
    externalRef: z.string().min(1).max(128),
    amount: DecimalAmount,
    currency: CurrencyCode,
    asOf: z.iso.datetime({ offset: true }),
    customer: CustomerInput,
  })
  .strict();

const ItemResult = z.object({
  index: z.number().int(),
  id: z.uuid().nullable(),
  status: z.enum(['created', 'updated', 'rejected']),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

type ItemOutcome =
  | { readonly id: string; readonly status: 'created' | 'updated' }
  | { readonly id: string; readonly status: 'rejected'; readonly conflict: string };

function batchRoute(path: string, summary: string, key: string, item: z.ZodType) {
  return createRoute({
    method: 'post',
    path,
    summary,
    tags: ['ledger'],
    security: bearerSecurity,
    request: {
      body: {
        content: { 'application/json': { schema: z.object({ [key]: z.array(item).min(1).max(500) }).strict() } },
        required: true,
      },
    },
    responses: { 200: json(z.object({ results: z.array(ItemResult) }), 'Per-item results'), ...errorResponses },
  });
}

/** Each item in its own transaction; a bad item is answered in place and the others still land. */
async function upsertEach<T>(
  items: readonly T[],
  upsert: (item: T) => Promise<ItemOutcome>,
): Promise<Array<z.infer<typeof ItemResult>>> {
  const results: Array<z.infer<typeof ItemResult>> = [];
  for (const [index, item] of items.entries()) {
    try {
      const outcome = await upsert(item);
      results.push(
        outcome.status === 'rejected'
          ? { index, id: outcome.id, status: 'rejected', error: { code: 'conflict', message: outcome.conflict } }
          : { index, id: outcome.id, status: outcome.status },
      );
    } catch (error) {
      results.push({ index, id: null, status: 'rejected', error: itemError(error) });
    }
  }
  return results;
}

/** Batch upserts for billing systems without a gateway connector: idempotent on natural keys, each item answered. */
export function ledgerRoutes(ctx: AppContext): OpenAPIHono<AuthEnv> {
  const app = createApiRouter<AuthEnv>();

  app.openapi(
    batchRoute(
      '/payments',
      'Upsert payments in a batch (natural key: gateway + gatewayPaymentId)',
      'payments',
      PaymentInput,
    ),
    async (c) => {
      const principal = c.get('principal');
      requireRole(principal, 'admin', 'manager');
      const items = (c.req.valid('json') as { payments: Array<z.infer<typeof PaymentInput>> }).payments;
      const results = await upsertEach(items, async (item) => {
        const amount = parseDecimal(item.amount, item.currency);
        if (amount.amount === 0) throw new AppError('invalid_amount', 'a payment amount must be above zero');
        const outcome = await ctx.db.transaction().execute((trx) =>
          upsertPayment(trx, principal.orgId, {
            ...item,
            amount,
            capturedAt: new Date(item.capturedAt),
            source: 'billing_import',
          }),
        );
        if (outcome.conflict) return { id: outcome.payment.id, status: 'rejected', conflict: outcome.conflict };
        return { id: outcome.payment.id, status: outcome.created ? 'created' : 'updated' };
      });
      return c.json({ results }, 200);
    },
  );

  app.openapi(
    batchRoute(
      '/balances',
      'Upsert customer credit balances in a batch (natural key: sourceSystem + externalRef)',
      'balances',
      BalanceInput,
    ),
    async (c) => {
      const principal = c.get('principal');
      requireRole(principal, 'admin', 'manager');
      const items = (c.req.valid('json') as { balances: Array<z.infer<typeof BalanceInput>> }).balances;
      const results = await upsertEach(items, async (item) => {
        const amount = parseDecimal(item.amount, item.currency);
        const row = await ctx.db
          .transaction()
          .execute((trx) => upsertCreditBalance(trx, principal.orgId, { ...item, amount, asOf: new Date(item.asOf) }));
        return { id: row.id, status: row.created ? 'created' : 'updated' };
      });
      return c.json({ results }, 200);
    },
  );
  return app;
}

function itemError(error: unknown): { code: string; message: string } {
  if (error instanceof AppError) return { code: error.code, message: error.message };
  if (error instanceof MoneyError)
    return { code: error.code === 'unknown_currency' ? 'unknown_currency' : 'invalid_amount', message: error.message };
  throw error;
}
