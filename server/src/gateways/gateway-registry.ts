import { AppError } from '../errors/app-error.js';
import type { GatewayWebhookVerifier } from '../ports/gateway-webhook.js';
import type { PaymentGateway } from '../ports/payment-gateway.js';

/** Finds the gateway adapter an organisation uses for a payment's gateway. */
export interface GatewayRegistry {
  /** Throws not_found when the organisation has no such gateway configured. */
  forPayment(orgId: string, gateway: string): PaymentGateway;
  /** The organisation's webhook verifier for a gateway; undefined when it has none (answered 404). */
  verifierFor?(orgId: string, gateway: string): Promise<GatewayWebhookVerifier | undefined>;
  /** Drops cached adapters after an organisation's settings changed. */
  invalidate?(orgId: string, gateway: string): void;
}

/** One set of adapters for every organisation (the default organisation's environment, or tests). */
export function staticGatewayRegistry(
  gateways: ReadonlyArray<PaymentGateway>,
  verifiers: ReadonlyArray<GatewayWebhookVerifier> = [],
): GatewayRegistry {
  const byName = new Map(gateways.map((g) => [g.name as string, g]));
  const verifierByName = new Map(verifiers.map((v) => [v.gateway as string, v]));
  return {
    forPayment(_orgId, gateway) {
      const found = byName.get(gateway);
      if (!found) throw new AppError('not_found', `no ${gateway} gateway is configured`);
      return found;
    },
    async verifierFor(_orgId, gateway) {
      return verifierByName.get(gateway);
    },
  };
}
