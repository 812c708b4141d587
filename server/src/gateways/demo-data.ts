import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { upsertPayment } from '../ledger/payments.js';
import type { Logger } from '../logger.js';
import { money } from '../money/money.js';
import type { SandboxPaymentKind } from '../sandboxes/gateway-sandbox.js';
import { GATEWAY_VENDORS, type GatewayVendor } from './gateway-credentials.js';
import type { GatewayRegistry } from './gateway-registry.js';
import type { SandboxHandle } from './gateway-setup.js';

interface DemoPayment {
  readonly name: string;
  readonly email: string;
  readonly amount: number;
  readonly currency: string;
  readonly kind: SandboxPaymentKind;
}

/** A few customers per gateway: ordinary cards in USD/EUR/JPY, a card whose refunds fail, and (Square) an Interac debit. */
const DEMO_PAYMENTS: Readonly<Record<GatewayVendor, readonly DemoPayment[]>> = {
  stripe: [
    { name: 'Ada Lovelace', email: 'ada@example.com', amount: 12_500, currency: 'USD', kind: 'card' },
    { name: 'Grace Hopper', email: 'grace@example.com', amount: 8_900, currency: 'EUR', kind: 'card' },
    { name: 'Alan Turing', email: 'alan@example.com', amount: 4_200, currency: 'USD', kind: 'card_refund_fails' },
  ],
  paypal: [
    { name: 'Katherine Johnson', email: 'katherine@example.com', amount: 15_000, currency: 'USD', kind: 'card' },
    { name: 'Hedy Lamarr', email: 'hedy@example.com', amount: 6_400, currency: 'EUR', kind: 'card' },
    { name: 'Yukihiro Matsumoto', email: 'matz@example.com', amount: 9_800, currency: 'JPY', kind: 'card' },
  ],
  square: [
    { name: 'Margaret Hamilton', email: 'margaret@example.com', amount: 7_500, currency: 'USD', kind: 'card' },
    { name: 'Donald Knuth', email: 'donald@example.com', amount: 3_000, currency: 'JPY', kind: 'card' },
    { name: 'Joan Clarke', email: 'joan@example.com', amount: 5_600, currency: 'USD', kind: 'card_refund_fails' },
    { name: 'Tim Berners-Lee', email: 'tim@example.com', amount: 2_500, currency: 'CAD', kind: 'debit_card_present' },
  ],
};

/**
 * First start with DEMO_DATA: captured payments created IN each sandboxed gateway and recorded in the
 * ledger (source 'demo') with the customer and the method facts read back through the adapter, so the
 * ledger shows exactly what the gateway holds. Vendors on live credentials are never touched.
 */
export async function seedDemoPayments(input: {
  readonly db: Kysely<Database>;
  readonly orgId: string;
  readonly registry: GatewayRegistry;
  readonly sandboxes: Readonly<Partial<Record<GatewayVendor, SandboxHandle>>>;
  readonly logger: Logger;
}): Promise<number> {
  let seeded = 0;
  for (const vendor of GATEWAY_VENDORS) {
    const handle = input.sandboxes[vendor];
    if (!handle) continue;
    const gateway = input.registry.forPayment(input.orgId, vendor);
    for (const demo of DEMO_PAYMENTS[vendor]) {
      const { paymentRef } = await handle.sandbox.createPayment({
        amount: money(demo.amount, demo.currency),
        email: demo.email,
        name: demo.name,
        kind: demo.kind,
      });
      const payment = await gateway.getPayment({ paymentRef });
      await input.db.transaction().execute((trx) =>
        upsertPayment(trx, input.orgId, {
          gateway: vendor,
          gatewayPaymentId: paymentRef,
          amount: payment.amount,
          status: payment.status === 'refunded' ? 'captured' : payment.status,
          capturedAt: payment.capturedAt,
          method: payment.method,
          description: `Demo payment (${demo.kind.replaceAll('_', ' ')})`,
          customer: { name: payment.customerName ?? demo.name, email: payment.customerEmail ?? demo.email },
          source: 'demo',
        }),
      );
      seeded++;
    }
  }
  input.logger.info({ payments: seeded }, 'demo payments created in the sandboxes and recorded in the ledger');
  return seeded;
}
