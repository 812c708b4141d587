import { randomUUID } from 'node:crypto';
import { CheckoutPaymentIntent, OrdersController } from '@paypal/paypal-server-sdk';
import {
  createPayPalSandbox,
  type PayPalSandbox,
  type PayPalSandboxOptions,
} from '../../sandboxes/paypal/paypal-sandbox.js';
import { type RunningSandbox, startSandboxServer } from '../../sandboxes/sandbox-server.js';
import { createPayPalClient } from './paypal-client.js';

/** Sandbox credentials the tests use; the sandbox refuses anything else. */
export const TEST_CREDENTIALS = { clientId: 'AZ-test-client-id', clientSecret: 'EO-test-client-secret' } as const;

/** A visa number PayPal's sandbox accepts for card payments (the generic 4111… test number). */
export const TEST_CARD = { number: '4111111111111111', expiry: '2030-12', securityCode: '123' } as const;

export interface PayPalFixture {
  readonly sandbox: PayPalSandbox;
  readonly server: RunningSandbox;
  /** Pays with a card through the official SDK (create order with a card source, then capture); returns the capture id. */
  payByCard(input: { value: string; currency: string; name?: string }): Promise<string>;
}

/** Starts a PayPal sandbox on loopback with the test credentials. */
export async function startPayPalFixture(options: PayPalSandboxOptions = {}): Promise<PayPalFixture> {
  const sandbox = createPayPalSandbox({ credentials: TEST_CREDENTIALS, ...options });
  const server = await startSandboxServer(sandbox.app);
  const { client } = createPayPalClient({
    ...TEST_CREDENTIALS,
    baseUrl: server.url,
    environment: 'sandbox',
    timeoutMs: 5_000,
  });
  const orders = new OrdersController(client);
  return {
    sandbox,
    server,
    async payByCard({ value, currency, name = 'Ada Lovelace' }) {
      const { result: order } = await orders.createOrder({
        paypalRequestId: randomUUID(),
        body: {
          intent: CheckoutPaymentIntent.Capture,
          purchaseUnits: [{ amount: { currencyCode: currency, value } }],
          paymentSource: { card: { ...TEST_CARD, name } },
        },
      });
      const { result: captured } = await orders.captureOrder({ id: order.id ?? '', paypalRequestId: randomUUID() });
      const captureId = captured.purchaseUnits?.[0]?.payments?.captures?.[0]?.id;
      if (!captureId) throw new Error('the sandbox order has no capture');
      return captureId;
    },
  };
}
