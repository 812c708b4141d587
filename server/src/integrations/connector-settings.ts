/**
 * Per-organisation settings of an integration (Zendesk subdomain and tokens, Slack team and bot
 * token, Teams webhook URL, Twilio and SendGrid keys…), stored like gateway credentials: one
 * AES-256-GCM sealed JSON document per organisation and connector in `gateway_settings`, with
 * SECRETS_KEY. The default organisation's settings come from the environment instead.
 */
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { appendAudit } from '../audit/audit-log.js';
import type { Database } from '../db/schema.js';
import { AppError } from '../errors/app-error.js';
import { openSecret, sealSecret } from '../gateways/gateway-secrets.js';

/** Names an integration stores its settings under (never a gateway's name). */
export type ConnectorName = 'zendesk' | 'slack' | 'teams' | 'twilio' | 'sendgrid';

function aad(orgId: string, connector: ConnectorName): string {
  return `connector_settings:${orgId}:${connector}`;
}

/** The organisation's stored settings for a connector, or undefined (none stored, or no SECRETS_KEY). */
export async function loadConnectorSettings<T>(
  db: Kysely<Database>,
  secretsKey: string | undefined,
  orgId: string,
  connector: ConnectorName,
  schema: z.ZodType<T>,
): Promise<T | undefined> {
  if (!secretsKey) return undefined;
  const row = await db
    .selectFrom('gateway_settings')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('vendor', '=', connector)
    .executeTakeFirst();
  if (!row) return undefined;
  return schema.parse(JSON.parse(openSecret(secretsKey, row, aad(orgId, connector))));
}

/** Stores (replaces) the settings and audits which fields changed, never their values. */
export async function saveConnectorSettings<T extends Record<string, unknown>>(
  db: Kysely<Database>,
  secretsKey: string | undefined,
  input: {
    readonly orgId: string;
    readonly connector: ConnectorName;
    readonly settings: T;
    readonly staffId: string;
    readonly at: Date;
  },
): Promise<void> {
  if (!secretsKey) {
    throw new AppError('conflict', 'SECRETS_KEY is not set: connector settings cannot be stored encrypted');
  }
  const sealed = sealSecret(secretsKey, JSON.stringify(input.settings), aad(input.orgId, input.connector));
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('gateway_settings')
      .values({ org_id: input.orgId, vendor: input.connector, ...sealed, updated_at: input.at })
      .onConflict((oc) => oc.columns(['org_id', 'vendor']).doUpdateSet({ ...sealed, updated_at: input.at }))
      .execute();
    await appendAudit(trx, {
      orgId: input.orgId,
      actor: { type: 'staff', id: input.staffId },
      action: 'connector.configured',
      data: { connector: input.connector, fields: Object.keys(input.settings).sort() },
      at: input.at,
    });
  });
}
