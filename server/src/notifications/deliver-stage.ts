/**
 * One stage's message for one case, exactly once per channel however often the job runs:
 * claim a unique (case, stage, channel) row in its own committed transaction → call the vendor →
 * record what it said. SMS first when the customer consented and has a number; email when SMS is
 * not possible (no number, no consent, opted out, invalid number).
 *
 * Unknown outcomes (timeout, 5xx, lost answer) are accepted as at-most-once: neither Twilio nor
 * SendGrid take an idempotency key, and a second "your refund was sent" text is worse than the
 * tracking link the customer already has. Such a row becomes `unknown` and staff are alerted
 * (`notification.failed`); a claim whose worker died mid-send becomes `unknown` after the lease.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/audit-log.js';
import type { AppContext } from '../context.js';
import type { Database } from '../db/schema.js';
import { RetryLater } from '../jobs/job-definition.js';
import { type NotifierChannels, NotifierError } from '../ports/notifier.js';
import { trackingUrl } from '../tracking/tracking-links.js';
import { readContactPreferences, setConsent } from './contact-preferences.js';
import { type CaseContacts, loadCaseContacts, messageFacts } from './message-facts.js';
import { renderMessage, resolveLocale, type Stage } from './message-templates.js';
import type { NotificationRuntime } from './notification-runtime.js';
import { isUrgent, stageOf } from './notification-stages.js';
import type { NotificationChannel } from './notification-tables.js';

/** Earlier stages get this long to go out first; after it a stuck one no longer holds the next back. */
const ORDER_WAIT_MS = 10 * 60 * 1000;

/** Thrown while an earlier stage of the same case is still on its way: the job retries shortly. */
export class EarlierStagePendingError extends RetryLater {
  constructor(readonly stage: Stage) {
    super(`waiting for the ${stage} message of this case to go out first`);
    this.name = 'EarlierStagePendingError';
  }
}

/**
 * Jobs of one case can run in parallel; messages must still arrive in the order things happened.
 * A stage waits (the job throws and retries) while an earlier stage the case reached has no
 * settled message yet — unless that stage is older than ORDER_WAIT_MS (stuck: don't hold the rest).
 */
async function waitForEarlierStages(ctx: AppContext, input: DeliverInput): Promise<void> {
  const events = await ctx.db
    .selectFrom('audit_events')
    .select(['action', 'created_at'])
    .where('org_id', '=', input.orgId)
    .where('case_id', '=', input.caseId)
    .orderBy('seq', 'asc')
    .execute();
  const earlier: Array<{ stage: Stage; at: Date }> = [];
  for (const event of events) {
    const stage = stageOf(event);
    if (!stage || isUrgent(stage)) continue;
    if (stage === input.stage) break;
    earlier.push({ stage, at: new Date(event.created_at) });
  }
  if (earlier.length === 0) return;
  const rows = await ctx.db
    .selectFrom('notifications')
    .select(['stage', 'status'])
    .where('org_id', '=', input.orgId)
    .where('case_id', '=', input.caseId)
    .where(
      'stage',
      'in',
      earlier.map((e) => e.stage),
    )
    .execute();
  const now = ctx.clock.now().getTime();
  for (const { stage, at } of earlier) {
    const settled = rows.some((r) => r.stage === stage && r.status !== 'sending');
    if (!settled && now - at.getTime() < ORDER_WAIT_MS) throw new EarlierStagePendingError(stage);
  }
}

/** A claim older than this whose worker never reported back is presumed lost mid-send. */
const SENDING_LEASE_MS = 5 * 60 * 1000;

export interface DeliverInput {
  readonly orgId: string;
  readonly caseId: string;
  readonly stage: Stage;
}

export type DeliverResult =
  | { readonly kind: 'sent'; readonly channel: NotificationChannel }
  | { readonly kind: 'already_handled'; readonly channel: NotificationChannel }
  | { readonly kind: 'no_channel' };

export async function deliverStage(
  ctx: AppContext,
  runtime: NotificationRuntime,
  input: DeliverInput,
): Promise<DeliverResult> {
  const contacts = await loadCaseContacts(ctx.db, input.orgId, input.caseId);
  if (!contacts?.customer) return { kind: 'no_channel' };
  const customer = contacts.customer;
  if (!isUrgent(input.stage)) await waitForEarlierStages(ctx, input);
  const prefs = await readContactPreferences(ctx.db, input.orgId, customer.id);
  const channels = await runtime.channelsFor(input.orgId);
  const plan: NotificationChannel[] = [];
  if (channels.sms && customer.phone && prefs.sms === 'granted') plan.push('sms');
  if (channels.email && customer.email && prefs.email !== 'revoked') plan.push('email');

  for (const channel of plan) {
    const existing = await findNotification(ctx.db, input, channel);
    if (existing) {
      // refused or undelivered on this channel: the customer may still be reachable on the next one
      if (existing.status === 'failed' || existing.status === 'bounced') continue;
      if (existing.status === 'sending' && ctx.clock.now().getTime() - existing.updated_at.getTime() > SENDING_LEASE_MS)
        await markOutcome(ctx, existing.id, input, channel, { status: 'unknown', errorCode: 'lease_expired' });
      return { kind: 'already_handled', channel };
    }
    const locale = resolveLocale(prefs.locale);
    const claimed = await claim(ctx, input, channel, locale, channel === 'sms' ? customer.phone : customer.email);
    if (!claimed) return { kind: 'already_handled', channel }; // another worker claimed it just now
    const outcome = await send(ctx, runtime, channels, contacts, {
      ...input,
      channel,
      locale,
      notificationId: claimed,
    });
    if (outcome === 'sent') return { kind: 'sent', channel };
    if (outcome === 'stop') return { kind: 'already_handled', channel };
  }
  return { kind: 'no_channel' };
}

