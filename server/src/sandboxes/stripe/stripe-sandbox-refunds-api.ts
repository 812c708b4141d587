import type { Hono } from 'hono';
import { recordParam, stringParam } from '../../connectors/stripe/stripe-form.js';
import { parameterMissing, resourceMissing, StripeSandboxFailure } from './stripe-sandbox-errors.js';
import { type EndpointFault, nodeSocketOf } from './stripe-sandbox-faults.js';
import type { StripeSandboxLedger } from './stripe-sandbox-ledger.js';
import { bodyParams, positiveInteger, queryParams, renderList } from './stripe-sandbox-params.js';

/** `/v1/refunds`: create (by charge or payment intent), retrieve, list by charge or payment intent. */
export function mountStripeRefundsApi(
  app: Hono,
  ledger: StripeSandboxLedger,
  endpointFaults: WeakMap<Request, EndpointFault>,
): void {
  const { store } = ledger;

  function chargeIdFor(charge: string | undefined, paymentIntent: string | undefined): string {
    if (charge) return charge;
    if (!paymentIntent) throw parameterMissing('charge');
    const intent = store.paymentIntents.get(paymentIntent);
    if (!intent) throw resourceMissing('payment_intent', paymentIntent, 'payment_intent');
    return intent.chargeId;
  }

  app.post('/v1/refunds', async (c) => {
    const params = await bodyParams(c);
    const fault = endpointFaults.get(c.req.raw);
    if (fault?.kind === 'http_500') {
      throw new StripeSandboxFailure(
        500,
        'api_error',
        "Sorry, something went wrong. We've already been notified of the problem, but if you need any help, you can reach us at support.stripe.com/contact.",
      );
    }
    const refund = ledger.createRefund({
      chargeId: chargeIdFor(stringParam(params, 'charge'), stringParam(params, 'payment_intent')),
      amount: positiveInteger(params, 'amount'),
      reason: stringParam(params, 'reason'),
      metadata: recordParam(params, 'metadata'),
      forcePending: fault?.kind === 'pending',
    });
    const response = c.json(store.renderRefund(refund));
    // Applied and saved for the idempotency key, but the answer never reaches the client.
    if (fault?.kind === 'drop_response') nodeSocketOf(c)?.destroy();
    return response;
  });

  app.get('/v1/refunds', (c) => {
    const params = queryParams(c);
    const charge = stringParam(params, 'charge');
    const paymentIntent = stringParam(params, 'payment_intent');
    const chargeId = charge || paymentIntent ? chargeIdFor(charge, paymentIntent) : undefined;
    const refunds = [...store.refunds.values()]
      .filter((refund) => chargeId === undefined || refund.chargeId === chargeId)
      .sort((a, b) => b.seq - a.seq)
      .map((refund) => store.renderRefund(refund));
    return c.json(renderList('/v1/refunds', refunds, params));
  });

  app.get('/v1/refunds/:id', (c) => {
    const refund = store.refunds.get(c.req.param('id'));
    if (!refund) throw resourceMissing('refund', c.req.param('id'), 'refund');
    return c.json(store.renderRefund(refund));
  });
}
