/**
 * Square adapter for the PaymentGateway port, through the official `square` SDK (v46).
 *
 * Gaps the Square API leaves, and what we do:
 * - Refunds carry no metadata and do not expose their idempotency key: the key and allow-listed opaque ids
 *   travel in `reason` (see square-reason.ts) and come back as `metadata` from getRefund/listRefunds.
 * - ListPaymentRefunds cannot filter by payment: listRefunds reads the payment's `refund_ids` and fetches each.
 * - ListPayments cannot filter by customer or email: findPayments searches customers by exact email, then
 *   scans recent payments (newest first, `findPaymentsLookbackDays`, at most `findPaymentsScanLimit`) and keeps
 *   those whose `customer_id` or `buyer_email_address` matches. Older payments, payments past the scan limit,
 *   and payments with neither field are not found.
 * - listPayments (the backfill): ListPayments from `begin_time`, oldest first, with Square's cursor; the payer's
 *   email and name from the payment's customer, else `buyer_email_address`.
 */
import { SquareClient, type SquareClient as SquareClientType, SquareEnvironment } from 'square';
import type { GatewayPayment, GatewayRefund, PaymentGateway, RefundInput } from '../../ports/payment-gateway.js';
import { toGatewayError } from './square-errors.js';
import { mapSquarePayment, mapSquareRefund, type SquarePaymentSlice } from './square-mapping.js';
import { composeRefundReason, squareIdempotencyKey } from './square-reason.js';

export interface SquareGatewayConfig {
  /** Square access token (sandbox or production). */
  readonly accessToken: string;
  /** API origin; default Square production. Point it at a sandbox with e.g. `http://127.0.0.1:41234`. */
  readonly baseUrl?: string | undefined;
  /** Per-call timeout; default 15 000 ms. */
  readonly timeoutMs?: number | undefined;
  /** Metadata keys (opaque ids only) written into the refund `reason`; default caseId, attemptKey, organisationId. */
  readonly reasonMetadataKeys?: readonly string[] | undefined;
  /** How far back findPayments scans; default 365 days (ListPayments' own default window). */
  readonly findPaymentsLookbackDays?: number | undefined;
  /** At most this many payments are scanned by findPayments; default 500. */
  readonly findPaymentsScanLimit?: number | undefined;
}

/** The slice of the SDK this adapter calls. */
type SquareApi = Pick<SquareClientType, 'refunds' | 'payments' | 'customers'>;

const DAY_MS = 24 * 60 * 60 * 1000;
const REFUND_FETCH_BATCH = 5;

