/**
 * PayPal adapter for the PaymentGateway port, through the official `@paypal/paypal-server-sdk`.
 *
 * What PayPal's API can and cannot tell us:
 * - listRefunds: PayPal has no "refunds of a capture" endpoint, and a capture's links name only its refund
 *   *action*, never its refunds. The capture's order (`GET /v2/checkout/orders/{id}`) lists every refund in
 *   `purchase_units[].payments.refunds`, at once and with `invoice_id`/`custom_id`, so that is what we read.
 *   A capture made outside the Orders API (no order id) yields an empty list. For an attempt whose outcome is
 *   unknown, PayPal's own answer is to repeat the refund with the same PayPal-Request-Id (it returns the
 *   original if one exists) — that is the engine's retry, never a query of ours, since it may create one.
 * - findPayments: no API searches captures by payer email. Transaction Search (`GET /v1/reporting/transactions`)
 *   returns payer emails, so we scan its most recent window (≤ 31 days, default 31) and filter by email.
 *   It needs the "Transaction Search" permission on the app and shows transactions up to three hours late;
 *   older payments and payers without a PayPal email (guest cards) are not found.
 * - listPayments (the backfill): Transaction Search walked forward 31 days at a time from `since`, each capture
 *   then read with its order (`GET /v2/checkout/orders/{id}`) for the payer and card facts.
 * - metadata: `custom_id` (127 characters) carries our metadata URL-encoded; `invoice_id` carries the
 *   idempotency key, returned as metadata `idempotencyKey`. Neither is shown as-is to the payer except
 *   `invoice_id`, which appears in their transaction details. The refund reason goes to `note_to_payer`.
 */
import { OrdersController, PaymentsController, TransactionSearchController } from '@paypal/paypal-server-sdk';
import { formatDecimal } from '../../money/money.js';
import {
  GatewayError,
  type GatewayPayment,
  type GatewayRefundReason,
  type PaymentGateway,
  type RefundInput,
} from '../../ports/payment-gateway.js';
import { createPayPalClient } from './paypal-client.js';
import { toGatewayError } from './paypal-errors.js';
import { encodeMetadata, orderIdOf, refundsOfCapture, toGatewayPayment, toGatewayRefund } from './paypal-mapping.js';

export interface PayPalGatewayConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Where the API lives instead of PayPal (the sandbox in tests and the demo). */
  readonly baseUrl?: string | undefined;
  /** PayPal's own host when no baseUrl is given; default 'live'. */
  readonly environment?: 'sandbox' | 'live' | undefined;
  /** Per HTTP call, default 15 000 ms. */
  readonly timeoutMs?: number | undefined;
  /** How far back findPayments scans Transaction Search, 1–31 days, default 31. */
  readonly searchLookbackDays?: number | undefined;
}

const NOTE_TO_PAYER: Readonly<Record<GatewayRefundReason, string>> = {
  duplicate: 'Refund of a duplicate payment',
  fraudulent: 'Refund of an unauthorised payment',
  requested_by_customer: 'Refund as requested',
};
const MAX_SEARCH_PAGES = 5;
const MAX_FOUND_PAYMENTS = 20;

