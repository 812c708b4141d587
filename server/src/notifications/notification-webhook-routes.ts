/**
 * Messaging webhooks — verify over the raw bytes, record once in inbound_events, enqueue, answer:
 * - `POST /webhooks/twilio/{org}/status`: status callbacks (X-Twilio-Signature; dedupe MessageSid + status);
 * - `POST /webhooks/twilio/{org}`: inbound SMS (X-Twilio-Signature; dedupe MessageSid), empty TwiML back;
 * - `POST /webhooks/sendgrid/{org}`: event batches (ECDSA P-256 over timestamp + body; dedupe sg_event_id).
 * The signed URL is rebuilt from PUBLIC_URL when set (Twilio signs the URL it called, proxies or not).
 */
import { randomUUID } from 'node:crypto';
import { type Context, Hono } from 'hono';
import {
  isValidSendgridSignature,
  parseSendgridPublicKey,
  SENDGRID_SIGNATURE_HEADER,
  SENDGRID_TIMESTAMP_HEADER,
} from '../connectors/sendgrid/sendgrid-signature.js';
import { formParams, isValidTwilioSignature } from '../connectors/twilio/twilio-signature.js';
import type { AppContext } from '../context.js';
import { executeSqlIn } from '../db/database.js';
import { AppError } from '../errors/app-error.js';
import { publicRequestUrl } from '../http/public-url.js';
import { runSoon } from '../jobs/fast-path.js';
import type { JobDefinition } from '../jobs/job-definition.js';
import { findOrganisationBySlug } from '../orgs/organisations.js';
import { applyDeliveryEvent } from './delivery-events.js';
import { applyInboundSms } from './inbound-sms.js';
import { notificationDeliveryEventJob, notificationInboundSmsJob } from './notification-jobs.js';
import type { NotificationRuntime } from './notification-runtime.js';

const SENDGRID_TOLERANCE_SECONDS = 300;
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

interface NewEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly payload: Record<string, unknown>;
}

export function notificationWebhookRoutes(ctx: AppContext, runtime: NotificationRuntime): Hono {
  const app = new Hono();

  const orgOf = async (c: Context) => {
    const org = await findOrganisationBySlug(ctx.db, c.req.param('org') ?? '');
    if (!org) throw new AppError('not_found', 'not found');
    return { org, channels: await runtime.channelsFor(org.id) };
  };
  const signedUrl = (c: Context) => publicRequestUrl(ctx.config, c.req.url, { withSearch: true });
  const verifyTwilio = async (c: Context) => {
    const rawBody = await c.req.text(); // the bytes as received, read once
    const { org, channels } = await orgOf(c);
    if (!channels.twilioAuthToken) throw new AppError('not_found', 'SMS is not configured for this organisation');
    const params = formParams(rawBody);
    if (!isValidTwilioSignature([channels.twilioAuthToken], c.req.header('x-twilio-signature'), signedUrl(c), params))
      throw new AppError('invalid_signature', 'X-Twilio-Signature does not match');
    return { orgId: org.id, params };
  };

  app.post('/webhooks/twilio/:org/status', async (c) => {
    const { orgId, params } = await verifyTwilio(c);
    const sid = params['MessageSid'];
    const status = params['MessageStatus'];
    if (!sid || !status) throw new AppError('invalid_request', 'MessageSid and MessageStatus are required');
    const payload = {
      MessageSid: sid,
      MessageStatus: status,
      ...(params['ErrorCode'] ? { ErrorCode: params['ErrorCode'] } : {}),
    };
    await record(
      ctx,
      orgId,
      'twilio',
      [{ eventId: `${sid}:${status}`, eventType: 'message.status', payload }],
      notificationDeliveryEventJob,
    );
    return c.body(null, 204);
  });

  app.post('/webhooks/twilio/:org', async (c) => {
    const { orgId, params } = await verifyTwilio(c);
    const sid = params['MessageSid'];
    if (!sid || !params['From']) throw new AppError('invalid_request', 'MessageSid and From are required');
    const payload = { MessageSid: sid, From: params['From'], Body: params['Body'] ?? '' };
    await record(
      ctx,
      orgId,
      'twilio',
      [{ eventId: `inbound:${sid}`, eventType: 'message.inbound', payload }],
      notificationInboundSmsJob,
    );
    return c.body(EMPTY_TWIML, 200, { 'content-type': 'text/xml' });
  });

  app.post('/webhooks/sendgrid/:org', async (c) => {
    const rawBody = await c.req.text();
    const { org, channels } = await orgOf(c);
    if (!channels.sendgridPublicKey)
      throw new AppError('not_found', 'email events are not configured for this organisation');
    const timestamp = c.req.header(SENDGRID_TIMESTAMP_HEADER);
    const key = parseSendgridPublicKey(channels.sendgridPublicKey);
    if (!isValidSendgridSignature(key, c.req.header(SENDGRID_SIGNATURE_HEADER), timestamp, rawBody))
      throw new AppError('invalid_signature', 'the event webhook signature does not verify');
    // the vendor stamps real time, so the window is checked against real time
    if (Math.abs(Date.now() / 1000 - Number(timestamp)) > SENDGRID_TOLERANCE_SECONDS)
      throw new AppError('stale_timestamp', 'the event webhook timestamp is outside the 5-minute window');
    let batch: unknown;
    try {
      batch = JSON.parse(rawBody);
    } catch {
      throw new AppError('invalid_json', 'the body is not JSON');
    }
    if (!Array.isArray(batch)) throw new AppError('invalid_request', 'the body must be an array of events');
    const events: NewEvent[] = [];
    for (const item of batch as Array<Record<string, unknown>>) {
      if (typeof item?.['sg_event_id'] !== 'string' || typeof item['event'] !== 'string') continue;
      events.push({ eventId: item['sg_event_id'], eventType: item['event'], payload: item });
    }
    await record(ctx, org.id, 'sendgrid', events, notificationDeliveryEventJob);
    return c.body(null, 200);
  });
  return app;
}

