/**
 * Stripe adapter for the PaymentGateway port, through the official SDK.
 *
 * findPayments gap: Stripe can look a person up only through Customer objects (exact `list` by
 * email plus case-insensitive, eventually consistent `search`). Guest payments made without a
 * Customer, or with a different email on the Customer, cannot be found by email.
 */
import type { GatewayPayment, GatewayRefund, PaymentGateway, RefundInput } from '../../ports/payment-gateway.js';
import { GatewayError } from '../../ports/payment-gateway.js';
import { toStripeAmount } from './stripe-amounts.js';
import { createStripeClient, type StripeClientSlice } from './stripe-client.js';
import { toGatewayError } from './stripe-errors.js';
import { findStripePayments } from './stripe-find-payments.js';
import { listStripePayments } from './stripe-list-payments.js';
import { chargeToPayment, paymentIntentToPayment, toGatewayRefund } from './stripe-mapping.js';

export interface StripeGatewayConfig {
  /** Secret (`sk_…`) or restricted (`rk_…`) API key. */
  readonly secretKey: string;
  /** API origin; default `https://api.stripe.com`. Tests point it at the sandbox. */
  readonly baseUrl?: string;
  /** Per-call timeout; default 15 000 ms. */
  readonly timeoutMs?: number;
}

/** Our metadata key for the attempt's idempotency key, so an unknown outcome can be matched later. */
export const IDEMPOTENCY_METADATA_KEY = 'refund_desk_idempotency_key';

function invalid(message: string): GatewayError {
  return new GatewayError('invalid_request', message, { gateway: 'stripe' });
}

function parseConfig(config: StripeGatewayConfig): { secretKey: string; baseUrl: URL; timeoutMs: number } {
  if (typeof config.secretKey !== 'string' || !/^(sk|rk)_[A-Za-z0-9_]+$/.test(config.secretKey)) {
    throw new Error('createStripeGateway: secretKey must be a Stripe secret (sk_…) or restricted (rk_…) key');
  }
  let baseUrl: URL;
  try {
    baseUrl = new URL(config.baseUrl ?? 'https://api.stripe.com');
  } catch {
    throw new Error(`createStripeGateway: baseUrl "${config.baseUrl}" is not a URL`);
  }
  if (!['http:', 'https:'].includes(baseUrl.protocol) || baseUrl.pathname !== '/' || baseUrl.search) {
    throw new Error(`createStripeGateway: baseUrl must be an http(s) origin without a path, got "${config.baseUrl}"`);
  }
  const timeoutMs = config.timeoutMs ?? 15_000;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 600_000) {
    throw new Error(`createStripeGateway: timeoutMs must be an integer from 1 to 600000, got ${config.timeoutMs}`);
  }
  return { secretKey: config.secretKey, baseUrl, timeoutMs };
}

/** Which refund parameter names the payment: a PaymentIntent or a Charge. */
function paymentTarget(paymentRef: string): { payment_intent: string } | { charge: string } {
  if (paymentRef.startsWith('pi_')) return { payment_intent: paymentRef };
  if (paymentRef.startsWith('ch_') || paymentRef.startsWith('py_')) return { charge: paymentRef };
  throw invalid(`paymentRef must be a Stripe payment intent (pi_…) or charge (ch_…), got "${paymentRef}"`);
}

/** Stripe's limits on metadata: 50 keys, keys up to 40 characters, values up to 500. */
function refundMetadata(input: RefundInput): Record<string, string> {
  const metadata = { ...input.metadata, [IDEMPOTENCY_METADATA_KEY]: input.idempotencyKey };
  const entries = Object.entries(metadata);
  if (entries.length > 50) throw invalid('Stripe allows at most 50 metadata keys');
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > 40 || key.includes('[') || key.includes(']')) {
      throw invalid(`metadata key "${key}" must be 1–40 characters without square brackets`);
    }
    if (value.length > 500) throw invalid(`metadata value for "${key}" is longer than 500 characters`);
  }
  return metadata;
}

async function callStripe<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toGatewayError(error);
  }
}

/** The Stripe PaymentGateway; throws at construction when the configuration is unusable. */
export function createStripeGateway(config: StripeGatewayConfig): PaymentGateway {
  const stripe: StripeClientSlice = createStripeClient(parseConfig(config));

  async function getPayment(input: { readonly paymentRef: string }): Promise<GatewayPayment> {
    const target = paymentTarget(input.paymentRef);
    if ('payment_intent' in target) {
      const intent = await callStripe(() =>
        stripe.paymentIntents.retrieve(target.payment_intent, { expand: ['latest_charge', 'customer'] }),
      );
      return paymentIntentToPayment(intent);
    }
    const charge = await callStripe(() => stripe.charges.retrieve(target.charge, { expand: ['customer'] }));
    return { ...chargeToPayment(charge), paymentRef: input.paymentRef };
  }

  return {
    name: 'stripe',

    async refund(input: RefundInput): Promise<GatewayRefund> {
      if (input.idempotencyKey.length === 0 || input.idempotencyKey.length > 255) {
        throw invalid('Stripe idempotency keys are 1–255 characters');
      }
      if (input.amount.amount <= 0) throw invalid('a refund amount must be positive');
      const target = paymentTarget(input.paymentRef);
      const params = {
        ...target,
        amount: toStripeAmount(input.amount),
        reason: input.reason,
        metadata: refundMetadata(input),
      };
      // Stripe takes no currency on a refund: read the payment's so a JPY amount never refunds a USD charge.
      const payment = await getPayment(input);
      if (payment.amount.currency !== input.amount.currency) {
        throw invalid(`refund in ${input.amount.currency} for a ${payment.amount.currency} payment`);
      }
      const refund = await callStripe(() => stripe.refunds.create(params, { idempotencyKey: input.idempotencyKey }));
      return toGatewayRefund(refund, input.paymentRef);
    },

    async getRefund(input) {
      return toGatewayRefund(await callStripe(() => stripe.refunds.retrieve(input.gatewayRefundId)));
    },

    async listRefunds(input) {
      const target = paymentTarget(input.paymentRef);
      const refunds: GatewayRefund[] = [];
      let startingAfter: string | undefined;
      // Bounded: ten pages of 100 is far beyond the refunds one payment can carry in practice.
      for (let page = 0; page < 10; page++) {
        const cursor = startingAfter === undefined ? {} : { starting_after: startingAfter };
        const list = await callStripe(() => stripe.refunds.list({ ...target, limit: 100, ...cursor }));
        refunds.push(...list.data.map((refund) => toGatewayRefund(refund, input.paymentRef)));
        startingAfter = list.data.at(-1)?.id;
        if (!list.has_more || startingAfter === undefined) break;
      }
      return { refunds };
    },

    getPayment,

    async findPayments(input) {
      const email = input.email.trim();
      if (!email.includes('@')) throw invalid(`"${input.email}" is not an email address`);
      return { payments: await callStripe(() => findStripePayments(stripe, email)) };
    },

    async listPayments(input) {
      if (Number.isNaN(input.since.getTime())) throw invalid('listPayments needs a valid since date');
      return callStripe(() => listStripePayments(stripe, input));
    },
  };
}
