/**
 * Modes. A vendor without credentials in the environment runs as its sandbox: a wire-compatible fake on
 * its own loopback port, with the same official-SDK adapter pointed at it. `SANDBOX=true` forces every
 * vendor to its sandbox, which then signs webhooks with the configured secrets (STRIPE_WEBHOOK_SECRET,
 * SQUARE_WEBHOOK_SIGNATURE_KEY, PAYPAL_WEBHOOK_ID) so demos and tests use known secrets; otherwise a
 * sandbox signs with a generated secret that its verifier is also given. With credentials the adapters
 * talk to the vendor's live API, and webhooks verify with the configured secret (none: no verifier, 404).
 *
 * Further organisations keep their credentials in `gateway_settings`, encrypted with SECRETS_KEY.
 * Without SECRETS_KEY the registry serves only the default organisation (from the environment).
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { DEFAULT_ORG_SLUG } from '../orgs/seed.js';
import type { GatewayWebhookVerifier } from '../ports/gateway-webhook.js';
import type { GatewaySandbox } from '../sandboxes/gateway-sandbox.js';
import { createPayPalSandbox } from '../sandboxes/paypal/paypal-sandbox.js';
import { type RunningSandbox, startSandboxServer } from '../sandboxes/sandbox-server.js';
import { createSquareSandbox } from '../sandboxes/square/square-sandbox.js';
import { createStripeSandbox } from '../sandboxes/stripe/stripe-sandbox.js';
import {
  connectVendor,
  GATEWAY_VENDORS,
  type GatewayVendor,
  newestSecret,
  type VendorConnection,
  type VendorCredentials,
} from './gateway-credentials.js';
import type { GatewayRegistry } from './gateway-registry.js';
import { createOrgGatewayRegistry } from './org-gateway-registry.js';

export interface SandboxHandle {
  readonly url: string;
  readonly sandbox: GatewaySandbox;
}

export interface GatewaySetup {
  readonly registry: GatewayRegistry;
  /** The default organisation's verifiers. */
  readonly verifiers: ReadonlyMap<GatewayVendor, GatewayWebhookVerifier>;
  /** The vendors running as sandboxes, with their base URLs. */
  readonly sandboxes: Readonly<Partial<Record<GatewayVendor, SandboxHandle>>>;
  /** Where sandboxes deliver webhooks (`{base}/webhooks/{vendor}/default`); PUBLIC_URL wins when set. */
  setWebhookBase(url: string): void;
  /** The URL a vendor's sandbox posts to (undefined until a base is known). */
  webhookUrl(vendor: GatewayVendor): string | undefined;
  close(): Promise<void>;
}

type SetupConfig = Pick<
  Config,
  | 'SANDBOX'
  | 'PUBLIC_URL'
  | 'SECRETS_KEY'
  | 'GATEWAY_TIMEOUT_MS'
  | 'STRIPE_SECRET_KEY'
  | 'STRIPE_WEBHOOK_SECRET'
  | 'PAYPAL_CLIENT_ID'
  | 'PAYPAL_CLIENT_SECRET'
  | 'PAYPAL_WEBHOOK_ID'
  | 'SQUARE_ACCESS_TOKEN'
  | 'SQUARE_WEBHOOK_SIGNATURE_KEY'
>;

/** True when the vendor runs as its sandbox under this configuration. */
export function isSandboxed(config: SetupConfig, vendor: GatewayVendor): boolean {
  if (config.SANDBOX) return true;
  if (vendor === 'stripe') return !config.STRIPE_SECRET_KEY;
  if (vendor === 'paypal') return !(config.PAYPAL_CLIENT_ID && config.PAYPAL_CLIENT_SECRET);
  return !config.SQUARE_ACCESS_TOKEN;
}

const random = (bytes = 18) =>
  randomBytes(bytes)
    .toString('base64url')
    .replace(/[^A-Za-z0-9]/g, '0');

/**
 * Credentials a sandbox accepts and the adapter presents: the configured ones when given (SANDBOX=true with
 * known keys, for tests and demos), else generated; likewise the webhook secret the sandbox signs with.
 */
function sandboxCredentials(config: SetupConfig): VendorCredentials {
  return {
    stripe: {
      secretKey: config.STRIPE_SECRET_KEY ?? `sk_test_${random()}`,
      webhookSecret: newestSecret(config.STRIPE_WEBHOOK_SECRET) ?? `whsec_${random(24)}`,
    },
    paypal: {
      clientId: config.PAYPAL_CLIENT_ID ?? `sandbox-${random()}`,
      clientSecret: config.PAYPAL_CLIENT_SECRET ?? random(24),
      webhookId: newestSecret(config.PAYPAL_WEBHOOK_ID) ?? `WH-SANDBOX-${random(12)}`,
      environment: 'sandbox',
    },
    square: {
      accessToken: config.SQUARE_ACCESS_TOKEN ?? `EAAA-sandbox-${random()}`,
      webhookSignatureKey: newestSecret(config.SQUARE_WEBHOOK_SIGNATURE_KEY) ?? random(24),
    },
  };
}

