import Stripe from 'stripe';
import type { GatewayRefundReason } from '../../ports/payment-gateway.js';
import { ReportClosedConnectionHttpClient } from './stripe-http-client.js';
import type {
  StripeChargeSlice,
  StripeCustomerSlice,
  StripeListSlice,
  StripePaymentIntentSlice,
  StripeRefundSlice,
} from './stripe-objects.js';

interface Page {
  readonly limit: number;
  readonly starting_after?: string;
}

/** The slice of the official SDK the adapter calls; the SDK's own types stop here. */
export interface StripeClientSlice {
  readonly refunds: {
    create(
      params: {
        charge?: string;
        payment_intent?: string;
        amount: number;
        reason: GatewayRefundReason;
        metadata: Record<string, string>;
      },
      options: { idempotencyKey: string },
    ): Promise<StripeRefundSlice>;
    retrieve(id: string): Promise<StripeRefundSlice>;
    list(params: Page & { charge?: string; payment_intent?: string }): Promise<StripeListSlice<StripeRefundSlice>>;
  };
  readonly charges: {
    retrieve(id: string, params?: { expand: string[] }): Promise<StripeChargeSlice>;
    list(params: Page & { customer?: string; created?: { gte: number } }): Promise<StripeListSlice<StripeChargeSlice>>;
  };
  readonly paymentIntents: {
    retrieve(id: string, params?: { expand: string[] }): Promise<StripePaymentIntentSlice>;
  };
  readonly customers: {
    retrieve(id: string): Promise<StripeCustomerSlice>;
    list(params: Page & { email: string }): Promise<StripeListSlice<StripeCustomerSlice>>;
    search(params: { query: string; limit: number }): Promise<StripeListSlice<StripeCustomerSlice>>;
  };
}

export interface StripeClientOptions {
  readonly secretKey: string;
  readonly baseUrl: URL;
  readonly timeoutMs: number;
}

/** The official SDK pointed at `baseUrl`, without its own retries (our engine owns retries). */
export function createStripeClient(options: StripeClientOptions): StripeClientSlice {
  const protocol = options.baseUrl.protocol === 'http:' ? 'http' : 'https';
  const stripe = new Stripe(options.secretKey, {
    host: options.baseUrl.hostname,
    port: options.baseUrl.port || (protocol === 'http' ? 80 : 443),
    protocol,
    maxNetworkRetries: 0,
    timeout: options.timeoutMs,
    telemetry: false,
    httpClient: new ReportClosedConnectionHttpClient(),
    appInfo: { name: 'refund-desk' },
  });
  const refunds: StripeClientSlice['refunds'] = stripe.refunds;
  const charges: StripeClientSlice['charges'] = stripe.charges;
  const paymentIntents: StripeClientSlice['paymentIntents'] = stripe.paymentIntents;
  const customers: StripeClientSlice['customers'] = stripe.customers;
  return { refunds, charges, paymentIntents, customers };
}