async function send(
  ctx: AppContext,
  runtime: NotificationRuntime,
  channels: NotifierChannels,
  contacts: CaseContacts,
  job: DeliverInput & {
    channel: NotificationChannel;
    locale: ReturnType<typeof resolveLocale>;
    notificationId: string;
  },
): Promise<'sent' | 'next' | 'stop'> {
  const base = runtime.baseUrl();
  const link = await trackingUrl(ctx, base, { orgId: job.orgId, caseId: job.caseId, locale: job.locale });
  const message = renderMessage(job.stage, job.locale, messageFacts(contacts, job.stage, job.locale, link));
  const customer = contacts.customer as NonNullable<CaseContacts['customer']>;
  try {
    const sent =
      job.channel === 'sms'
        ? await (channels.sms as NonNullable<NotifierChannels['sms']>).sendSms({
            to: customer.phone as string,
            body: message.sms,
            statusCallbackUrl: `${base}/webhooks/twilio/${contacts.orgSlug}/status`,
          })
        : await (channels.email as NonNullable<NotifierChannels['email']>).sendEmail({
            to: customer.email as string,
            subject: message.subject,
            text: message.text,
            html: message.html,
            tags: { notification_id: job.notificationId, case_reference: contacts.caseRow.reference },
          });
    await markOutcome(ctx, job.notificationId, job, job.channel, { status: 'sent', vendorMessageId: sent.messageId });
    return 'sent';
  } catch (error) {
    if (!(error instanceof NotifierError)) {
      // a bug on our side before or after the call: we cannot tell whether it went out
      await markOutcome(ctx, job.notificationId, job, job.channel, { status: 'unknown', errorCode: 'internal' });
      throw error;
    }
    if (error.kind === 'unavailable') {
      // refused before anything was sent: release the claim and let the job retry
      await ctx.db.deleteFrom('notifications').where('id', '=', job.notificationId).execute();
      throw error;
    }
    const errorCode = error.vendorCode ?? error.kind;
    if (error.kind === 'opted_out' || error.kind === 'invalid_recipient') {
      await ctx.db.transaction().execute(async (trx) => {
        await updateRow(trx, job.notificationId, { status: 'failed', errorCode }, ctx.clock.now());
        if (error.kind === 'opted_out' && job.channel === 'sms') {
          await setConsent(trx, {
            orgId: job.orgId,
            customerId: customer.id,
            channel: 'sms',
            state: 'revoked',
            source: `twilio:${errorCode}`,
            at: ctx.clock.now(),
            actor: { type: 'system', id: 'notifications' },
          });
        }
      });
      return 'next';
    }
    const status = error.kind === 'unknown_outcome' ? 'unknown' : 'failed';
    await markOutcome(ctx, job.notificationId, job, job.channel, { status, errorCode });
    return status === 'failed' ? 'next' : 'stop';
  }
}

async function findNotification(db: Kysely<Database>, input: DeliverInput, channel: NotificationChannel) {
  return db
    .selectFrom('notifications')
    .select(['id', 'status', 'updated_at'])
    .where('org_id', '=', input.orgId)
    .where('case_id', '=', input.caseId)
    .where('stage', '=', input.stage)
    .where('channel', '=', channel)
    .executeTakeFirst();
}

/** Inserts the row that makes this worker the only sender; undefined when another got there first. */
async function claim(
  ctx: AppContext,
  input: DeliverInput,
  channel: NotificationChannel,
  locale: string,
  recipient: string | null,
): Promise<string | undefined> {
  const now = ctx.clock.now();
  const row = await ctx.db
    .insertInto('notifications')
    .values({
      id: randomUUID(),
      org_id: input.orgId,
      case_id: input.caseId,
      stage: input.stage,
      channel,
      status: 'sending',
      locale,
      recipient,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(['org_id', 'case_id', 'stage', 'channel']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

interface Outcome {
  readonly status: 'sent' | 'failed' | 'unknown';
  readonly vendorMessageId?: string;
  readonly errorCode?: string;
}

async function updateRow(trx: Kysely<Database>, id: string, outcome: Outcome, at: Date): Promise<void> {
  await trx
    .updateTable('notifications')
    .set({
      status: outcome.status,
      vendor_message_id: outcome.vendorMessageId ?? null,
      error_code: outcome.errorCode ?? null,
      ...(outcome.status === 'sent' ? { sent_at: at } : {}),
      updated_at: at,
    })
    .where('id', '=', id)
    .execute();
}

/** Records the outcome and its audit event together (`notification.sent` / `notification.failed`). */
async function markOutcome(
  ctx: AppContext,
  id: string,
  input: DeliverInput,
  channel: NotificationChannel,
  outcome: Outcome,
): Promise<void> {
  const at = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    await updateRow(trx, id, outcome, at);
    await appendAudit(trx, {
      orgId: input.orgId,
      caseId: input.caseId,
      actor: { type: 'system', id: 'notifications' },
      action: outcome.status === 'sent' ? 'notification.sent' : 'notification.failed',
      data:
        outcome.status === 'sent'
          ? { notificationId: id, channel, stage: input.stage }
          : {
              notificationId: id,
              channel,
              stage: input.stage,
              status: outcome.status,
              errorCode: outcome.errorCode ?? null,
            },
      at,
    });
  });
}
