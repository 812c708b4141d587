import { SquareClient } from 'square';
import type { PaymentGateway } from '../../ports/payment-gateway.js';
import { type RunningSandbox, startSandboxServer } from '../../sandboxes/sandbox-server.js';
import {
  createSquareSandbox,
  type SquareSandbox,
  type SquareSandboxOptions,
} from '../../sandboxes/square/square-sandbox.js';
import { createSquareGateway } from './square-gateway.js';

/** Test-only: a Square sandbox on a real socket, our adapter and a bare SDK client pointed at it. */
export interface SquareRig {
  readonly sandbox: SquareSandbox;
  readonly server: RunningSandbox;
  readonly gateway: PaymentGateway;
  readonly sdk: SquareClient;
  close(): Promise<void>;
}

export const TEST_ACCESS_TOKEN = 'EAAAl-sandbox-refund-desk-token';

export async function startSquareRig(
  options: { readonly timeoutMs?: number; readonly sandbox?: SquareSandboxOptions } = {},
): Promise<SquareRig> {
  const sandbox = createSquareSandbox({ credentials: { accessToken: TEST_ACCESS_TOKEN }, ...options.sandbox });
  const server = await startSandboxServer(sandbox.app);
  const gateway = createSquareGateway({
    accessToken: TEST_ACCESS_TOKEN,
    baseUrl: server.url,
    timeoutMs: options.timeoutMs ?? 800,
  });
  const sdk = new SquareClient({ token: TEST_ACCESS_TOKEN, baseUrl: server.url, maxRetries: 0, timeoutInSeconds: 2 });
  return {
    sandbox,
    server,
    gateway,
    sdk,
    async close() {
      sandbox.close();
      await server.close();
    },
  };
}

let nextKey = 0;
/** A fresh idempotency key per call (tests need distinct attempts). */
export function freshKey(prefix = 'attempt'): string {
  nextKey += 1;
  return `${prefix}-${process.pid}-${nextKey}-${Date.now().toString(36)}`;
}

/** Takes a payment the way a merchant's checkout would: a customer, then CreatePayment with a test token. */
export async function payWithSdk(
  sdk: SquareClient,
  input: {
    readonly amount: number;
    readonly currency: string;
    readonly email: string;
    readonly sourceId?: string;
    readonly givenName?: string;
    readonly familyName?: string;
    readonly linkCustomer?: boolean;
  },
): Promise<string> {
  let customerId: string | undefined;
  if (input.linkCustomer !== false) {
    const { customer } = await sdk.customers.create({
      idempotencyKey: freshKey('customer'),
      givenName: input.givenName ?? 'Ada',
      familyName: input.familyName ?? 'Lovelace',
      emailAddress: input.email,
    });
    customerId = customer?.id;
  }
  const { payment } = await sdk.payments.create({
    sourceId: input.sourceId ?? 'cnon:card-nonce-ok',
    idempotencyKey: freshKey('payment'),
    amountMoney: { amount: BigInt(input.amount), currency: input.currency as 'USD' },
    autocomplete: true,
    customerId,
    buyerEmailAddress: input.linkCustomer === false ? input.email : undefined,
  });
  if (!payment?.id) throw new Error('CreatePayment returned no payment');
  return payment.id;
}
