import { Hono } from 'hono';
import { z } from 'zod';
import { isKnownCurrency } from '../../money/currency.js';
import {
  answerOf,
  errorAnswer,
  inTimeOrder,
  invalidRequest,
  notFound,
  pageOf,
  readJson,
  sendAnswer,
} from './square-sandbox-http.js';
import type { SquareSandboxStore } from './square-sandbox-store.js';
import { DECLINING_TOKENS, PAYMENT_TOKENS } from './square-sandbox-wire.js';

const moneySchema = z.object({
  amount: z.number().int().positive(),
  currency: z.string().refine(isKnownCurrency, 'unsupported currency'),
});

const createPaymentSchema = z.object({
  source_id: z.string().min(1),
  idempotency_key: z.string().min(1).max(45),
  amount_money: moneySchema,
  autocomplete: z.boolean().optional(),
  customer_id: z.string().optional(),
  buyer_email_address: z.string().optional(),
});

const createCustomerSchema = z.object({
  idempotency_key: z.string().max(45).optional(),
  given_name: z.string().optional(),
  family_name: z.string().optional(),
  email_address: z.string().optional(),
});

const searchCustomersSchema = z.object({
  query: z
    .object({
      filter: z
        .object({ email_address: z.object({ exact: z.string().optional(), fuzzy: z.string().optional() }).optional() })
        .optional(),
    })
    .optional(),
  limit: z.number().int().positive().max(100).optional(),
  cursor: z.string().optional(),
});

/** Square's Payments and Customers paths the adapter and tests use, served from the store. */
export function squarePaymentsApi(store: SquareSandboxStore): Hono {
  const api = new Hono();

  api.post('/v2/payments', async (c) => {
    const body = await readJson(c, createPaymentSchema);
    if (!body.ok) return sendAnswer(c, body.answer);
    const request = body.value;
    const answer = store.idempotent('payments', request.idempotency_key, body.fingerprint, () => {
      const decline = DECLINING_TOKENS[request.source_id];
      if (decline) return errorAnswer(400, decline);
      const kind = PAYMENT_TOKENS[request.source_id];
      if (!kind) return invalidRequest('INVALID_CARD_DATA', `Invalid source_id ${request.source_id}`, 'source_id');
      if (request.customer_id && !store.customers.has(request.customer_id)) {
        return invalidRequest('CUSTOMER_NOT_FOUND', `Customer ${request.customer_id} not found.`, 'customer_id');
      }
      const payment = store.createPayment({
        kind,
        amount: request.amount_money.amount,
        currency: request.amount_money.currency,
        email: request.buyer_email_address,
        customerId: request.customer_id,
      });
      return answerOf(200, { payment });
    });
    return sendAnswer(c, answer);
  });

  api.get('/v2/payments/:id', (c) => {
    const payment = store.payments.get(c.req.param('id'));
    if (!payment) return sendAnswer(c, notFound(`Could not find payment with id: ${c.req.param('id')}`));
    return sendAnswer(c, answerOf(200, { payment }));
  });

  api.get('/v2/payments', (c) => {
    const query = c.req.query();
    const { page, cursor } = pageOf(inTimeOrder(store.payments.values(), query), query);
    return sendAnswer(c, answerOf(200, page.length > 0 ? { payments: page, ...(cursor ? { cursor } : {}) } : {}));
  });

  api.post('/v2/customers', async (c) => {
    const body = await readJson(c, createCustomerSchema);
    if (!body.ok) return sendAnswer(c, body.answer);
    const request = body.value;
    const create = () => {
      if (!request.given_name && !request.family_name && !request.email_address) {
        return invalidRequest('MISSING_REQUIRED_PARAMETER', 'At least one name or contact field is required.');
      }
      const customer = store.createCustomer({
        email: request.email_address,
        givenName: request.given_name,
        familyName: request.family_name,
      });
      return answerOf(200, { customer });
    };
    const key = request.idempotency_key;
    return sendAnswer(c, key ? store.idempotent('customers', key, body.fingerprint, create) : create());
  });

  api.get('/v2/customers/:id', (c) => {
    const customer = store.customers.get(c.req.param('id'));
    if (!customer) return sendAnswer(c, notFound(`Customer with ID \`${c.req.param('id')}\` not found.`));
    return sendAnswer(c, answerOf(200, { customer }));
  });

  api.post('/v2/customers/search', async (c) => {
    const body = await readJson(c, searchCustomersSchema);
    if (!body.ok) return sendAnswer(c, body.answer);
    const filter = body.value.query?.filter?.email_address;
    const exact = filter?.exact?.toLowerCase();
    const fuzzy = filter?.fuzzy?.toLowerCase();
    const matches = [...store.customers.values()].filter((customer) => {
      const email = customer.email_address?.toLowerCase();
      if (exact !== undefined) return email === exact;
      if (fuzzy !== undefined) return email?.includes(fuzzy) ?? false;
      return true;
    });
    const limit = body.value.limit === undefined ? undefined : String(body.value.limit);
    const { page, cursor } = pageOf(matches, { cursor: body.value.cursor, limit });
    return sendAnswer(c, answerOf(200, page.length > 0 ? { customers: page, ...(cursor ? { cursor } : {}) } : {}));
  });

  return api;
}
