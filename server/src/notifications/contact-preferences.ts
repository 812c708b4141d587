import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/audit-log.js';
import type { Database } from '../db/schema.js';
import type { ConsentState, NotificationChannel } from './notification-tables.js';

export interface ContactPreferences {
  readonly locale: string;
  readonly sms: ConsentState | null;
  readonly email: ConsentState | null;
}

/** The customer's stored preferences; none stored → English, no SMS consent, email not revoked. */
export async function readContactPreferences(
  db: Kysely<Database>,
  orgId: string,
  customerId: string,
): Promise<ContactPreferences> {
  const row = await db
    .selectFrom('notification_contacts')
    .select(['locale', 'sms_consent', 'email_consent'])
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
  return { locale: row?.locale ?? 'en', sms: row?.sms_consent ?? null, email: row?.email_consent ?? null };
}

/**
 * Records consent given or revoked on one channel, with its source (`sms:STOP`, `sms:free_text`,
 * `twilio:21610`, `staff:<id>`, `portal`, `demo`…) and time, and audits the change (never the number
 * or address). A change to the state it already has is not recorded again.
 */
export async function setConsent(
  trx: Kysely<Database>,
  input: {
    readonly orgId: string;
    readonly customerId: string;
    readonly channel: NotificationChannel;
    readonly state: ConsentState;
    readonly source: string;
    readonly at: Date;
    readonly actor?: { readonly type: 'staff' | 'system' | 'customer'; readonly id?: string | null };
  },
): Promise<boolean> {
  const columns =
    input.channel === 'sms'
      ? { sms_consent: input.state, sms_consent_source: input.source, sms_consent_at: input.at }
      : { email_consent: input.state, email_consent_source: input.source, email_consent_at: input.at };
  const current = await trx
    .selectFrom('notification_contacts')
    .select(['sms_consent', 'email_consent'])
    .where('org_id', '=', input.orgId)
    .where('customer_id', '=', input.customerId)
    .forUpdate()
    .executeTakeFirst();
  const before = input.channel === 'sms' ? current?.sms_consent : current?.email_consent;
  if (before === input.state) return false;
  await trx
    .insertInto('notification_contacts')
    .values({ org_id: input.orgId, customer_id: input.customerId, ...columns, updated_at: input.at })
    .onConflict((oc) => oc.columns(['org_id', 'customer_id']).doUpdateSet({ ...columns, updated_at: input.at }))
    .execute();
  await appendAudit(trx, {
    orgId: input.orgId,
    actor: input.actor ?? { type: 'customer', id: null },
    action: input.state === 'granted' ? 'consent.granted' : 'consent.revoked',
    data: { customerId: input.customerId, channel: input.channel, source: input.source },
    at: input.at,
  });
  return true;
}

/** Stores the customer's message language. */
export async function setContactLocale(
  db: Kysely<Database>,
  input: { readonly orgId: string; readonly customerId: string; readonly locale: string; readonly at: Date },
): Promise<void> {
  await db
    .insertInto('notification_contacts')
    .values({ org_id: input.orgId, customer_id: input.customerId, locale: input.locale, updated_at: input.at })
    .onConflict((oc) =>
      oc.columns(['org_id', 'customer_id']).doUpdateSet({ locale: input.locale, updated_at: input.at }),
    )
    .execute();
}
