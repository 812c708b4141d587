import { AppError } from '../errors/app-error.js';
import type { PaymentGateway } from '../ports/payment-gateway.js';

/** Finds the gateway adapter an organisation uses for a payment's gateway. */
export interface GatewayRegistry {
  /** Throws not_found when the organisation has no such gateway configured. */
  forPayment(orgId: string, gateway: string): PaymentGateway;
}

/** One set of adapters for every organisation (the default organisation's environment, or tests). */
export function staticGatewayRegistry(gateways: ReadonlyArray<PaymentGateway>): GatewayRegistry {
  const byName = new Map(gateways.map((g) => [g.name as string, g]));
  return {
    forPayment(_orgId, gateway) {
      const found = byName.get(gateway);
      if (!found) throw new AppError('not_found', `no ${gateway} gateway is configured`);
      return found;
    },
  };
}
