import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Config } from '../config.js';
import { createZendeskHelpdesk } from '../connectors/zendesk/zendesk-helpdesk.js';
import type { Database } from '../db/schema.js';
import { loadConnectorSettings } from '../integrations/connector-settings.js';
import { findOrganisationBySlug } from '../orgs/organisations.js';
import type { Helpdesk } from '../ports/helpdesk.js';

/** An organisation's Zendesk: its API, the secrets its webhook and sidebar app sign with. */
export interface ZendeskConnection {
  readonly orgId: string;
  readonly subdomain: string;
  readonly helpdesk: Helpdesk;
  /** Webhook signing secrets (old and new while rotating). */
  readonly webhookSecrets: readonly string[];
  /** The sidebar app's shared secrets (old and new while rotating): older installs, read and request only. */
  readonly appSecrets: readonly string[];
  /** The sidebar app's signed URLs (proven agents); undefined → nobody is proven in this desk's sidebar. */
  readonly signedUrls: SignedUrlSettings | undefined;
  /** Origins that may frame the sidebar page (the account's agent interface). */
  readonly frameAncestors: readonly string[];
}

/** Where the signed-URL tokens of the sidebar app come from: its installation (their audience) and its public key. */
export interface SignedUrlSettings {
  readonly installationId: string;
  /** Read the key from Zendesk (`GET /api/v2/apps/{appId}/public_key.pem`) … */
  readonly appId?: string | undefined;
  /** … unless it is configured (PEM). */
  readonly publicKeyPem?: string | undefined;
}

/** What `PUT /api/v1/connectors/zendesk` stores (encrypted) for an organisation other than the default. */
export const zendeskSettingsSchema = z
  .object({
    subdomain: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'the part before .zendesk.com'),
    email: z.email(),
    apiToken: z.string().min(1).max(200),
    webhookSecret: z.string().min(1).max(500),
    appSecret: z.string().min(1).max(500),
    /** The sidebar app's installation id and how to get its public key (signed URLs: proven agents). */
    appInstallationId: z
      .string()
      .regex(/^[1-9][0-9]{0,18}$/)
      .optional(),
    appId: z
      .string()
      .regex(/^[1-9][0-9]{0,18}$/)
      .optional(),
    appPublicKey: z.string().max(5000).includes('PUBLIC KEY').optional(),
  })
  .strict()
  .refine((s) => !s.appInstallationId || s.appId || s.appPublicKey, {
    message: 'appInstallationId needs appId or appPublicKey',
    path: ['appId'],
  });

export type ZendeskSettings = z.infer<typeof zendeskSettingsSchema>;

/** "old,new" → both. */
export function splitSecrets(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export interface ZendeskConnections {
  /** The organisation's connection, or undefined when it has no Zendesk configured. */
  forOrg(orgId: string): Promise<ZendeskConnection | undefined>;
  /** The organisation behind a URL slug (undefined: none) and its connection; slugs never change owner, so cached. */
  forSlug(
    slug: string,
  ): Promise<{ readonly orgId: string; readonly connection: ZendeskConnection | undefined } | undefined>;
  /** Forget a cached connection (its settings changed). */
  invalidate(orgId: string): void;
}

const CACHE_MS = 60_000;

/**
 * The default organisation's connection comes from the environment (or the sandbox); others are
 * read from their stored connector settings, cached for a minute.
 */
export function createZendeskConnections(input: {
  readonly db: Kysely<Database>;
  readonly config: Config;
  readonly defaultSlug: string;
  readonly defaultConnection: Omit<ZendeskConnection, 'orgId'> | undefined;
}): ZendeskConnections {
  const cache = new Map<string, { connection: ZendeskConnection | undefined; until: number }>();
  const orgIdBySlug = new Map<string, string>();
  async function load(orgId: string): Promise<ZendeskConnection | undefined> {
    const org = await input.db.selectFrom('organisations').select('slug').where('id', '=', orgId).executeTakeFirst();
    if (!org) return undefined;
    if (org.slug === input.defaultSlug) return input.defaultConnection && { ...input.defaultConnection, orgId };
    const settings = await loadConnectorSettings(
      input.db,
      input.config.SECRETS_KEY,
      orgId,
      'zendesk',
      zendeskSettingsSchema,
    );
    if (!settings) return undefined;
    return {
      orgId,
      subdomain: settings.subdomain,
      helpdesk: createZendeskHelpdesk({
        baseUrl: `https://${settings.subdomain}.zendesk.com`,
        email: settings.email,
        apiToken: settings.apiToken,
      }),
      webhookSecrets: splitSecrets(settings.webhookSecret),
      appSecrets: splitSecrets(settings.appSecret),
      signedUrls: settings.appInstallationId
        ? {
            installationId: settings.appInstallationId,
            appId: settings.appId,
            publicKeyPem: settings.appPublicKey,
          }
        : undefined,
      frameAncestors: [`https://${settings.subdomain}.zendesk.com`],
    };
  }
  const forOrg = async (orgId: string) => {
    const hit = cache.get(orgId);
    if (hit && hit.until > Date.now()) return hit.connection;
    const connection = await load(orgId);
    cache.set(orgId, { connection, until: Date.now() + CACHE_MS });
    return connection;
  };
  return {
    forOrg,
    async forSlug(slug) {
      let orgId = orgIdBySlug.get(slug);
      if (!orgId) {
        orgId = (await findOrganisationBySlug(input.db, slug))?.id;
        if (!orgId) return undefined;
        if (orgIdBySlug.size < 1000) orgIdBySlug.set(slug, orgId);
      }
      return { orgId, connection: await forOrg(orgId) };
    },
    invalidate: (orgId) => void cache.delete(orgId),
  };
}
