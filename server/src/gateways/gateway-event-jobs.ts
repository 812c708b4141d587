import { z } from 'zod';
import type { WorkerRegistration } from '../boot.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors/app-error.js';
import { runSoon } from '../jobs/fast-path.js';
import type { JobDefinition } from '../jobs/job-definition.js';
import { defineJob } from '../jobs/job-definition.js';
import { upsertPayment } from '../ledger/payments.js';
import type { GatewayEvent } from '../ports/gateway-webhook.js';
import { GatewayError, type GatewayPayment, type GatewayRefund } from '../ports/payment-gateway.js';
import { applyGatewayRefund } from './gateway-refund-sync.js';

/** Act on one verified, recorded gateway webhook (inbound_events row). */
export const gatewayEventJob = defineJob('gateway.event', z.object({ orgId: z.uuid(), inboundEventId: z.uuid() }), {
  retryLimit: 10,
  retryDelaySeconds: 5,
  retryBackoff: true,
  expireInSeconds: 300,
});

/** What the webhook route stores in inbound_events.payload. */
export interface StoredGatewayEvent {
  readonly event: GatewayEvent;
  readonly body: unknown;
}

/** JSON turned Dates into strings; put them back. */
function reviveEvent(stored: GatewayEvent): GatewayEvent {
  if (stored.kind === 'refund.updated') {
    const refund: GatewayRefund = { ...stored.refund, createdAt: new Date(stored.refund.createdAt) };
    return { kind: 'refund.updated', refund };
  }
  if (stored.kind === 'payment.captured') {
    const payment: GatewayPayment = { ...stored.payment, capturedAt: new Date(stored.payment.capturedAt) };
    return { kind: 'payment.captured', payment };
  }
  return stored;
}

/**
 * Applies one recorded event exactly once: the inbound row is locked, and marked processed in the same
 * transaction as the ledger change, so the fast path and the queued job can both call this.
 */
export async function processGatewayEvent(
  ctx: AppContext,
  input: { readonly orgId: string; readonly inboundEventId: string },
): Promise<'processed' | 'skipped'> {
  const payer = await payerOfCapture(ctx, input);
  return ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('inbound_events')
      .selectAll()
      .where('id', '=', input.inboundEventId)
      .where('org_id', '=', input.orgId)
      .forUpdate()
      .executeTakeFirst();
    if (!row || row.processed_at !== null) return 'skipped';
    const at = ctx.clock.now();
    const event = reviveEvent((row.payload as StoredGatewayEvent).event);
    const actor = { type: 'gateway' as const, id: row.vendor };
    if (event.kind === 'refund.updated') {
      const result = await applyGatewayRefund(trx, {
        orgId: row.org_id,
        gateway: row.vendor,
        refund: event.refund,
        actor,
        at,
      });
      if (result.kind === 'unknown_payment' || result.kind === 'currency_mismatch') {
        ctx.logger.info({ eventId: row.event_id, result: result.kind }, 'gateway refund event for no payment of ours');
      }
    } else if (event.kind === 'payment.captured') {
      const { payment } = event;
      const status = payment.status === 'refunded' ? 'captured' : payment.status;
      // Stripe announces a payment twice (charge.succeeded, payment_intent.succeeded); a payment already
      // recorded as it stands needs no write (and no lock that could meet the engine's lock on it).
      const known = await trx
        .selectFrom('payments')
        .select(['status', 'customer_id'])
        .where('org_id', '=', row.org_id)
        .where('gateway', '=', row.vendor)
        .where('gateway_payment_id', '=', payment.paymentRef)
        .executeTakeFirst();
      const email = payment.customerEmail ?? payer?.email;
      const name = payment.customerName ?? payer?.name;
      const hasNothingNew = known?.status === status && (known.customer_id !== null || !email);
      const result = hasNothingNew
        ? undefined
        : await upsertPayment(trx, row.org_id, {
            gateway: row.vendor,
            gatewayPaymentId: payment.paymentRef,
            amount: payment.amount,
            status,
            capturedAt: payment.capturedAt,
            method: payment.method,
            customer: email || name ? { email, name } : undefined,
            source: 'gateway_webhook',
          });
      if (result?.conflict)
        ctx.logger.warn({ eventId: row.event_id, conflict: result?.conflict }, 'payment event conflicts');
    }
    await trx.updateTable('inbound_events').set({ processed_at: at }).where('id', '=', row.id).execute();
    return 'processed';
  });
}

/**
 * Who paid, for a capture event that does not say (PayPal's PAYMENT.CAPTURE.COMPLETED carries the capture
 * without its order, and the payer lives on the order): read back through the adapter's getPayment,
 * which fetches the order with the SDK. Outside the transaction, bounded by the gateway timeout; a
 * failure records the payment without its payer (a later eligibility look-up fills it in).
 */
async function payerOfCapture(
  ctx: AppContext,
  input: { readonly orgId: string; readonly inboundEventId: string },
): Promise<{ email?: string | undefined; name?: string | undefined } | undefined> {
  const row = await ctx.db
    .selectFrom('inbound_events')
    .select(['vendor', 'payload', 'processed_at'])
    .where('id', '=', input.inboundEventId)
    .where('org_id', '=', input.orgId)
    .executeTakeFirst();
  const event = row && row.processed_at === null ? (row.payload as StoredGatewayEvent).event : undefined;
  if (event?.kind !== 'payment.captured' || event.payment.customerEmail || !row) return undefined;
  try {
    const read = await ctx.gateways
      .forPayment(input.orgId, row.vendor)
      .getPayment({ paymentRef: event.payment.paymentRef });
    return { email: read.customerEmail, name: read.customerName };
  } catch (error) {
    const code = error instanceof GatewayError || error instanceof AppError ? error.code : 'unknown';
    ctx.logger.warn({ vendor: row.vendor, code }, 'could not read the payer of a captured payment; recorded without');
    return undefined;
  }
}

/** Fast path after the webhook commits; the queued job is the fallback. */
export function processGatewayEventSoon(
  ctx: AppContext,
  input: { readonly orgId: string; readonly inboundEventId: string },
): Promise<void> {
  return runSoon(ctx.logger, 'gateway event', input, () => processGatewayEvent(ctx, input));
}

export function gatewayEventWorker(): WorkerRegistration {
  return {
    definition: gatewayEventJob as JobDefinition<unknown>,
    register: (ctx) =>
      ctx.queue.work(gatewayEventJob, async (payload) => void (await processGatewayEvent(ctx, payload))),
  };
}
