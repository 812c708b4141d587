import Stripe from 'stripe';
import { type RunningSandbox, startSandboxServer } from '../../sandboxes/sandbox-server.js';
import {
  createStripeSandbox,
  type StripeSandbox,
  type StripeSandboxOptions,
} from '../../sandboxes/stripe/stripe-sandbox.js';

/** The key test sandboxes accept. */
export const TEST_SECRET_KEY = 'sk_test_refunddesk_sandbox';

export interface RunningStripeSandbox {
  readonly sandbox: StripeSandbox;
  readonly server: RunningSandbox;
  /** The official SDK pointed at the sandbox, retries off. */
  readonly stripe: Stripe;
}

/** Starts a sandbox on a loopback port with the official SDK aimed at it (tests and the bench). */
export async function startStripeSandbox(options: StripeSandboxOptions = {}): Promise<RunningStripeSandbox> {
  const sandbox = createStripeSandbox({ credentials: { secretKey: TEST_SECRET_KEY }, ...options });
  const server = await startSandboxServer(sandbox.app);
  return { sandbox, server, stripe: sdkFor(server.url) };
}

/** An official SDK client for a sandbox URL. */
export function sdkFor(url: string, secretKey = TEST_SECRET_KEY, timeoutMs = 2_000): Stripe {
  const { hostname, port } = new URL(url);
  return new Stripe(secretKey, { host: hostname, port, protocol: 'http', maxNetworkRetries: 0, timeout: timeoutMs });
}

/** A customer with a captured PaymentIntent paid with a Stripe test PaymentMethod. */
export async function payWithPaymentIntent(
  stripe: Stripe,
  input: { amount: number; currency: string; email: string; paymentMethod?: string },
): Promise<{ customerId: string; paymentIntentId: string; chargeId: string }> {
  const customer = await stripe.customers.create({ email: input.email, name: 'Test Customer' });
  const intent = await stripe.paymentIntents.create({
    amount: input.amount,
    currency: input.currency,
    customer: customer.id,
    payment_method: input.paymentMethod ?? 'pm_card_visa',
    confirm: true,
  });
  const chargeId = typeof intent.latest_charge === 'string' ? intent.latest_charge : (intent.latest_charge?.id ?? '');
  return { customerId: customer.id, paymentIntentId: intent.id, chargeId };
}
