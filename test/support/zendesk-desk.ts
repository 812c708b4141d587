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
import type { ZendeskSandbox } from '../../server/src/sandboxes/zendesk/zendesk-sandbox.js';
import { SANDBOX_TICKET_FIELDS } from '../../server/src/sandboxes/zendesk/zendesk-sandbox-store.js';
import { workerRegistrations } from '../../server/src/workers.js';
import { createZendeskIntegration, type ZendeskIntegration } from '../../server/src/zendesk/zendesk-integration.js';
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

export interface SidebarPageSession {
  readonly token: string;
  readonly apiBase: string;
  readonly expiresAt: string;
  readonly viewer: { readonly name: string | null; readonly readOnly: boolean };
}

const unescapeHtml = (value: string) =>
  value
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

export interface ZendeskDesk {
  readonly desk: RunningDesk;
  readonly url: string;
  readonly zendeskUrl: string;
  readonly stripeUrl: string;
  readonly tokens: Readonly<Record<string, string>>;
  /** The Zendesk sandbox itself (it holds the app's key pair, like Zendesk). */
  readonly zendesk: ZendeskSandbox;
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
      /** The ticket's "Refund reason" field (a tag-driven refund's reason code). */
      reason?: string;
    },
  ): Promise<{ email: string; ticketId: string; paymentRef: string }>;
  /** An older install's sidebar JWT (HS256) as Zendesk's proxy would sign it. */
  jwt(userId: number, ticketId: string, overrides?: Partial<ZafClaims>, secret?: string): string;
  /** The signed-URL token the Zendesk sandbox POSTs to the app's location URL for this agent (scraped from its app frame). */
  zendeskAppToken(userId: number): Promise<string>;
  /** POSTs a token to the sidebar's location URL like Zendesk's app frame does; the page and its embedded session. */
  openSidebar(token: string): Promise<{ status: number; html: string; session: SidebarPageSession | undefined }>;
  /** Opens the sidebar as this agent (signed URL) and returns its session token. */
  signIn(userId: number): Promise<string>;
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

  const lastTokens = new Map<number, string>();
  const zendeskAppToken = async (userId: number): Promise<string> => {
    // Zendesk's token has second resolution: the same agent loading the app twice in one second gets the
    // same token, which we refuse as a replay; a test that signs in again waits for the next one
    for (;;) {
      const frame = await fetch(`${zendeskUrl}/preview/app-frame?user=${userId}`);
      if (!frame.ok) throw new Error(`app frame for ${userId}: ${frame.status} ${await frame.text()}`);
      const token = /name="token" value="([^"]+)"/.exec(await frame.text())?.[1];
      if (!token) throw new Error('the app frame carries no token');
      if (token !== lastTokens.get(userId)) {
        lastTokens.set(userId, token);
        return token;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const openSidebar = async (token: string) => {
    const response = await fetch(
      `${url}/zendesk/app/default/sidebar?origin=${encodeURIComponent(zendeskUrl)}&app_guid=t`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
      },
    );
    const html = await response.text();
    const content = /<meta name="refund-desk-session" content="([^"]+)">/.exec(html)?.[1];
    return {
      status: response.status,
      html,
      session: content ? (JSON.parse(unescapeHtml(content)) as SidebarPageSession) : undefined,
    };
  };

  const zendesk = (desk.integrations.find((i) => i.name === 'zendesk') as ZendeskIntegration).sandbox as ZendeskSandbox;
  return {
    desk,
    zendesk,
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
        ...(options.reason ? { customFields: { [String(SANDBOX_TICKET_FIELDS[2].id)]: options.reason } } : {}),
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
    zendeskAppToken,
    openSidebar,
    async signIn(userId) {
      const opened = await openSidebar(await zendeskAppToken(userId));
      if (!opened.session)
        throw new Error(`sidebar sign-in for ${userId}: ${opened.status} ${opened.html.slice(0, 300)}`);
      return opened.session.token;
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