function liveCredentials<V extends GatewayVendor>(config: SetupConfig, vendor: V): VendorCredentials[V] {
  const byVendor: { [K in GatewayVendor]: () => VendorCredentials[K] } = {
    stripe: () => ({ secretKey: config.STRIPE_SECRET_KEY ?? '', webhookSecret: config.STRIPE_WEBHOOK_SECRET }),
    paypal: () => ({
      clientId: config.PAYPAL_CLIENT_ID ?? '',
      clientSecret: config.PAYPAL_CLIENT_SECRET ?? '',
      webhookId: config.PAYPAL_WEBHOOK_ID,
      environment: 'live',
    }),
    square: () => ({
      accessToken: config.SQUARE_ACCESS_TOKEN ?? '',
      webhookSignatureKey: config.SQUARE_WEBHOOK_SIGNATURE_KEY,
    }),
  };
  return byVendor[vendor]();
}

function createSandbox(vendor: GatewayVendor, credentials: VendorCredentials): GatewaySandbox & { close?(): void } {
  if (vendor === 'stripe') return createStripeSandbox({ credentials: { secretKey: credentials.stripe.secretKey } });
  if (vendor === 'paypal') {
    const { clientId, clientSecret } = credentials.paypal;
    return createPayPalSandbox({ credentials: { clientId, clientSecret } });
  }
  return createSquareSandbox({ credentials: { accessToken: credentials.square.accessToken } });
}

/** Builds the default organisation's gateways from the environment, starting sandboxes where needed. */
export async function createGatewaySetup(
  config: SetupConfig,
  options: { readonly db: Kysely<Database>; readonly logger: Logger },
): Promise<GatewaySetup> {
  const generated = sandboxCredentials(config);
  const defaults = new Map<GatewayVendor, VendorConnection>();
  const sandboxes: Partial<Record<GatewayVendor, SandboxHandle>> = {};
  const running: Array<{ server: RunningSandbox; sandbox: GatewaySandbox & { close?(): void } }> = [];
  let webhookBase: string | undefined;
  const webhookUrl = (vendor: GatewayVendor) =>
    webhookBase ? `${webhookBase}/webhooks/${vendor}/${DEFAULT_ORG_SLUG}` : undefined;
  const publicBase = config.PUBLIC_URL?.replace(/\/$/, '');

  try {
    for (const vendor of GATEWAY_VENDORS) {
      if (!isSandboxed(config, vendor)) {
        defaults.set(
          vendor,
          connectVendor(vendor, liveCredentials(config, vendor), {
            timeoutMs: config.GATEWAY_TIMEOUT_MS,
            notificationUrl: publicBase ? (request) => `${publicBase}${new URL(request.url).pathname}` : undefined,
          }),
        );
        continue;
      }
      const sandbox = createSandbox(vendor, generated);
      const server = await startSandboxServer(sandbox.app);
      running.push({ server, sandbox });
      sandboxes[vendor] = { url: server.url, sandbox };
      defaults.set(
        vendor,
        connectVendor(vendor, generated[vendor], {
          baseUrl: server.url,
          timeoutMs: config.GATEWAY_TIMEOUT_MS,
          // Square signs the exact URL it posted to: the sandbox's target.
          notificationUrl: (request) => webhookUrl(vendor) ?? request.url,
        }),
      );
    }
  } catch (error) {
    await Promise.all(running.map((r) => r.server.close()));
    throw error;
  }

  const secretOf = (vendor: GatewayVendor): string =>
    vendor === 'stripe'
      ? (generated.stripe.webhookSecret ?? '')
      : vendor === 'paypal'
        ? (generated.paypal.webhookId ?? '')
        : (generated.square.webhookSignatureKey ?? '');

  const verifiers = new Map<GatewayVendor, GatewayWebhookVerifier>();
  for (const [vendor, connection] of defaults) if (connection.verifier) verifiers.set(vendor, connection.verifier);

  return {
    registry: createOrgGatewayRegistry({
      db: options.db,
      defaults,
      secretsKey: config.SECRETS_KEY,
      timeoutMs: config.GATEWAY_TIMEOUT_MS,
      publicUrl: publicBase,
      logger: options.logger,
    }),
    verifiers,
    sandboxes,
    setWebhookBase(url) {
      webhookBase = (publicBase ?? url).replace(/\/$/, '');
      for (const vendor of GATEWAY_VENDORS) {
        const handle = sandboxes[vendor];
        const target = webhookUrl(vendor);
        if (handle && target) handle.sandbox.setWebhookTarget({ url: target, secret: secretOf(vendor) });
      }
    },
    webhookUrl,
    async close() {
      for (const { sandbox } of running) sandbox.close?.();
      await Promise.all(running.map((r) => r.server.close()));
    },
  };
}
