import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Config } from '../config.js';
import { createSendgridEmailSender } from '../connectors/sendgrid/sendgrid-email-sender.js';
import { createTwilioSmsSender } from '../connectors/twilio/twilio-sms-sender.js';
import type { Database } from '../db/schema.js';
import { loadConnectorSettings } from '../integrations/connector-settings.js';
import type { NotifierChannels } from '../ports/notifier.js';

/** What an organisation other than the default stores through `PUT /api/v1/notifications/connectors/{vendor}`. */
export const messagingSettingsSchemas = {
  twilio: z
    .object({
      accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/),
      authToken: z.string().min(1),
      from: z.string().regex(/^(\+[1-9][0-9]{6,14}|MG[0-9a-fA-F]{32})$/),
    })
    .strict(),
  sendgrid: z
    .object({ apiKey: z.string().min(1), from: z.email(), webhookPublicKey: z.string().min(1).optional() })
    .strict(),
} as const;

export interface NotifierRegistry {
  channelsFor(orgId: string): Promise<NotifierChannels>;
  /** Forget an organisation's cached channels (its settings changed). */
  invalidate(orgId: string): void;
}

/**
 * Channels per organisation: the default organisation's come from the environment (or the
 * sandboxes); the others' from their encrypted connector settings, against the live vendors.
 */
export function createNotifierRegistry(deps: {
  readonly db: Kysely<Database>;
  readonly config: Config;
  readonly defaultOrgSlug: string;
  readonly defaults: NotifierChannels;
}): NotifierRegistry {
  const cache = new Map<string, Promise<NotifierChannels>>();
  const build = async (orgId: string): Promise<NotifierChannels> => {
    const org = await deps.db.selectFrom('organisations').select('slug').where('id', '=', orgId).executeTakeFirst();
    if (!org) return {};
    if (org.slug === deps.defaultOrgSlug) return deps.defaults;
    const key = deps.config.SECRETS_KEY;
    const twilio = await loadConnectorSettings(deps.db, key, orgId, 'twilio', messagingSettingsSchemas.twilio);
    const sendgrid = await loadConnectorSettings(deps.db, key, orgId, 'sendgrid', messagingSettingsSchemas.sendgrid);
    return {
      sms: twilio ? createTwilioSmsSender(twilio) : undefined,
      twilioAuthToken: twilio?.authToken,
      email: sendgrid ? createSendgridEmailSender(sendgrid) : undefined,
      sendgridPublicKey: sendgrid?.webhookPublicKey,
    };
  };
  return {
    channelsFor(orgId) {
      let channels = cache.get(orgId);
      if (!channels) {
        channels = build(orgId);
        channels.catch(() => cache.delete(orgId));
        cache.set(orgId, channels);
      }
      return channels;
    },
    invalidate: (orgId) => cache.delete(orgId),
  };
}
