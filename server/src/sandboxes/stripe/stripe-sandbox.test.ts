import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  payWithPaymentIntent,
  type RunningStripeSandbox,
  sdkFor,
  startStripeSandbox,
} from '../../connectors/stripe/stripe-testing.js';

let running: RunningStripeSandbox;
let stripe: Stripe;

beforeAll(async () => {
  running = await startStripeSandbox();
  stripe = running.stripe;
});
afterAll(() => running.server.close());

async function expectStripeError(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Stripe.errors.StripeError;
}

describe('Stripe sandbox through the official SDK', () => {
  it('creates a charge with tok_visa and reports card facts under payment_method_details', async () => {
    const customer = await stripe.customers.create({ email: 'ada@example.com' });
    const charge = await stripe.charges.create({
      amount: 2500,
      currency: 'usd',
      source: 'tok_visa_debit',
      customer: customer.id,
    });
    expect(charge.object).toBe('charge');
    expect(charge.id).toMatch(/^ch_/);
    expect(charge.payment_method_details?.card).toMatchObject({ brand: 'visa', last4: '5556', funding: 'debit' });
    expect(charge.lastResponse.requestId).toMatch(/^req_/);
    const listed = await stripe.charges.list({ customer: customer.id });
    expect(listed.data.map((each) => each.id)).toEqual([charge.id]);
  });

  it('confirms a payment intent with pm_card_visa and expands latest_charge', async () => {
    const paid = await payWithPaymentIntent(stripe, { amount: 1999, currency: 'eur', email: 'bob@example.com' });
    const intent = await stripe.paymentIntents.retrieve(paid.paymentIntentId, { expand: ['latest_charge'] });
    expect(intent.status).toBe('succeeded');
    expect(typeof intent.latest_charge === 'object' && intent.latest_charge?.amount).toBe(1999);
  });

  it('finds customers by email with search, case-insensitively', async () => {
    const customer = await stripe.customers.create({ email: 'Search.Me@example.com' });
    const found = await stripe.customers.search({ query: "email:'search.me@example.com'" });
    expect(found.data.map((each) => each.id)).toEqual([customer.id]);
  });

  it('refunds partially several times, then refuses over-refunds and fully refunded charges', async () => {
    const paid = await payWithPaymentIntent(stripe, { amount: 1000, currency: 'usd', email: 'partial@example.com' });
    const first = await stripe.refunds.create({
      payment_intent: paid.paymentIntentId,
      amount: 300,
      metadata: { case_id: 'c1' },
    });
    const second = await stripe.refunds.create({ charge: paid.chargeId, amount: 200, reason: 'duplicate' });
    expect(first).toMatchObject({ object: 'refund', status: 'succeeded', amount: 300, metadata: { case_id: 'c1' } });
    expect(second).toMatchObject({ charge: paid.chargeId, payment_intent: paid.paymentIntentId, reason: 'duplicate' });
    const tooMuch = await expectStripeError(stripe.refunds.create({ charge: paid.chargeId, amount: 501 }));
    expect(tooMuch).toMatchObject({ type: 'StripeInvalidRequestError', code: 'amount_too_large', statusCode: 400 });
    const rest = await stripe.refunds.create({ charge: paid.chargeId });
    expect(rest.amount).toBe(500);
    const again = await expectStripeError(stripe.refunds.create({ charge: paid.chargeId, amount: 1 }));
    expect(again.code).toBe('charge_already_refunded');
    const listed = await stripe.refunds.list({ payment_intent: paid.paymentIntentId });
    expect(listed.data.map((each) => each.id)).toEqual([rest.id, second.id, first.id]);
    const charge = await stripe.charges.retrieve(paid.chargeId);
    expect(charge).toMatchObject({ amount_refunded: 1000, refunded: true });
  });

  it('replays the first result for a repeated idempotency key and refuses other parameters', async () => {
    const paid = await payWithPaymentIntent(stripe, { amount: 800, currency: 'usd', email: 'idem@example.com' });
    const first = await stripe.refunds.create({ charge: paid.chargeId, amount: 100 }, { idempotencyKey: 'key-1' });
    const replay = await stripe.refunds.create({ charge: paid.chargeId, amount: 100 }, { idempotencyKey: 'key-1' });
    expect(replay.id).toBe(first.id);
    expect((replay.lastResponse.headers as Record<string, string>)['idempotent-replayed']).toBe('true');
    expect(running.sandbox.refundsOf(paid.chargeId)).toHaveLength(1);
    const conflict = await expectStripeError(
      stripe.refunds.create({ charge: paid.chargeId, amount: 150 }, { idempotencyKey: 'key-1' }),
    );
    expect(conflict).toMatchObject({ type: 'StripeIdempotencyError', statusCode: 400 });
    const failed = await expectStripeError(
      stripe.refunds.create({ charge: paid.chargeId, amount: 5000 }, { idempotencyKey: 'key-2' }),
    );
    const failedAgain = await expectStripeError(
      stripe.refunds.create({ charge: paid.chargeId, amount: 5000 }, { idempotencyKey: 'key-2' }),
    );
    expect(failedAgain.message).toBe(failed.message);
    expect(failedAgain.headers?.['idempotent-replayed']).toBe('true');
  });

  it('answers 401 with Stripe’s body when the key is wrong, and 404 resource_missing for unknown ids', async () => {
    const wrong = await expectStripeError(sdkFor(running.server.url, 'sk_test_wrong_key_123').customers.create({}));
    expect(wrong).toMatchObject({ type: 'StripeAuthenticationError', statusCode: 401 });
    expect(wrong.message).toMatch(/^Invalid API Key provided: sk_test_\*+_123$/);
    const missing = await expectStripeError(stripe.refunds.retrieve('re_missing'));
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    const token = await expectStripeError(stripe.charges.create({ amount: 100, currency: 'usd', source: 'tok_nope' }));
    expect(token).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'source' });
  });
});
