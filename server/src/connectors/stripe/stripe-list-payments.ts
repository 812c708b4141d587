import type { ListPaymentsInput, PaymentPage } from '../../ports/payment-gateway.js';
import type { StripeClientSlice } from './stripe-client.js';
import { toGatewayError } from './stripe-errors.js';
import { chargeToPayment } from './stripe-mapping.js';
import { idOf, type StripeCustomerSlice } from './stripe-objects.js';

const PAGE_SIZE = 100;

/**
 * One page of charges created since `since`, newest first (Stripe's order), as payments with their
 * Customer's email and name (one `customers.retrieve` per customer on the page). The cursor is the last
 * charge id (`starting_after`); paging stops at the first charge older than `since`, so the result is the
 * same whether or not the API applied the `created` filter.
 */
export async function listStripePayments(stripe: StripeClientSlice, input: ListPaymentsInput): Promise<PaymentPage> {
  const sinceSeconds = Math.floor(input.since.getTime() / 1000);
  const list = await stripe.charges.list({
    limit: PAGE_SIZE,
    created: { gte: sinceSeconds },
    ...(input.cursor ? { starting_after: input.cursor } : {}),
  });
  const recent = list.data.filter((charge) => charge.created >= sinceSeconds);
  const customers = new Map<string, Promise<StripeCustomerSlice | undefined>>();
  const customerOf = (id: string) => {
    let found = customers.get(id);
    if (!found) {
      found = stripe.customers.retrieve(id).then(
        (customer) => (customer.deleted ? undefined : customer),
        (error: unknown) => {
          if (toGatewayError(error).code === 'not_found') return undefined;
          throw error;
        },
      );
      customers.set(id, found);
    }
    return found;
  };
  const payments = await Promise.all(
    recent
      .filter((charge) => charge.status === 'succeeded' && charge.captured)
      .map(async (charge) => {
        const customerId = idOf(charge.customer);
        const customer = customerId ? await customerOf(customerId) : undefined;
        return chargeToPayment(charge, customer ?? null);
      }),
  );
  const last = list.data.at(-1)?.id;
  const isDone = !list.has_more || last === undefined || recent.length < list.data.length;
  return { payments, nextCursor: isDone ? undefined : last };
}
