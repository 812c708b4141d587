import type { AppContext } from '../context.js';
import { upsertPayment } from '../ledger/payments.js';
import type { GatewayPayment, GatewayRefund, PaymentGateway } from '../ports/payment-gateway.js';
import { applyGatewayRefund } from './gateway-refund-sync.js';

export interface RecordedPayment {
  readonly paymentId: string;
  /** False when the ledger already had the payment (the write only filled in what was missing). */
  readonly created: boolean;
  /** Refunds the gateway holds for it that the ledger learnt of now (made before the desk knew the payment). */
  readonly refundsRecorded: number;
  /** Set when the ledger holds the payment with another amount or currency; nothing was changed. */
  readonly conflict?: string | undefined;
}

/**
 * Writes a payment read from its gateway (an eligibility lookup, the backfill) into the ledger, with the
 * refunds the gateway already holds for it, so what is refundable stays true for a payment the desk
 * never saw taken. Idempotent on the gateway's ids: run it twice and nothing changes. The refunds are
 * read before the transaction, so no database lock waits on the network.
 */
export async function recordGatewayPayment(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  input: {
    readonly orgId: string;
    readonly gateway: PaymentGateway;
    readonly payment: GatewayPayment;
    /** `gateway_lookup`, `gateway_backfill`. */
    readonly source: string;
    /** The email the payment was found by, when the gateway did not say whose it is. */
    readonly fallbackEmail?: string | undefined;
  },
): Promise<RecordedPayment> {
  const { payment, orgId } = input;
  const refunds: GatewayRefund[] =
    payment.amountRefunded.amount > 0
      ? (await input.gateway.listRefunds({ paymentRef: payment.paymentRef })).refunds
      : [];
  const email = payment.customerEmail ?? input.fallbackEmail;
  return ctx.db.transaction().execute(async (trx) => {
    const recorded = await upsertPayment(trx, orgId, {
      gateway: input.gateway.name,
      gatewayPaymentId: payment.paymentRef,
      amount: payment.amount,
      status: payment.status === 'refunded' ? 'captured' : payment.status,
      capturedAt: payment.capturedAt,
      method: payment.method,
      customer: email || payment.customerName ? { email, name: payment.customerName } : undefined,
      source: input.source,
    });
    if (recorded.conflict) {
      return { paymentId: recorded.payment.id, created: false, refundsRecorded: 0, conflict: recorded.conflict };
    }
    let refundsRecorded = 0;
    for (const refund of refunds) {
      const result = await applyGatewayRefund(trx, {
        orgId,
        gateway: input.gateway.name,
        refund: { ...refund, paymentRef: payment.paymentRef },
        actor: { type: 'gateway', id: input.gateway.name },
        at: ctx.clock.now(),
      });
      if (result.kind === 'external_recorded') refundsRecorded++;
    }
    return { paymentId: recorded.payment.id, created: recorded.created, refundsRecorded };
  });
}
