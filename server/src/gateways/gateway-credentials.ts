import { z } from 'zod';
import { createPayPalGateway } from '../connectors/paypal/paypal-gateway.js';
import { createPayPalWebhookVerifier } from '../connectors/paypal/paypal-webhook.js';
import { createSquareGateway } from '../connectors/square/square-gateway.js';
import { createSquareWebhookVerifier } from '../connectors/square/square-webhook.js';
import { createStripeGateway } from '../connectors/stripe/stripe-gateway.js';
import { createStripeWebhookVerifier } from '../connectors/stripe/stripe-webhook.js';
import type { GatewayWebhookVerifier, WebhookRequest } from '../ports/gateway-webhook.js';
import type { PaymentGateway } from '../ports/payment-gateway.js';

/** The gateways an organisation can connect. */
export const GATEWAY_VENDORS = ['stripe', 'paypal', 'square'] as const;
export type GatewayVendor = (typeof GATEWAY_VENDORS)[number];

export function isGatewayVendor(value: string): value is GatewayVendor {
  return (GATEWAY_VENDORS as readonly string[]).includes(value);
}

const secret = z.string().min(1).max(512);

/** What an admin gives per vendor (PUT /api/v1/gateways/{vendor}); stored encrypted, never echoed. */
export const credentialSchemas = {
  stripe: z
    .object({
      secretKey: z.string().regex(/^(sk|rk)_[A-Za-z0-9_]+$/, 'a Stripe sk_… or rk_… key'),
      webhookSecret: secret.optional(),
    })
    .strict(),
  paypal: z
    .object({
      clientId: secret,
      clientSecret: secret,
      webhookId: secret.optional(),
      environment: z.enum(['sandbox', 'live']).default('live'),
    })
    .strict(),
  square: z.object({ accessToken: secret, webhookSignatureKey: secret.optional() }).strict(),
} as const;

export type VendorCredentials = {
  readonly stripe: z.infer<(typeof credentialSchemas)['stripe']>;
  readonly paypal: z.infer<(typeof credentialSchemas)['paypal']>;
  readonly square: z.infer<(typeof credentialSchemas)['square']>;
};

/** An organisation's live link to one gateway: the adapter, and a verifier when a webhook secret is known. */
export interface VendorConnection {
  readonly gateway: PaymentGateway;
  readonly verifier: GatewayWebhookVerifier | undefined;
}

export interface ConnectOptions {
  /** API origin instead of the vendor's (a sandbox). */
  readonly baseUrl?: string | undefined;
  readonly timeoutMs: number;
  /** Square signs the notification URL: how to rebuild it for a request. */
  readonly notificationUrl?: ((request: WebhookRequest) => string) | undefined;
}

/** Builds the adapter and verifier for one vendor's credentials; throws on unusable configuration. */
export function connectVendor<V extends GatewayVendor>(
  vendor: V,
  credentials: VendorCredentials[V],
  options: ConnectOptions,
): VendorConnection {
  const baseUrl = options.baseUrl;
  switch (vendor) {
    case 'stripe': {
      const c = credentials as VendorCredentials['stripe'];
      return {
        gateway: createStripeGateway({
          secretKey: c.secretKey,
          timeoutMs: options.timeoutMs,
          ...(baseUrl ? { baseUrl } : {}),
        }),
        verifier: c.webhookSecret ? createStripeWebhookVerifier({ secrets: secretList(c.webhookSecret) }) : undefined,
      };
    }
    case 'paypal': {
      const c = credentials as VendorCredentials['paypal'];
      const common = { clientId: c.clientId, clientSecret: c.clientSecret, timeoutMs: options.timeoutMs };
      const apiBase = baseUrl ?? (c.environment === 'sandbox' ? 'https://api-m.sandbox.paypal.com' : undefined);
      return {
        gateway: createPayPalGateway({ ...common, baseUrl, environment: c.environment }),
        verifier: c.webhookId
          ? createPayPalWebhookVerifier({ ...common, webhookId: secretList(c.webhookId), baseUrl: apiBase })
          : undefined,
      };
    }
    case 'square': {
      const c = credentials as VendorCredentials['square'];
      return {
        gateway: createSquareGateway({ accessToken: c.accessToken, baseUrl, timeoutMs: options.timeoutMs }),
        verifier: c.webhookSignatureKey
          ? createSquareWebhookVerifier({
              signatureKeys: secretList(c.webhookSignatureKey),
              notificationUrl: options.notificationUrl,
            })
          : undefined,
      };
    }
    default:
      throw new Error(`unknown gateway vendor "${String(vendor)}"`);
  }
}

/** "old,new" during a rotation: every listed secret verifies; the last one is the newest. */
export function secretList(value: string): string[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/** The secret to sign with (the newest of a rotation list). */
export function newestSecret(value: string | undefined): string | undefined {
  return value === undefined ? undefined : secretList(value).at(-1);
}
