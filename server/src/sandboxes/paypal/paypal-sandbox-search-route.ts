import type { Hono } from 'hono';
import type { PayPalSandboxContext } from './paypal-sandbox-context.js';
import { isoNow, type StoredCapture, wireMoney } from './paypal-sandbox-store.js';
import { paypalError } from './paypal-sandbox-wire.js';

const MAX_RANGE_MS = 31 * 24 * 60 * 60 * 1000;

/**
 * `GET /v1/reporting/transactions` (Transaction Search), payments only. Real PayPal needs a date range of at
 * most 31 days and shows a transaction up to three hours late; the sandbox shows it at once.
 */
export function mountSearchRoute(app: Hono, ctx: PayPalSandboxContext): void {
  app.get('/v1/reporting/transactions', (c) => {
    const start = Date.parse(c.req.query('start_date') ?? '');
    const end = Date.parse(c.req.query('end_date') ?? '');
    if (Number.isNaN(start) || Number.isNaN(end) || end < start || end - start > MAX_RANGE_MS) {
      const error = paypalError(
        'INVALID_REQUEST',
        'Request is not well-formed, syntactically incorrect, or violates schema.',
        'INVALID_DATE_RANGE',
      );
      return c.json(error, 400);
    }
    const pageSize = Math.min(Math.max(Number(c.req.query('page_size') ?? 100) || 100, 1), 500);
    const page = Math.max(Number(c.req.query('page') ?? 1) || 1, 1);
    const matching = [...ctx.store.captures.values()].filter((capture) => {
      const at = Date.parse(capture.createTime);
      return at >= start && at <= end;
    });
    const totalPages = Math.max(Math.ceil(matching.length / pageSize), 1);
    return c.json({
      transaction_details: matching.slice((page - 1) * pageSize, page * pageSize).map(transactionDetail),
      account_number: 'SANDBOXMERCHANT',
      start_date: new Date(start).toISOString(),
      end_date: new Date(end).toISOString(),
      last_refreshed_datetime: isoNow(),
      page,
      total_items: matching.length,
      total_pages: totalPages,
      links: [],
    });
  });
}

function transactionDetail(capture: StoredCapture) {
  const [givenName, ...rest] = (capture.name ?? '').split(' ');
  return {
    transaction_info: {
      transaction_id: capture.id,
      transaction_event_code: 'T0006',
      transaction_initiation_date: capture.createTime,
      transaction_updated_date: capture.createTime,
      transaction_amount: wireMoney(capture.amount),
      transaction_status: 'S',
    },
    payer_info: {
      account_id: capture.orderId.slice(0, 13),
      email_address: capture.email,
      ...(capture.name
        ? { payer_name: { given_name: givenName, surname: rest.join(' '), alternate_full_name: capture.name } }
        : {}),
    },
  };
}
