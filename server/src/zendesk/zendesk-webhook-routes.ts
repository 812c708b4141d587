import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { verifyZendeskWebhook } from '../connectors/zendesk/zendesk-signature.js';
import type { AppContext } from '../context.js';
import { executeSqlIn } from '../db/database.js';
import { AppError } from '../errors/app-error.js';
import { lowerCaseHeaders, webhookRejection } from '../webhooks/webhook-request.js';
import { processTaggedTicketSoon, type StoredTagWebhook } from './tagged-ticket.js';
import type { ZendeskConnections } from './zendesk-connections.js';
import { zendeskTaggedJob } from './zendesk-jobs.js';

/** The queued fallback waits this long, so the fast path normally finishes first. */
const FALLBACK_DELAY_SECONDS = 30;

const ID = /^[1-9][0-9]{0,18}$/;

function readBody(rawBody: string): StoredTagWebhook {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(rawBody) as Record<string, unknown>;
  } catch {
    throw new AppError('invalid_json', 'the webhook body is not JSON');
  }
  const ticketId = String(body?.['ticket_id'] ?? '');
  if (!ID.test(ticketId)) throw new AppError('invalid_request', 'ticket_id must be a Zendesk ticket id');
  const currentUser = String(body['current_user_id'] ?? '');
  return { ticketId, currentUserId: ID.test(currentUser) ? currentUser : null };
}

/**
 * `POST /webhooks/zendesk/{org}`: verify the signature over the raw body and the 5-minute window,
 * record the invocation once in inbound_events (a duplicate is acknowledged and changes nothing),
 * enqueue the job in the same transaction, answer 200 — whether or not we know the ticket. Of the
 * body only `ticket_id` is used: the job reads who tagged from the ticket's audits.
 */
export function zendeskWebhookRoutes(ctx: AppContext, connections: ZendeskConnections): Hono {
  const app = new Hono();
  app.post('/webhooks/zendesk/:org', async (c) => {
    const rawBody = await c.req.text();
    const found = await connections.forSlug(c.req.param('org'));
    const connection = found?.connection;
    if (!found || !connection) throw new AppError('not_found', 'not found');
    const headers = lowerCaseHeaders(c.req.raw.headers);
    let invocationId: string;
    try {
      ({ invocationId } = verifyZendeskWebhook({
        secrets: connection.webhookSecrets,
        rawBody,
        headers,
        nowMs: ctx.clock.now().getTime(),
      }));
    } catch (error) {
      throw webhookRejection(error);
    }
    const stored = readBody(rawBody);
    const inboundEventId = await ctx.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('inbound_events')
        .values({
          id: randomUUID(),
          org_id: found.orgId,
          vendor: 'zendesk',
          event_id: invocationId,
          event_type: 'ticket.refund_approved',
          payload: JSON.stringify(stored),
        })
        .onConflict((oc) => oc.columns(['org_id', 'vendor', 'event_id']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return undefined;
      await ctx.queue.send(
        zendeskTaggedJob,
        { orgId: found.orgId, inboundEventId: inserted.id },
        { executeSql: executeSqlIn(trx), startAfterSeconds: FALLBACK_DELAY_SECONDS },
      );
      return inserted.id;
    });
    if (!inboundEventId) return c.json({ received: true, duplicate: true }, 200);
    void processTaggedTicketSoon(ctx, connections, { orgId: found.orgId, inboundEventId });
    return c.json({ received: true }, 200);
  });
  return app;
}