/** Inserts new events (duplicates do nothing) and their jobs in one transaction; applies them right after commit. */
async function record(
  ctx: AppContext,
  orgId: string,
  vendor: 'twilio' | 'sendgrid',
  events: ReadonlyArray<NewEvent>,
  job: JobDefinition<{ orgId: string; inboundEventId: string }>,
): Promise<void> {
  const inserted = await ctx.db.transaction().execute(async (trx) => {
    const ids: string[] = [];
    for (const event of events) {
      const row = await trx
        .insertInto('inbound_events')
        .values({
          id: randomUUID(),
          org_id: orgId,
          vendor,
          event_id: event.eventId,
          event_type: event.eventType,
          payload: JSON.stringify(event.payload),
        })
        .onConflict((oc) => oc.columns(['org_id', 'vendor', 'event_id']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!row) continue;
      await ctx.queue.send(job, { orgId, inboundEventId: row.id }, { executeSql: executeSqlIn(trx) });
      ids.push(row.id);
    }
    return ids;
  });
  for (const inboundEventId of inserted) {
    void runSoon(ctx.logger, job.id, { orgId, inboundEventId }, () =>
      job === notificationInboundSmsJob
        ? applyInboundEvent(ctx, { orgId, inboundEventId })
        : applyDeliveryEvent(ctx, { orgId, inboundEventId }),
    );
  }
}

/** The inbound-SMS job: consent from a recorded message, once (the claim and the change commit together). */
export async function applyInboundEvent(
  ctx: AppContext,
  input: { readonly orgId: string; readonly inboundEventId: string },
): Promise<void> {
  const at = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable('inbound_events')
      .set({ processed_at: at })
      .where('org_id', '=', input.orgId)
      .where('id', '=', input.inboundEventId)
      .where('processed_at', 'is', null)
      .returning('payload')
      .executeTakeFirst();
    if (!claimed) return;
    const payload = claimed.payload as { From?: string; Body?: string };
    if (payload.From)
      await applyInboundSms(trx, { orgId: input.orgId, from: payload.From, body: payload.Body ?? '', at });
  });
}
