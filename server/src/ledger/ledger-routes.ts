import { randomUUID } from 'node:crypto';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { bearerSecurity, CurrencyCode, createApiRouter, DecimalAmount, errorResponses, json } from '../api/schemas.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors/app-error.js';
import { type AuthEnv, requireRole } from '../http/auth.js';
import { MoneyError, parseDecimal } from '../money/money.js';
import { upsertCustomer } from './customers.js';
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

/** Batch upserts for billing systems without a gateway connector: idempotent on natural keys, each item answered. */
export function ledgerRoutes(ctx: AppContext): OpenAPIHono<AuthEnv> {
  const app = createApiRouter<AuthEnv>();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/payments',
      summary: 'Upsert payments in a batch (natural key: gateway + gatewayPaymentId)',
      tags: ['ledger'],
      security: bearerSecurity,
      request: {
        body: {
          content: {
            'application/json': { schema: z.object({ payments: z.array(PaymentInput).min(1).max(500) }).strict() },
          },
          required: true,
        },
      },
      responses: { 200: json(z.object({ results: z.array(ItemResult) }), 'Per-item results'), ...errorResponses },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireRole(principal, 'admin', 'manager');
      const results = [];
      for (const [index, item] of c.req.valid('json').payments.entries()) {
        try {
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
          if (outcome.conflict)
            results.push({
              index,
              id: outcome.payment.id,
              status: 'rejected' as const,
              error: { code: 'conflict', message: outcome.conflict },
            });
          else
            results.push({
              index,
              id: outcome.payment.id,
              status: outcome.created ? ('created' as const) : ('updated' as const),
            });
        } catch (error) {
          results.push({ index, id: null, status: 'rejected' as const, error: itemError(error) });
        }
      }
      return c.json({ results }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/balances',
      summary: 'Upsert customer credit balances in a batch (natural key: sourceSystem + externalRef)',
      tags: ['ledger'],
      security: bearerSecurity,
      request: {
        body: {
          content: {
            'application/json': { schema: z.object({ balances: z.array(BalanceInput).min(1).max(500) }).strict() },
          },
          required: true,
        },
      },
      responses: { 200: json(z.object({ results: z.array(ItemResult) }), 'Per-item results'), ...errorResponses },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireRole(principal, 'admin', 'manager');
      const results = [];
      for (const [index, item] of c.req.valid('json').balances.entries()) {
        try {
          const amount = parseDecimal(item.amount, item.currency);
          const row = await ctx.db.transaction().execute(async (trx) => {
            const customer = await upsertCustomer(trx, principal.orgId, item.customer);
            if (!customer) throw new AppError('invalid_request', 'a balance needs a customer email or phone');
            const existing = await trx
              .selectFrom('credit_balances')
              .select('id')
              .where('org_id', '=', principal.orgId)
              .where('source_system', '=', item.sourceSystem)
              .where('external_ref', '=', item.externalRef)
              .executeTakeFirst();
            const values = {
              customer_id: customer.id,
              amount: amount.amount,
              currency: amount.currency,
              as_of: new Date(item.asOf),
              updated_at: new Date(),
            };
            if (existing) {
              await trx.updateTable('credit_balances').set(values).where('id', '=', existing.id).execute();
              return { id: existing.id, created: false };
            }
            const id = randomUUID();
            await trx
              .insertInto('credit_balances')
              .values({
                id,
                org_id: principal.orgId,
                source_system: item.sourceSystem,
                external_ref: item.externalRef,
                ...values,
              })
              .execute();
            return { id, created: true };
          });
          results.push({ index, id: row.id, status: row.created ? ('created' as const) : ('updated' as const) });
        } catch (error) {
          results.push({ index, id: null, status: 'rejected' as const, error: itemError(error) });
        }
      }
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
