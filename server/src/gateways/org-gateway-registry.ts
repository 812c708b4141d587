import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { AppError } from '../errors/app-error.js';
import type { Logger } from '../logger.js';
import { DEFAULT_ORG_SLUG } from '../orgs/seed.js';
import type { GatewayWebhookVerifier } from '../ports/gateway-webhook.js';
import type { GatewayName, PaymentGateway } from '../ports/payment-gateway.js';
import {
  connectVendor,
  credentialSchemas,
  type GatewayVendor,
  isGatewayVendor,
  type VendorConnection,
} from './gateway-credentials.js';
import { openSecret } from './gateway-secrets.js';

export interface OrgGatewayRegistryOptions {
  readonly db: Kysely<Database>;
  /** The default organisation's connections, built from the environment. */
  readonly defaults: ReadonlyMap<GatewayVendor, VendorConnection>;
  /** Unset: stored settings cannot be read, so only the default organisation is served. */
  readonly secretsKey?: string | undefined;
  readonly timeoutMs: number;
  /** Public origin (PUBLIC_URL) Square signs for other organisations' webhooks. */
  readonly publicUrl?: string | undefined;
  readonly logger: Logger;
}

export interface OrgGatewayRegistry {
  forPayment(orgId: string, gateway: string): PaymentGateway;
  verifierFor(orgId: string, gateway: string): Promise<GatewayWebhookVerifier | undefined>;
  invalidate(orgId: string, gateway: string): void;
}

/** The AAD binding an encrypted settings row to its organisation and vendor. */
export function settingsAad(orgId: string, vendor: string): string {
  return `gateway_settings:${orgId}:${vendor}`;
}

/**
 * The default organisation's gateways come from the environment; every other organisation's from its
 * encrypted `gateway_settings` (cached per organisation and vendor until `invalidate`).
 * `forPayment` is synchronous, so it hands out a thin adapter that resolves the real one on first use.
 */
export function createOrgGatewayRegistry(options: OrgGatewayRegistryOptions): OrgGatewayRegistry {
  const db = options.db;
  const cache = new Map<string, Promise<VendorConnection | undefined>>();
  let defaultOrgId: Promise<string | undefined> | undefined;

  const isDefaultOrg = async (orgId: string): Promise<boolean> => {
    defaultOrgId ??= db
      .selectFrom('organisations')
      .select('id')
      .where('slug', '=', DEFAULT_ORG_SLUG)
      .executeTakeFirst()
      .then((row) => row?.id);
    const found = await defaultOrgId;
    if (found === undefined) defaultOrgId = undefined; // not seeded yet: ask again next time
    return found === orgId;
  };

  const loadStored = async (orgId: string, vendor: GatewayVendor): Promise<VendorConnection | undefined> => {
    const key = options.secretsKey;
    if (!key) return undefined;
    const row = await db
      .selectFrom('gateway_settings')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('vendor', '=', vendor)
      .executeTakeFirst();
    if (!row) return undefined;
    const credentials = credentialSchemas[vendor].parse(JSON.parse(openSecret(key, row, settingsAad(orgId, vendor))));
    return connectVendor(vendor, credentials, {
      timeoutMs: options.timeoutMs,
      notificationUrl: options.publicUrl
        ? (request) => `${options.publicUrl?.replace(/\/$/, '')}${new URL(request.url).pathname}`
        : undefined,
    });
  };

  const connectionFor = (orgId: string, vendor: GatewayVendor): Promise<VendorConnection | undefined> => {
    const cacheKey = `${orgId}:${vendor}`;
    let pending = cache.get(cacheKey);
    if (!pending) {
      pending = (async () =>
        (await isDefaultOrg(orgId)) ? options.defaults.get(vendor) : loadStored(orgId, vendor))();
      cache.set(cacheKey, pending);
      pending.then(
        (found) => found === undefined && cache.delete(cacheKey),
        (error: unknown) => {
          cache.delete(cacheKey);
          options.logger.error({ err: error, orgId, vendor }, 'could not load gateway settings');
        },
      );
    }
    return pending;
  };

  const requireGateway = async (orgId: string, vendor: GatewayVendor): Promise<PaymentGateway> => {
    const connection = await connectionFor(orgId, vendor);
    if (!connection) throw new AppError('not_found', `no ${vendor} gateway is configured for this organisation`);
    return connection.gateway;
  };

  return {
    forPayment(orgId, gateway) {
      if (!isGatewayVendor(gateway)) throw new AppError('not_found', `no ${gateway} gateway is configured`);
      const use = () => requireGateway(orgId, gateway);
      return {
        name: gateway as GatewayName,
        refund: async (input) => (await use()).refund(input),
        getRefund: async (input) => (await use()).getRefund(input),
        listRefunds: async (input) => (await use()).listRefunds(input),
        getPayment: async (input) => (await use()).getPayment(input),
        findPayments: async (input) => (await use()).findPayments(input),
        listPayments: async (input) => (await use()).listPayments(input),
      };
    },
    async verifierFor(orgId, gateway) {
      if (!isGatewayVendor(gateway)) return undefined;
      return (await connectionFor(orgId, gateway))?.verifier;
    },
    invalidate(orgId, gateway) {
      cache.delete(`${orgId}:${gateway}`);
    },
  };
}
