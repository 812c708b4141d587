import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { bearerSecurity, createApiRouter, errorResponses, json, MoneyView } from '../api/schemas.js';
import type { AppContext } from '../context.js';
import type { AuthEnv } from '../http/auth.js';
import { eligibilityAnswer, LOOKUP_MODES } from './eligibility-answer.js';

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

const GatewayLookup = z
  .object({
    performed: z.boolean(),
    trigger: z.enum(['requested', 'no_ledger_match']).nullable(),
    skipped: z.enum(['ledger_match', 'not_requested', 'email_needed']).nullable(),
    gateways: z.array(
      z.object({
        gateway: z.enum(['stripe', 'paypal', 'square']),
        status: z.enum(['ok', 'timeout', 'unavailable']),
        found: z.number().int(),
        recorded: z.number().int(),
        message: z.string().optional(),
      }),
    ),
  })
  .openapi('GatewayLookup', {
    description:
      'Whether the gateways were asked for the customer’s payments (what they found is now in the ledger), and how each answered; a gateway that is down is reported here, never as an error.',
  });

/** `GET /api/v1/eligibility?email=|phone=[&lookup=auto|gateway|ledger]`: payments, what is refundable, and why. */
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
          lookup: z.enum(LOOKUP_MODES).default('auto').openapi({
            description:
              'gateway: also ask the connected gateways for payments by this email (bounded by the gateway timeout) and record them; auto (default): only when the ledger knows no payment of the customer; ledger: never',
          }),
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
            lookup: GatewayLookup,
          }),
          'Eligibility per payment',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { orgId } = c.get('principal');
      const query = c.req.valid('query');
      const answer = await eligibilityAnswer(ctx, { orgId, ...query });
      return c.json(answer, 200);
    },
  );
  return app;
}
