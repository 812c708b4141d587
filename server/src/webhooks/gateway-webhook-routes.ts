import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import type { AppContext } from '../context.js';
import { executeSqlIn } from '../db/database.js';
import { AppError } from '../errors/app-error.js';
import { gatewayEventJob, processGatewayEventSoon, type StoredGatewayEvent } from '../gateways/gateway-event-jobs.js';
import { publicRequestUrl } from '../http/public-url.js';
import { findOrganisationBySlug } from '../orgs/organisations.js';
import type { VerifiedWebhook } from '../ports/gateway-webhook.js';
import { lowerCaseHeaders, webhookRejection } from './webhook-request.js';

const VENDORS = new Set(['stripe', 'paypal', 'square']);

function notFound(): AppError {
  return new AppError('not_found', 'not found');
}

/**
 * `POST /webhooks/{stripe|paypal|square}/{org slug}`: verify over the raw body, record once in
 * inbound_events (the vendor's event id is the dedupe key), enqueue `gateway.event` in the same
 * transaction, answer 200. The work happens in the job (and a fast path right after commit).
 */
export function gatewayWebhookRoutes(ctx: AppContext): Hono {
  const app = new Hono();
  app.post('/webhooks/:vendor/:org', async (c, next) => {
    const vendor = c.req.param('vendor');
    // other vendors' webhooks (zendesk, twilio, sendgrid…) belong to their integrations' routes
    if (!VENDORS.has(vendor)) return next();
    // The bytes exactly as received, read once, before anything parses them.
    const rawBody = await c.req.text();
    const org = await findOrganisationBySlug(ctx.db, c.req.param('org'));
    if (!org) throw notFound();
    const verifier = await ctx.gateways.verifierFor?.(org.id, vendor);
    if (!verifier) throw notFound();

    const headers = lowerCaseHeaders(c.req.raw.headers);
    const url = publicRequestUrl(ctx.config, c.req.url);
    let verified: VerifiedWebhook;
    try {
      verified = await verifier.verify({ rawBody, headers, url });
    } catch (error) {
      throw webhookRejection(error); // anything else (verification service unreachable): 5xx, the vendor retries
    }
    if (verified.gateway !== vendor) throw new AppError('invalid_signature', 'the event is not from this gateway');

    const stored: StoredGatewayEvent = { event: verified.event, body: JSON.parse(rawBody) as unknown };
    const inboundEventId = await ctx.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('inbound_events')
        .values({
          id: randomUUID(),
          org_id: org.id,
          vendor,
          event_id: verified.eventId,
          event_type: verified.vendorType,
          payload: JSON.stringify(stored),
        })
        .onConflict((oc) => oc.columns(['org_id', 'vendor', 'event_id']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return undefined;
      if (verified.event.kind !== 'ignored') {
        await ctx.queue.send(
          gatewayEventJob,
          { orgId: org.id, inboundEventId: inserted.id },
          { executeSql: executeSqlIn(trx) },
        );
      }
      return inserted.id;
    });
    if (!inboundEventId) return c.json({ received: true, duplicate: true }, 200);
    if (verified.event.kind === 'ignored') {
      // Acknowledged and recorded; nothing to do.
      await ctx.db
        .updateTable('inbound_events')
        .set({ processed_at: ctx.clock.now() })
        .where('id', '=', inboundEventId)
        .execute();
    } else {
      void processGatewayEventSoon(ctx, { orgId: org.id, inboundEventId });
    }
    return c.json({ received: true }, 200);
  });
  return app;
}
