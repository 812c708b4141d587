/** A booted desk with the Zendesk integration on real sockets, its sandboxes, and helpers to speak to both. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { bootDesk, type RunningDesk } from '../../server/src/boot.js';
import { parseConfig } from '../../server/src/config.js';
import { signZafJwt, type ZafClaims } from '../../server/src/connectors/zendesk/zendesk-jwt.js';
import { zendeskWebhookHeaders } from '../../server/src/connectors/zendesk/zendesk-signature.js';
import type { Backend } from '../../server/src/db/database.js';
import type { IntegrationFactory } from '../../server/src/integrations/integration.js';
import { workerRegistrations } from '../../server/src/workers.js';
import { createZendeskIntegration } from '../../server/src/zendesk/zendesk-integration.js';
import { createPostgresDatabase } from './databases.js';

/** Known secrets: with SANDBOX=true the sandboxes sign with these and accept these keys. */
export const ZENDESK_TEST_ENV = {
  SANDBOX: 'true',
  ZENDESK_SUBDOMAIN: 'acme-test',
  ZENDESK_EMAIL: 'api@acme-test.example',
  ZENDESK_API_TOKEN: 'zd-test-token',
  ZENDESK_WEBHOOK_SECRET: 'zd-webhook-old,zd-webhook-secret',
  ZENDESK_APP_SECRET: 'zd-app-secret',
  STRIPE_SECRET_KEY: 'sk_test_zendesk_suite',
  GATEWAY_TIMEOUT_MS: '3000',
} as const;
export const WEBHOOK_SECRET = 'zd-webhook-secret';
export const APP_SECRET = 'zd-app-secret';
export const AUDIENCE = 'zendesk:acme-test';

export interface SandboxUserView {
  readonly id: number;
  readonly email: string;
  readonly name: string;
}

