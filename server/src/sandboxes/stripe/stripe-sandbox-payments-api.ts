import type { Hono } from 'hono';
import { listParam, recordParam, stringParam } from '../../connectors/stripe/stripe-form.js';
import { cardForTestInstrument } from './stripe-sandbox-cards.js';
import { resourceMissing, StripeSandboxFailure } from './stripe-sandbox-errors.js';
import type { StripeSandboxLedger } from './stripe-sandbox-ledger.js';
import {
  bodyParams,
  currencyParam,
  positiveInteger,
  queryParams,
  renderList,
  requiredString,
} from './stripe-sandbox-params.js';

/** Parses the one search the sandbox supports, `email:'…'` (or double quotes), as Stripe's query language writes it. */
function emailFromSearchQuery(query: string): string {
  const match = /^\s*email\s*:\s*(['"])((?:\\.|(?!\1).)*)\1\s*$/.exec(query);
  if (!match?.[2]) {
    throw new StripeSandboxFailure(400, 'invalid_request_error', `The sandbox only supports email:'…' queries.`, {
      param: 'query',
    });
  }
  return match[2].replace(/\\(.)/g, '$1');
}

/** `/v1/customers`, `/v1/charges`, `/v1/payment_intents`: creation with test tokens, retrieval, lists, search. */
export function mountStripePaymentsApi(app: Hono, ledger: StripeSandboxLedger): void {
  const { store } = ledger;

  app.post('/v1/customers', async (c) => {
    const params = await bodyParams(c);
    const customer = ledger.createCustomer({
      email: stringParam(params, 'email') ?? null,
      name: stringParam(params, 'name') ?? null,
      metadata: recordParam(params, 'metadata'),
    });
    return c.json(store.renderCustomer(customer));
  });

  app.get('/v1/customers/search', (c) => {
    const params = queryParams(c);
    const email = emailFromSearchQuery(requiredString(params, 'query')).toLowerCase();
    const matches = [...store.customers.values()]
      .filter((customer) => customer.email?.toLowerCase() === email)
      .sort((a, b) => b.seq - a.seq)
      .map((customer) => store.renderCustomer(customer));
    const list = renderList('/v1/customers/search', matches, params);
    return c.json({ ...list, object: 'search_result', next_page: null });
  });

  app.get('/v1/customers', (c) => {
    const params = queryParams(c);
    const email = stringParam(params, 'email');
    const customers = [...store.customers.values()]
      .filter((customer) => email === undefined || customer.email === email)
      .sort((a, b) => b.seq - a.seq)
      .map((customer) => store.renderCustomer(customer));
    return c.json(renderList('/v1/customers', customers, params));
  });

  app.get('/v1/customers/:id', (c) => {
    const customer = store.customers.get(c.req.param('id'));
    if (!customer) throw resourceMissing('customer', c.req.param('id'));
    return c.json(store.renderCustomer(customer));
  });

  app.post('/v1/charges', async (c) => {
    const params = await bodyParams(c);
    const source = requiredString(params, 'source');
    const card = cardForTestInstrument(source);
    if (!card) throw resourceMissing('token', source, 'source');
    const charge = ledger.createCharge({
      amount: positiveInteger(params, 'amount') ?? Number(requiredString(params, 'amount')),
      currency: currencyParam(params),
      customer: stringParam(params, 'customer') ?? null,
      card,
      receiptEmail: stringParam(params, 'receipt_email') ?? null,
      metadata: recordParam(params, 'metadata'),
    });
    return c.json(store.renderCharge(charge));
  });

  app.get('/v1/charges', (c) => {
    const params = queryParams(c);
    const customer = stringParam(params, 'customer');
    const paymentIntent = stringParam(params, 'payment_intent');
    const charges = [...store.charges.values()]
      .filter((charge) => customer === undefined || charge.customer === customer)
      .filter((charge) => paymentIntent === undefined || charge.paymentIntent === paymentIntent)
      .sort((a, b) => b.seq - a.seq)
      .map((charge) => store.renderCharge(charge, listParam(params, 'expand')));
    return c.json(renderList('/v1/charges', charges, params));
  });

  app.get('/v1/charges/:id', (c) => {
    const charge = store.charges.get(c.req.param('id'));
    if (!charge) throw resourceMissing('charge', c.req.param('id'));
    return c.json(store.renderCharge(charge, listParam(queryParams(c), 'expand')));
  });

  app.post('/v1/payment_intents', async (c) => {
    const params = await bodyParams(c);
    const paymentMethod = requiredString(params, 'payment_method');
    const card = cardForTestInstrument(paymentMethod);
    if (!card) throw resourceMissing('PaymentMethod', paymentMethod, 'payment_method');
    if (stringParam(params, 'confirm') !== 'true') {
      // A sandbox limitation: intents are created already confirmed and captured.
      throw new StripeSandboxFailure(400, 'invalid_request_error', 'The sandbox only supports confirm=true.', {
        param: 'confirm',
      });
    }
    const intent = ledger.createPaymentIntent({
      amount: positiveInteger(params, 'amount') ?? Number(requiredString(params, 'amount')),
      currency: currencyParam(params),
      customer: stringParam(params, 'customer') ?? null,
      card,
      paymentMethod,
      receiptEmail: stringParam(params, 'receipt_email') ?? null,
      metadata: recordParam(params, 'metadata'),
    });
    return c.json(store.renderPaymentIntent(intent, listParam(params, 'expand')));
  });

  app.get('/v1/payment_intents', (c) => {
    const params = queryParams(c);
    const customer = stringParam(params, 'customer');
    const intents = [...store.paymentIntents.values()]
      .filter((intent) => customer === undefined || store.charges.get(intent.chargeId)?.customer === customer)
      .sort((a, b) => b.seq - a.seq)
      .map((intent) => store.renderPaymentIntent(intent));
    return c.json(renderList('/v1/payment_intents', intents, params));
  });

  app.get('/v1/payment_intents/:id', (c) => {
    const intent = store.paymentIntents.get(c.req.param('id'));
    if (!intent) throw resourceMissing('payment_intent', c.req.param('id'), 'intent');
    return c.json(store.renderPaymentIntent(intent, listParam(queryParams(c), 'expand')));
  });
}
