import type { AppContext } from '../context.js';
import { AppError } from '../errors/app-error.js';
import { GatewayError, type PaymentGateway } from '../ports/payment-gateway.js';
import { GATEWAY_VENDORS, type GatewayVendor } from './gateway-credentials.js';
import { recordGatewayPayment } from './record-gateway-payment.js';

/** What one gateway said when asked for a customer's payments. */
export interface GatewayLookupResult {
  readonly gateway: GatewayVendor;
  /** ok: asked and answered; timeout: no answer within the gateway timeout; unavailable: it failed (see message). */
  readonly status: 'ok' | 'timeout' | 'unavailable';
  /** Payments the gateway returned for the email. */
  readonly found: number;
  /** Of those, payments the ledger did not know before. */
  readonly recorded: number;
  readonly message?: string | undefined;
}

export interface GatewayLookupReport {
  /** Why the gateways were asked: on request, or because the ledger knew no payment for the customer. */
  readonly trigger: 'requested' | 'no_ledger_match';
  /** Only the gateways the organisation has connected. */
  readonly gateways: readonly GatewayLookupResult[];
}

/**
 * Asks every gateway the organisation has connected for the payments made with this email
 * (`findPayments`) and records what they return in the ledger, with the refunds they already hold
 * (idempotent on the gateway's ids). All gateways are asked at once and the whole look-up is bounded by
 * the gateway timeout: a gateway that is down or slow is reported, never thrown, and whatever it
 * returns after the deadline is not written. The eligibility endpoint calls this; so may any other view
 * of a customer's payments (the helpdesk sidebars).
 */
export async function lookUpPaymentsAtGateways(
  ctx: AppContext,
  input: { readonly orgId: string; readonly email: string; readonly trigger: GatewayLookupReport['trigger'] },
): Promise<GatewayLookupReport> {
  const deadline = { passed: false };
  const timeoutMs = ctx.config.GATEWAY_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      deadline.passed = true;
      resolve('timeout');
    }, timeoutMs);
  });
  try {
    const asked = GATEWAY_VENDORS.map(async (vendor): Promise<GatewayLookupResult | undefined> => {
      const gateway = connected(ctx, input.orgId, vendor);
      if (!gateway) return undefined;
      const work = askGateway(ctx, { ...input, gateway, deadline });
      const answer = await Promise.race([work, expired]);
      if (answer === 'timeout') {
        work.catch(() => undefined); // it may still fail after we stopped waiting
        return { gateway: vendor, status: 'timeout', found: 0, recorded: 0, message: `no answer in ${timeoutMs} ms` };
      }
      return answer && { gateway: vendor, ...answer };
    });
    const results = (await Promise.all(asked)).filter((r): r is GatewayLookupResult => r !== undefined);
    return { trigger: input.trigger, gateways: results };
  } finally {
    clearTimeout(timer);
  }
}

/** The organisation's adapter for a vendor, or undefined when it has not connected that vendor. */
function connected(ctx: AppContext, orgId: string, vendor: GatewayVendor): PaymentGateway | undefined {
  try {
    return ctx.gateways.forPayment(orgId, vendor);
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') return undefined;
    throw error;
  }
}

async function askGateway(
  ctx: AppContext,
  input: { orgId: string; email: string; gateway: PaymentGateway; deadline: { passed: boolean } },
): Promise<Omit<GatewayLookupResult, 'gateway'> | undefined> {
  try {
    const { payments } = await input.gateway.findPayments({ email: input.email });
    let recorded = 0;
    for (const payment of payments) {
      if (input.deadline.passed) break;
      const result = await recordGatewayPayment(ctx, {
        orgId: input.orgId,
        gateway: input.gateway,
        payment,
        source: 'gateway_lookup',
        fallbackEmail: input.email,
      });
      if (result.created) recorded++;
    }
    return { status: 'ok', found: payments.length, recorded };
  } catch (error) {
    // Not configured for this organisation after all (stored settings absent): nothing to report.
    if (error instanceof AppError && error.code === 'not_found') return undefined;
    // The code and the vendor's code only: a vendor message may quote the email looked up.
    const facts = error instanceof GatewayError ? error.options : undefined;
    const code = error instanceof GatewayError ? error.code : 'unknown';
    ctx.logger.warn(
      { gateway: input.gateway.name, code, vendorCode: facts?.vendorCode, httpStatus: facts?.httpStatus },
      'payment look-up at the gateway failed',
    );
    const message = facts?.vendorCode ? `${code} (${facts.vendorCode})` : code;
    return { status: 'unavailable', found: 0, recorded: 0, message };
  }
}