export function createSquareGateway(config: SquareGatewayConfig): PaymentGateway {
  const settings = validateConfig(config);
  const api: SquareApi = new SquareClient({
    token: config.accessToken,
    baseUrl: settings.baseUrl,
    timeoutInSeconds: settings.timeoutMs / 1000,
    // Our engine owns retries; an SDK retry would hide a lost response behind a second attempt.
    maxRetries: 0,
  });

  async function call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toGatewayError(error);
    }
  }

  async function customerFacts(customerId: string | undefined) {
    if (!customerId) return {};
    try {
      const { customer } = await api.customers.get({ customerId });
      const name = [customer?.givenName, customer?.familyName].filter(Boolean).join(' ');
      return { email: customer?.emailAddress ?? undefined, name: name || undefined };
    } catch (error) {
      const mapped = toGatewayError(error);
      if (mapped.code === 'not_found') return {};
      throw mapped;
    }
  }

  return {
    name: 'square',

    refund: (input: RefundInput) =>
      call(async () => {
        const { refund } = await api.refunds.refundPayment({
          idempotencyKey: squareIdempotencyKey(input.idempotencyKey),
          paymentId: input.paymentRef,
          // The SDK types currency as a literal union; our Money codes are ISO 4217 and Square validates them.
          amountMoney: { amount: BigInt(input.amount.amount), currency: input.amount.currency as 'USD' },
          reason: composeRefundReason({ ...input, carriedKeys: settings.reasonMetadataKeys }),
        });
        if (!refund) throw new Error('Square answered RefundPayment without a refund');
        return mapSquareRefund(refund);
      }),

    getRefund: ({ gatewayRefundId }) =>
      call(async () => {
        const { refund } = await api.refunds.get({ refundId: gatewayRefundId });
        if (!refund) throw new Error(`Square answered GetPaymentRefund ${gatewayRefundId} without a refund`);
        return mapSquareRefund(refund);
      }),

    listRefunds: ({ paymentRef }) =>
      call(async () => {
        const { payment } = await api.payments.get({ paymentId: paymentRef });
        const ids = payment?.refundIds ?? [];
        const refunds: GatewayRefund[] = [];
        for (let at = 0; at < ids.length; at += REFUND_FETCH_BATCH) {
          const batch = ids.slice(at, at + REFUND_FETCH_BATCH).map((refundId) => api.refunds.get({ refundId }));
          for (const { refund } of await Promise.all(batch)) if (refund) refunds.push(mapSquareRefund(refund));
        }
        refunds.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
        return { refunds };
      }),

    getPayment: ({ paymentRef }) =>
      call(async () => {
        const { payment } = await api.payments.get({ paymentId: paymentRef });
        if (!payment) throw new Error(`Square answered GetPayment ${paymentRef} without a payment`);
        return mapSquarePayment(payment, await customerFacts(payment.customerId));
      }),

    findPayments: ({ email }) =>
      call(async () => {
        const wanted = email.trim().toLowerCase();
        const { customers = [] } = await api.customers.search({
          query: { filter: { emailAddress: { exact: email.trim() } } },
          limit: BigInt(100),
        });
        const names = new Map(
          customers.map((customer) => [
            customer.id ?? '',
            [customer.givenName, customer.familyName].filter(Boolean).join(' ') || undefined,
          ]),
        );
        const payments: GatewayPayment[] = [];
        let scanned = 0;
        let page = await api.payments.list({
          beginTime: new Date(Date.now() - settings.lookbackDays * DAY_MS).toISOString(),
          sortOrder: 'DESC',
          limit: 100,
        });
        for (;;) {
          for (const payment of page.data) {
            if (scanned++ >= settings.scanLimit) return { payments };
            if (isCustomersPayment(payment, wanted, names)) {
              payments.push(mapSquarePayment(payment, { email, name: names.get(payment.customerId ?? '') }));
            }
          }
          if (!page.hasNextPage()) return { payments };
          page = await page.getNextPage();
        }
      }),

    listPayments: ({ since, cursor }) =>
      call(async () => {
        // The same query on every page (Square requires it with a cursor), oldest first from `since`.
        const page = await api.payments.list({
          beginTime: since.toISOString(),
          sortOrder: 'ASC',
          limit: 100,
          ...(cursor ? { cursor } : {}),
        });
        const facts = new Map<string, ReturnType<typeof customerFacts>>();
        const payments: GatewayPayment[] = [];
        for (const payment of page.data) {
          if (payment.status !== 'COMPLETED') continue;
          const customerId = payment.customerId ?? '';
          if (!facts.has(customerId)) facts.set(customerId, customerFacts(customerId || undefined));
          payments.push(mapSquarePayment(payment, await facts.get(customerId)));
        }
        return { payments, nextCursor: page.response.cursor ?? undefined };
      }),
  };
}

function isCustomersPayment(payment: SquarePaymentSlice, email: string, customers: Map<string, unknown>): boolean {
  if (payment.status !== 'COMPLETED') return false;
  if (payment.customerId && customers.has(payment.customerId)) return true;
  return payment.buyerEmailAddress?.trim().toLowerCase() === email;
}

function validateConfig(config: SquareGatewayConfig) {
  if (typeof config.accessToken !== 'string' || config.accessToken.trim() === '') {
    throw new Error('createSquareGateway: accessToken must be a non-empty string');
  }
  const baseUrl = config.baseUrl ?? SquareEnvironment.Production;
  if (!URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol)) {
    throw new Error(`createSquareGateway: baseUrl must be an http(s) URL, got "${baseUrl}"`);
  }
  const timeoutMs = config.timeoutMs ?? 15_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 300_000) {
    throw new Error(`createSquareGateway: timeoutMs must be an integer from 1 to 300000, got ${timeoutMs}`);
  }
  const lookbackDays = config.findPaymentsLookbackDays ?? 365;
  if (!Number.isInteger(lookbackDays) || lookbackDays < 1) {
    throw new Error(`createSquareGateway: findPaymentsLookbackDays must be a positive integer, got ${lookbackDays}`);
  }
  const scanLimit = config.findPaymentsScanLimit ?? 500;
  if (!Number.isInteger(scanLimit) || scanLimit < 1) {
    throw new Error(`createSquareGateway: findPaymentsScanLimit must be a positive integer, got ${scanLimit}`);
  }
  const reasonMetadataKeys = config.reasonMetadataKeys ?? ['caseId', 'attemptKey', 'organisationId'];
  return { baseUrl: baseUrl.replace(/\/+$/, ''), timeoutMs, lookbackDays, scanLimit, reasonMetadataKeys };
}
