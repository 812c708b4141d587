import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { bearerSecurity, createApiRouter, errorResponses, json, MoneyView } from '../api/schemas.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors/app-error.js';
import type { AuthEnv } from '../http/auth.js';
import { moneyView } from '../refunds/case-view.js';
import { normaliseEmail, normalisePhone } from './customers.js';
import { customerPaymentVerdicts } from './payment-verdicts.js';
import { paymentAmount } from './refundable.js';

const PaymentEligibility = z
  .object({
    paymentId: z.uuid(),
    gateway: z.string(),
    gatewayPaymentId: z.string(),
    capturedAt: z.string(),
    amount: MoneyView,
    refundable: MoneyView,
    method: z.object({
      type: z.string(),
      brand: z.string().nullable(),
      last4: z.string().nullable(),
      expiry: z.string().nullable(),
      funding: z.string().nullable(),
      cardPresent: z.boolean(),
    }),
    description: z.string().nullable(),
    verdict: z.unknown(),
  })
  .openapi('PaymentEligibility');

/** `GET /api/v1/eligibility?email=|phone=`: the customer's payments, what is still refundable and why. */
export function eligibilityRoutes(ctx: AppContext): OpenAPIHono<AuthEnv> {
  const app = createApiRouter<AuthEnv>();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/eligibility',
      summary: "A customer's payments with refundable amounts and explained verdicts",
      tags: ['eligibility'],
      security: bearerSecurity,
      request: {
        query: z.object({
          email: z.email().max(254).optional(),
          phone: z.string().min(4).max(32).optional(),
          reasonCode: z
            .string()
            .max(64)
            .optional()
            .openapi({ description: 'evaluate the refund window of this reason (default: the longest window)' }),
          ticketRef: z.string().max(64).optional(),
        }),
      },
      responses: {
        200: json(
          z.object({
            customer: z
              .object({
                id: z.uuid(),
                name: z.string().nullable(),
                tier: z.string(),
                match: z.enum(['verified', 'email_only', 'phone_only']),
                unverified: z.boolean(),
              })
              .nullable(),
            payments: z.array(PaymentEligibility),
          }),
          'Eligibility per payment',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { orgId } = c.get('principal');
      const query = c.req.valid('query');
      if (!query.email && !query.phone) throw new AppError('invalid_request', 'give email or phone');
      const email = query.email ? normaliseEmail(query.email) : undefined;
      const phone = query.phone ? normalisePhone(query.phone) : undefined;
      let customers = ctx.db.selectFrom('customers').selectAll().where('org_id', '=', orgId);
      customers = email ? customers.where('email', '=', email) : customers.where('phone', '=', phone ?? '');
      const customer = await customers.executeTakeFirst();
      if (!customer) return c.json({ customer: null, payments: [] }, 200);
      const match: 'verified' | 'email_only' | 'phone_only' =
        email && phone ? (customer.phone === phone ? 'verified' : 'email_only') : email ? 'email_only' : 'phone_only';
      const reasons = await ctx.db
        .selectFrom('reason_codes')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('active', '=', true)
        .execute();
      const reason = query.reasonCode
        ? reasons.find((r) => r.code === query.reasonCode)
        : [...reasons].sort((a, b) => b.refund_window_days - a.refund_window_days)[0];
      const verdicts = await customerPaymentVerdicts(ctx, {
        orgId,
        customerId: customer.id,
        reason,
        identity: match,
        ticket: query.ticketRef ? { ref: query.ticketRef } : undefined,
      });
      const views = [];
      for (const { payment, refundable, verdict } of verdicts) {
        views.push({
          paymentId: payment.id,
          gateway: payment.gateway,
          gatewayPaymentId: payment.gateway_payment_id,
          capturedAt: payment.captured_at.toISOString(),
          amount: moneyView(paymentAmount(payment)),
          refundable: moneyView(refundable),
          method: {
            type: payment.method_type,
            brand: payment.brand,
            last4: payment.last4,
            expiry:
              payment.exp_month && payment.exp_year
                ? `${String(payment.exp_month).padStart(2, '0')}/${String(payment.exp_year).slice(-2)}`
                : null,
            funding: payment.funding,
            cardPresent: payment.card_present,
          },
          description: payment.description,
          verdict,
        });
      }
      return c.json(
        {
          customer: {
            id: customer.id,
            name: customer.name,
            tier: customer.tier,
            match,
            unverified: match !== 'verified',
          },
          payments: views,
        },
        200,
      );
    },
  );
  return app;
}
