import type { GatewayPayment } from '../../ports/payment-gateway.js';
import type { StripeClientSlice } from './stripe-client.js';
import { toGatewayError } from './stripe-errors.js';
import { chargeToPayment } from './stripe-mapping.js';
import type { StripeCustomerSlice } from './stripe-objects.js';

/** Beyond this many customers for one email we stop: the list is for a person, not an export. */
const MAX_CUSTOMERS = 25;

/** Stripe search strings are single-quoted; quotes and backslashes inside are escaped with a backslash. */
function searchLiteral(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/**
 * Customers with this email: `customers.list({email})` is exact and strongly consistent but
 * case-sensitive; `customers.search` is case-insensitive but eventually consistent (and not offered
 * to accounts in India), so its failure only narrows the result.
 */
async function customersByEmail(stripe: StripeClientSlice, email: string): Promise<StripeCustomerSlice[]> {
  const [listed, searched] = await Promise.all([
    stripe.customers.list({ email, limit: 100 }),
    stripe.customers.search({ query: `email:${searchLiteral(email)}`, limit: 100 }).catch((error: unknown) => {
      const mapped = toGatewayError(error);
      if (mapped.code === 'invalid_request' || mapped.code === 'not_found') return { data: [], has_more: false };
      throw error;
    }),
  ]);
  const byId = new Map<string, StripeCustomerSlice>();
  for (const customer of [...listed.data, ...searched.data]) byId.set(customer.id, customer);
  return [...byId.values()].slice(0, MAX_CUSTOMERS);
}

/**
 * A person's captured payments, newest first: their Customer objects, then each customer's charges
 * (one charge per PaymentIntent; the intent id is the reference). Guest payments made without a
 * Customer are not found: Stripe offers no email lookup across charges.
 */
export async function findStripePayments(stripe: StripeClientSlice, email: string): Promise<GatewayPayment[]> {
  const customers = await customersByEmail(stripe, email);
  const perCustomer = await Promise.all(
    customers.map(async (customer) => {
      const charges = await stripe.charges.list({ customer: customer.id, limit: 100 });
      return charges.data
        .filter((charge) => charge.status === 'succeeded' && charge.captured)
        .map((charge) => chargeToPayment(charge, customer));
    }),
  );
  const byRef = new Map<string, GatewayPayment>();
  for (const payment of perCustomer.flat()) byRef.set(payment.paymentRef, payment);
  return [...byRef.values()].sort((a, b) => b.capturedAt.getTime() - a.capturedAt.getTime());
}