export function createPayPalGateway(config: PayPalGatewayConfig): PaymentGateway {
  const options = validateConfig(config);
  const paypal = createPayPalClient(options);
  const payments = new PaymentsController(paypal.client);
  const orders = new OrdersController(paypal.client);
  const search = new TransactionSearchController(paypal.client);

  /** Every SDK call goes through here, so every failure leaves as a GatewayError. */
  const call = async <T>(action: () => Promise<{ result: T }>): Promise<T> => {
    try {
      return (await action()).result;
    } catch (error) {
      const isPoisonedToken = error instanceof Error && /OAuth token is expired/.test(error.message);
      throw toGatewayError(isPoisonedToken ? (paypal.tokenFailure() ?? error) : error);
    }
  };

  const getPayment = async (paymentRef: string): Promise<GatewayPayment> => {
    const capture = await call(() => payments.getCapturedPayment({ captureId: paymentRef }));
    const orderId = orderIdOf(capture);
    const order = orderId ? await call(() => orders.getOrder({ id: orderId })) : undefined;
    return toGatewayPayment(capture, order);
  };

  return {
    name: 'paypal',

    async refund(input: RefundInput) {
      const customId = encodeMetadata(input.metadata, input.idempotencyKey);
      const refund = await call(() =>
        payments.refundCapturedPayment({
          captureId: input.paymentRef,
          paypalRequestId: input.idempotencyKey,
          prefer: 'return=representation',
          body: {
            amount: { currencyCode: input.amount.currency, value: formatDecimal(input.amount) },
            invoiceId: input.idempotencyKey,
            ...(customId ? { customId } : {}),
            noteToPayer: NOTE_TO_PAYER[input.reason],
          },
        }),
      );
      return toGatewayRefund(refund, input.paymentRef);
    },

    async getRefund({ gatewayRefundId }) {
      return toGatewayRefund(await call(() => payments.getRefund({ refundId: gatewayRefundId })));
    },

    async listRefunds({ paymentRef }) {
      const capture = await call(() => payments.getCapturedPayment({ captureId: paymentRef }));
      const orderId = orderIdOf(capture);
      if (!orderId) return { refunds: [] };
      const order = await call(() => orders.getOrder({ id: orderId }));
      return { refunds: refundsOfCapture(order, paymentRef) };
    },

    getPayment: ({ paymentRef }) => getPayment(paymentRef),

    async findPayments({ email }) {
      const wanted = email.trim().toLowerCase();
      const endDate = new Date();
      const startDate = new Date(endDate.getTime() - options.searchLookbackDays * 86_400_000);
      const captureIds = new Set<string>();
      for (let page = 1; page <= MAX_SEARCH_PAGES && captureIds.size < MAX_FOUND_PAYMENTS; page++) {
        const found = await call(() =>
          search.searchTransactions({
            startDate: startDate.toISOString(),
            endDate: endDate.toISOString(),
            fields: 'transaction_info,payer_info',
            pageSize: 500,
            page,
          }),
        );
        for (const detail of found.transactionDetails ?? []) {
          const info = detail.transactionInfo;
          const isPayment = info?.transactionEventCode?.startsWith('T00') ?? false;
          if (isPayment && info?.transactionId && detail.payerInfo?.emailAddress?.toLowerCase() === wanted) {
            captureIds.add(info.transactionId);
          }
        }
        if (page >= (found.totalPages ?? 1)) break;
      }
      const ids = [...captureIds].slice(0, MAX_FOUND_PAYMENTS);
      const found = await Promise.all(ids.map((id) => getPayment(id)));
      return { payments: found.sort((a, b) => b.capturedAt.getTime() - a.capturedAt.getTime()) };
    },

    async listPayments(input) {
      const at = readListCursor(input.cursor, input.since);
      const now = Date.now();
      if (at.windowStart.getTime() >= now) return { payments: [] };
      const windowEnd = new Date(Math.min(at.windowStart.getTime() + SEARCH_WINDOW_MS, now));
      const found = await call(() =>
        search.searchTransactions({
          startDate: at.windowStart.toISOString(),
          endDate: windowEnd.toISOString(),
          fields: 'transaction_info',
          pageSize: LIST_PAGE_SIZE,
          page: at.page,
        }),
      );
      const captureIds = new Set<string>();
      for (const detail of found.transactionDetails ?? []) {
        const info = detail.transactionInfo;
        if (info?.transactionEventCode?.startsWith('T00') && info.transactionId) captureIds.add(info.transactionId);
      }
      // Each capture with its order, for the payer: Transaction Search has no card facts or order.
      const payments: GatewayPayment[] = [];
      for (const id of captureIds) payments.push(await getPayment(id));
      const isLastPage = at.page >= (found.totalPages ?? 1);
      const nextCursor = !isLastPage
        ? writeListCursor(at.windowStart, at.page + 1)
        : windowEnd.getTime() < now
          ? writeListCursor(windowEnd, 1)
          : undefined;
      return { payments: payments.filter((p) => p.capturedAt >= input.since), nextCursor };
    },
  };
}

/** Transaction Search answers at most 31 days per query; the backfill walks forward a window at a time. */
const SEARCH_WINDOW_MS = 31 * 86_400_000 - 1_000;
const LIST_PAGE_SIZE = 100;

/** `<window start, ms>:<page>`: where listPayments goes on. */
function writeListCursor(windowStart: Date, page: number): string {
  return `${windowStart.getTime()}:${page}`;
}

function readListCursor(cursor: string | undefined, since: Date): { windowStart: Date; page: number } {
  if (cursor === undefined) return { windowStart: since, page: 1 };
  const match = /^(\d{1,15}):(\d{1,6})$/.exec(cursor);
  if (!match) throw new GatewayError('invalid_request', 'not a PayPal listPayments cursor', { gateway: 'paypal' });
  return { windowStart: new Date(Number(match[1])), page: Math.max(Number(match[2]), 1) };
}

function validateConfig(config: PayPalGatewayConfig) {
  if (!config.clientId?.trim()) throw new Error('PayPal gateway: clientId is required');
  if (!config.clientSecret?.trim()) throw new Error('PayPal gateway: clientSecret is required');
  if (config.baseUrl !== undefined && !/^https?:\/\/[^/]+/.test(config.baseUrl)) {
    throw new Error(`PayPal gateway: baseUrl must be an http(s) URL, got "${config.baseUrl}"`);
  }
  if (config.environment !== undefined && config.environment !== 'sandbox' && config.environment !== 'live') {
    throw new Error(`PayPal gateway: environment must be 'sandbox' or 'live', got "${config.environment}"`);
  }
  const timeoutMs = config.timeoutMs ?? 15_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    throw new Error(`PayPal gateway: timeoutMs must be a positive integer, got ${timeoutMs}`);
  const searchLookbackDays = config.searchLookbackDays ?? 31;
  if (!Number.isInteger(searchLookbackDays) || searchLookbackDays < 1 || searchLookbackDays > 31) {
    throw new Error(`PayPal gateway: searchLookbackDays must be an integer from 1 to 31, got ${searchLookbackDays}`);
  }
  return {
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    baseUrl: config.baseUrl,
    environment: config.environment ?? 'live',
    timeoutMs,
    searchLookbackDays,
  };
}