export interface ZendeskDesk {
  readonly desk: RunningDesk;
  readonly url: string;
  readonly zendeskUrl: string;
  readonly stripeUrl: string;
  readonly tokens: Readonly<Record<string, string>>;
  /** A sandbox agent by staff email (or the unknown agent). */
  agent(email: string): Promise<SandboxUserView>;
  /** A captured Stripe sandbox payment recorded in the ledger, and a ticket for its customer. */
  customerWithTicket(
    amount: string,
    options?: {
      email?: string;
      kind?: 'card' | 'card_refund_fails';
      /** On the payment's customer and on the ticket's requester: the match is then verified. */
      phone?: string;
    },
  ): Promise<{ email: string; ticketId: string; paymentRef: string }>;
  /** A sidebar JWT as Zendesk's proxy would sign it. */
  jwt(userId: number, ticketId: string, overrides?: Partial<ZafClaims>, secret?: string): string;
  sidebar(
    method: 'GET' | 'POST',
    pathAfterOrg: string,
    auth: { token: string },
    body?: unknown,
    headers?: Record<string, string>,
    // biome-ignore lint/suspicious/noExplicitAny: the sidebar API's JSON, read by the tests
  ): Promise<{ status: number; body: any }>;
  /** Posts a webhook body signed like Zendesk. */
  webhook(body: string, options?: { invocationId?: string; timestamp?: string; secret?: string }): Promise<Response>;
  // biome-ignore lint/suspicious/noExplicitAny: the sandbox's JSON, read by the tests
  sandbox(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<any>;
  /** Refunds the Stripe sandbox holds for a payment (every attempt, failed ones too). */
  gatewayRefunds(paymentRef: string): Promise<unknown[]>;
  stop(): Promise<void>;
}

let emails = 0;

export async function startZendeskDesk(
  backend: Backend,
  env: Record<string, string> = {},
  options: { readonly moreIntegrations?: ReadonlyArray<IntegrationFactory> } = {},
): Promise<ZendeskDesk> {
  const pg = backend === 'postgres' ? await createPostgresDatabase() : undefined;
  const dataDir = backend === 'pglite' ? mkdtempSync(path.join(os.tmpdir(), 'rd-zendesk-')) : undefined;
  const config = parseConfig({
    ...ZENDESK_TEST_ENV,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    ...(pg ? { DATABASE_URL: pg.connectionString } : { DATA_DIR: dataDir }),
    ...env,
  });
  const desk = await bootDesk({
    config,
    logger: pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' }),
    workers: workerRegistrations(),
    integrations: [createZendeskIntegration, ...(options.moreIntegrations ?? [])],
    caseEventIntervalMs: 100,
  });
  const url = desk.url as string;
  const zendeskUrl = desk.sandboxes['zendesk'] as string;
  const stripeUrl = desk.sandboxes['stripe'] as string;
  const tokens = Object.fromEntries((desk.firstStart?.tokens ?? []).map((t) => [t.role, t.token]));
  // biome-ignore lint/suspicious/noExplicitAny: the sandbox's JSON, read by the tests
  const sandbox = async (method: string, p: string, body?: unknown): Promise<any> => {
    const response = await fetch(`${zendeskUrl}${p}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`sandbox ${method} ${p}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? undefined : response.json();
  };

  return {
    desk,
    url,
    zendeskUrl,
    stripeUrl,
    tokens,
    sandbox,
    async agent(email) {
      const { users } = (await sandbox('GET', '/__sandbox/users')) as { users: SandboxUserView[] };
      const user = users.find((u) => u.email === email);
      if (!user) throw new Error(`no sandbox user ${email}`);
      return user;
    },
    async customerWithTicket(amount, options = {}) {
      emails += 1;
      const email = options.email ?? `zd-customer-${emails}-${randomUUID().slice(0, 8)}@example.com`;
      const cents = Math.round(Number(amount) * 100);
      const created = await fetch(`${stripeUrl}/__sandbox/payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          amount: cents,
          currency: 'USD',
          email,
          name: 'Zed Customer',
          kind: options.kind ?? 'card',
        }),
      });
      const { paymentRef } = (await created.json()) as { paymentRef: string };
      const recorded = await fetch(`${url}/api/v1/payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens['admin']}` },
        body: JSON.stringify({
          payments: [
            {
              gateway: 'stripe',
              gatewayPaymentId: paymentRef,
              amount,
              currency: 'USD',
              capturedAt: new Date(Date.now() - 3600_000).toISOString(),
              method: { type: 'card', brand: 'visa', last4: '4242', expMonth: 12, expYear: 2099, funding: 'credit' },
              customer: { email, name: 'Zed Customer', ...(options.phone ? { phone: options.phone } : {}) },
            },
          ],
        }),
      });
      if (!recorded.ok) throw new Error(`payment not recorded: ${recorded.status} ${await recorded.text()}`);
      const { ticket } = (await sandbox('POST', '/__sandbox/tickets', {
        subject: 'Please refund',
        requesterEmail: email,
        requesterName: 'Zed Customer',
        ...(options.phone ? { requesterPhone: options.phone } : {}),
      })) as { ticket: { id: number } };
      return { email, ticketId: String(ticket.id), paymentRef };
    },
    jwt(userId, ticketId, overrides = {}, secret = APP_SECRET) {
      const iat = Math.floor(Date.now() / 1000);
      return signZafJwt(
        {
          iss: 'refund-desk-sidebar',
          aud: AUDIENCE,
          sub: String(userId),
          ticket_id: ticketId,
          jti: randomUUID(),
          iat,
          exp: iat + 120,
          ...overrides,
        },
        secret,
      );
    },
    async sidebar(method, pathAfterOrg, auth, body, headers = {}) {
      const response = await fetch(`${url}/zendesk/sidebar/v1/default${pathAfterOrg}`, {
        method,
        headers: {
          authorization: `Bearer ${auth.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    async gatewayRefunds(paymentRef) {
      const response = await fetch(`${stripeUrl}/v1/refunds?payment_intent=${paymentRef}`, {
        headers: { authorization: `Bearer ${ZENDESK_TEST_ENV.STRIPE_SECRET_KEY}` },
      });
      return ((await response.json()) as { data: unknown[] }).data;
    },
    webhook(body, options = {}) {
      const headers = zendeskWebhookHeaders(options.secret ?? WEBHOOK_SECRET, body, {
        invocationId: options.invocationId ?? randomUUID(),
        ...(options.timestamp ? { timestamp: options.timestamp } : {}),
      });
      return fetch(`${url}/webhooks/zendesk/default`, { method: 'POST', headers, body });
    },
    async stop() {
      await desk.stop();
      await pg?.drop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
