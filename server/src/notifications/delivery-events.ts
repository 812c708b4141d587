/**
 * Delivery events (Twilio status callbacks, SendGrid event webhook) applied to notifications.
 * Statuses only move forward (sending → sent → delivered; failed and bounced are final), so late
 * or repeated events change nothing. A failure records `notification.failed` on the case with
 * `{channel, status, errorCode}` — never the number or address — which staff channels alert on.
 */
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/audit-log.js';
import type { AppContext } from '../context.js';
import type { Database } from '../db/schema.js';
import { setConsent } from './contact-preferences.js';
import type { NotificationStatus } from './notification-tables.js';

const RANK: Readonly<Record<NotificationStatus, number>> = {
  skipped: -1,
  sending: 0,
  unknown: 0.5,
  sent: 1,
  delivered: 2,
  failed: 3,
  bounced: 3,
};

const TWILIO_STATUS: Readonly<Record<string, NotificationStatus>> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  undelivered: 'failed',
  failed: 'failed',
};

const SENDGRID_STATUS: Readonly<Record<string, NotificationStatus>> = {
  processed: 'sent',
  delivered: 'delivered',
  bounce: 'bounced',
  dropped: 'failed',
};

/** SendGrid events that withdraw consent to email. */
const SENDGRID_REVOCATIONS = new Set(['unsubscribe', 'group_unsubscribe', 'spamreport']);

/** Applies one recorded event (inbound_events row) once; returns the notification's status after it. */
export async function applyDeliveryEvent(
  ctx: AppContext,
  input: { readonly orgId: string; readonly inboundEventId: string },
): Promise<NotificationStatus | undefined> {
  return ctx.db.transaction().execute(async (trx) => {
    const inbound = await trx
      .selectFrom('inbound_events')
      .select(['vendor', 'payload', 'processed_at'])
      .where('org_id', '=', input.orgId)
      .where('id', '=', input.inboundEventId)
      .forUpdate()
      .executeTakeFirst();
    if (!inbound || inbound.processed_at) return undefined;
    const payload = (inbound.payload ?? {}) as Record<string, unknown>;
    const str = (key: string) => (typeof payload[key] === 'string' ? (payload[key] as string) : undefined);
    const at = ctx.clock.now();
    let result: NotificationStatus | undefined;
    if (inbound.vendor === 'twilio') {
      const sid = str('MessageSid');
      const status = TWILIO_STATUS[str('MessageStatus') ?? ''];
      if (sid && status) result = await advance(trx, input.orgId, { messageId: sid }, status, str('ErrorCode'), at);
    } else {
      const event = str('event') ?? '';
      const ref = { notificationId: str('notification_id'), messageId: str('sg_message_id')?.split('.')[0] };
      const status = SENDGRID_STATUS[event];
      if (status) result = await advance(trx, input.orgId, ref, status, event === 'bounce' ? 'bounce' : event, at);
      if (SENDGRID_REVOCATIONS.has(event)) await revokeEmail(trx, input.orgId, ref, event, at);
    }
    await trx
      .updateTable('inbound_events')
      .set({ processed_at: at })
      .where('org_id', '=', input.orgId)
      .where('id', '=', input.inboundEventId)
      .execute();
    return result;
  });
}

interface NotificationRef {
  readonly notificationId?: string | undefined;
  readonly messageId?: string | undefined;
}

async function findRow(trx: Kysely<Database>, orgId: string, ref: NotificationRef) {
  let query = trx
    .selectFrom('notifications')
    .select(['id', 'case_id', 'channel', 'status'])
    .where('org_id', '=', orgId);
  if (ref.notificationId && /^[0-9a-f-]{36}$/i.test(ref.notificationId))
    query = query.where('id', '=', ref.notificationId);
  else if (ref.messageId) query = query.where('vendor_message_id', '=', ref.messageId);
  else return undefined;
  return query.forUpdate().executeTakeFirst();
}

async function advance(
  trx: Kysely<Database>,
  orgId: string,
  ref: NotificationRef,
  status: NotificationStatus,
  errorCode: string | undefined,
  at: Date,
): Promise<NotificationStatus | undefined> {
  const row = await findRow(trx, orgId, ref);
  if (!row) return undefined;
  if (RANK[status] <= RANK[row.status]) return row.status;
  const isFailure = status === 'failed' || status === 'bounced';
  await trx
    .updateTable('notifications')
    .set({ status, updated_at: at, ...(isFailure ? { error_code: errorCode ?? null } : {}) })
    .where('id', '=', row.id)
    .execute();
  if (isFailure) {
    await appendAudit(trx, {
      orgId,
      caseId: row.case_id,
      actor: { type: 'system', id: 'notifications' },
      action: 'notification.failed',
      data: { notificationId: row.id, channel: row.channel, status, errorCode: errorCode ?? null },
      at,
    });
    if (row.channel === 'sms' && errorCode === '21610') await revokeSms(trx, orgId, row.case_id, at);
  }
  return status;
}

async function customerOfCase(trx: Kysely<Database>, orgId: string, caseId: string): Promise<string | undefined> {
  const row = await trx
    .selectFrom('refund_cases')
    .select('customer_id')
    .where('org_id', '=', orgId)
    .where('id', '=', caseId)
    .executeTakeFirst();
  return row?.customer_id ?? undefined;
}

async function revokeSms(trx: Kysely<Database>, orgId: string, caseId: string, at: Date): Promise<void> {
  const customerId = await customerOfCase(trx, orgId, caseId);
  if (!customerId) return;
  await setConsent(trx, {
    orgId,
    customerId,
    channel: 'sms',
    state: 'revoked',
    source: 'twilio:21610',
    at,
    actor: { type: 'system', id: 'notifications' },
  });
}

async function revokeEmail(
  trx: Kysely<Database>,
  orgId: string,
  ref: NotificationRef,
  event: string,
  at: Date,
): Promise<void> {
  const row = await findRow(trx, orgId, ref);
  const customerId = row ? await customerOfCase(trx, orgId, row.case_id) : undefined;
  if (!customerId) return;
  await setConsent(trx, { orgId, customerId, channel: 'email', state: 'revoked', source: `sendgrid:${event}`, at });
}
