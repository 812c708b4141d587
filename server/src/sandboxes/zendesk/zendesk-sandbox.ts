import { generateKeyPairSync } from 'node:crypto';
import type { HttpBindings } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { agentSubject, installationAudience, signSignedUrlToken } from '../../connectors/zendesk/zaf-signed-url.js';
import { zendeskWebhookHeaders } from '../../connectors/zendesk/zendesk-signature.js';
import { FaultQueue, WebhookOutbox } from '../gateway-sandbox.js';
import { mountZendeskSandboxAudits } from './zendesk-sandbox-audits.js';
import { mountZendeskSandboxControl } from './zendesk-sandbox-control.js';
import { mountZendeskPreview } from './zendesk-sandbox-preview.js';
import { installAppRequirements } from './zendesk-sandbox-requirements.js';
import {
  SANDBOX_TICKET_FIELDS,
  type SandboxTicket,
  type SandboxUser,
  type SandboxVia,
  viaOf,
  ZendeskSandboxStore,
} from './zendesk-sandbox-store.js';
import { runTriggerCycle } from './zendesk-sandbox-triggers.js';

/** Faults for the next Zendesk API calls, in order. */
export type ZendeskSandboxFault =
  | { readonly kind: 'http_429'; readonly retryAfterSeconds?: number }
  | { readonly kind: 'http_500' }
  /** Apply the call, then destroy the connection without answering. */
  | { readonly kind: 'drop_response' }
  | { readonly kind: 'latency'; readonly ms: number };

export interface ZendeskSandboxOptions {
  readonly subdomain: string;
  /** The API user (created as an admin); basic auth `{email}/token:{apiToken}` is the only login accepted. */
  readonly email: string;
  readonly apiToken: string;
  /** The sidebar app's shared secret (the preview proxy signs its JWTs with it). */
  readonly appSecret: string;
  /** Where the trigger posts (our `/webhooks/zendesk/{org}`) and the secret it signs with. */
  readonly webhook?: { readonly url: string; readonly secret: string } | undefined;
  /** Our server's base URL and organisation slug (the preview's app settings). */
  readonly serverUrl?: string | undefined;
  readonly orgSlug?: string | undefined;
}

export interface WebhookDelivery {
  readonly invocationId: string;
  /** The webhook the trigger notified (requirements.json key). */
  readonly webhook: string;
  readonly body: string;
}

/** The Refund Desk app as installed in this Zendesk: ids and the key pair Zendesk signs its signed URLs with. */
export interface SandboxInstalledApp {
  readonly appId: string;
  readonly installationId: string;
  readonly publicKeyPem: string;
}

export interface AppTokenOptions {
  /** Another account / installation of the same app (default: this sandbox's). */
  readonly install?: { readonly subdomain: string; readonly installationId: string };
  /** Issue time in Unix seconds (default now); the token lives five minutes. */
  readonly issuedAt?: number;
}

export interface ZendeskSandbox {
  readonly app: Hono;
  /** The sidebar app installed here (`signedUrls: true`). */
  readonly installedApp: SandboxInstalledApp;
  /**
   * The token Zendesk POSTs to the app's location URL for the agent who is signed in (RS256 with
   * the app's private key; claims as Zendesk documents them). Throws for end users (no app for them).
   * The app's one key signs for every account it is installed in: `install` names another one.
   */
  signAppToken(userId: number, options?: AppTokenOptions): string;
  readonly store: ZendeskSandboxStore;
  injectFaults(...faults: ZendeskSandboxFault[]): void;
  clearFaults(): void;
  /** Until cleared, API calls with this method and path answer 503 (an outage of part of Zendesk). */
  startOutage(outage: { readonly method: string; readonly path: string }): void;
  endOutages(): void;
  /** Every API call received (method and path), for tests. */
  readonly calls: Array<{ readonly method: string; readonly path: string; readonly at: number }>;
  /** Every trigger firing (webhook sent or queued). */
  readonly deliveries: WebhookDelivery[];
  setWebhookTarget(target: { readonly url: string; readonly secret: string } | undefined): void;
  setServer(serverUrl: string, orgSlug: string): void;
  /** Edits a ticket as `asUser` (one audit), then runs the triggers like Zendesk after any update. */
  updateTicketAs(
    ticketId: number,
    asUser: SandboxUser,
    update: Parameters<ZendeskSandboxStore['updateTicket']>[2],
    via?: SandboxVia,
  ): SandboxTicket;
  /** Puts back the triggers the app's requirements.json installs. */
  reinstallAppTriggers(): void;
  drainWebhooks(): Promise<void>;
  readonly options: ZendeskSandboxOptions;
}

const updateSchema = z.object({
  ticket: z.object({
    tags: z.array(z.string()).optional(),
    additional_tags: z.union([z.array(z.string()), z.string()]).optional(),
    remove_tags: z.union([z.array(z.string()), z.string()]).optional(),
    comment: z.object({ body: z.string().min(1), public: z.boolean().optional() }).optional(),
    custom_fields: z.array(z.object({ id: z.number(), value: z.string().nullable() })).optional(),
  }),
});

const createSchema = z.object({
  ticket: z.object({
    subject: z.string().min(1),
    comment: z.object({ body: z.string().min(1) }),
    requester_id: z.number().int().optional(),
    requester: z.object({ email: z.email(), name: z.string().optional() }).optional(),
    tags: z.array(z.string()).optional(),
    custom_fields: z.array(z.object({ id: z.number(), value: z.string().nullable() })).optional(),
  }),
});

const asList = (value: string[] | string | undefined) => (typeof value === 'string' ? [value] : value);

function notFound(c: Context) {
  return c.json({ error: 'RecordNotFound', description: 'Not found' }, 404);
}

/**
 * An in-memory Zendesk on its own origin: the Tickets, Ticket Audits and Users API subset the
 * adapter uses, basic token auth like Zendesk, every update recorded as an audit, the app's
 * triggers (from its requirements.json) run after every update and posting our webhook signed like
 * Zendesk, fault injection, `/__sandbox/*` control routes and the sidebar preview host.
 */
export function createZendeskSandbox(options: ZendeskSandboxOptions): ZendeskSandbox {
  const store = new ZendeskSandboxStore();
  // Zendesk holds each app's key pair; only the public key leaves (Apps API "Get App Public Key")
  const appKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const installedApp: SandboxInstalledApp = {
    appId: '880001',
    installationId: '360770001',
    publicKeyPem: appKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
  function signAppToken(userId: number, token: AppTokenOptions = {}): string {
    const user = store.users.get(userId);
    if (!user || user.role === 'end-user') throw new Error(`user ${userId} is not an agent`);
    const iat = token.issuedAt ?? Math.floor(Date.now() / 1000);
    const subdomain = token.install?.subdomain ?? options.subdomain;
    const host = `${subdomain}.zendesk.com`;
    return signSignedUrlToken(
      {
        iss: host,
        aud: installationAudience(subdomain, token.install?.installationId ?? installedApp.installationId),
        sub: agentSubject(subdomain, String(user.id)),
        iat,
        nbf: iat,
        exp: iat + 300,
        context: { product: 'support', location: 'ticket_sidebar' },
        cnf: { jku: `https://${host}/api/v2/apps/${installedApp.appId}/public_key.pem` },
      },
      appKeys.privateKey,
    );
  }
  const apiUser = store.addUser({ name: 'Refund Desk API', email: options.email, role: 'admin' });
  const expectedAuth = `Basic ${Buffer.from(`${options.email}/token:${options.apiToken}`).toString('base64')}`;
  const faults = new FaultQueue<ZendeskSandboxFault>();
  let outages: Array<{ readonly method: string; readonly path: string }> = [];
  const calls: ZendeskSandbox['calls'] = [];
  const deliveries: WebhookDelivery[] = [];
  // Zendesk retries a delivery on 5xx and timeouts; a few attempts with backoff
  const outbox = new WebhookOutbox({ attempts: 4, backoffMs: 200 });
  let target = options.webhook;
  let invocation = 7_000_000_000;

  // the app's requirements.json is what an install creates: its triggers run here as Zendesk runs them
  const requirements = installAppRequirements();
  store.triggers = requirements.triggers;

  function deliver(webhook: string, body: string): void {
    const invocationId = String(invocation++);
    deliveries.push({ invocationId, webhook, body });
    if (target && requirements.webhookKeys.includes(webhook)) {
      outbox.enqueue(target.url, body, zendeskWebhookHeaders(target.secret, body, { invocationId }));
    }
  }

  function updateTicketAs(
    ticketId: number,
    asUser: SandboxUser,
    update: Parameters<ZendeskSandboxStore['updateTicket']>[2],
    via: SandboxVia = viaOf('web'),
  ): SandboxTicket {
    const ticket = store.tickets.get(ticketId);
    if (!ticket) throw new Error(`no ticket ${ticketId}`);
    const { audit } = store.updateTicket(ticket, asUser.id, update, via);
    runTriggerCycle({ store, triggers: store.triggers, ticket, audit, notify: deliver });
    return ticket;
  }

  const app = new Hono();
  app.onError((error, c) => {
    if (error instanceof z.ZodError) return c.json({ error: 'RecordInvalid', description: error.message }, 422);
    if (error instanceof SyntaxError) return c.json({ error: 'InvalidJSON', description: error.message }, 400);
    return c.json({ error: 'InternalError', description: 'the sandbox failed unexpectedly' }, 500);
  });
  app.use('/api/v2/*', async (c, next) => {
    calls.push({ method: c.req.method, path: c.req.path, at: Date.now() });
    if (c.req.header('authorization') !== expectedAuth) {
      return c.json({ error: "Couldn't authenticate you" }, 401);
    }
    if (outages.some((o) => o.method === c.req.method && o.path === c.req.path)) {
      return c.json({ error: 'ServiceUnavailable', description: 'Zendesk is unavailable' }, 503);
    }
    const fault = faults.next();
    if (fault?.kind === 'latency') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (fault?.kind === 'http_429') {
      c.header('Retry-After', String(fault.retryAfterSeconds ?? 1));
      return c.json(
        { error: 'APIRateLimitExceeded', description: 'Number of allowed API requests per minute exceeded' },
        429,
      );
    }
    if (fault?.kind === 'http_500') return c.json({ error: 'InternalServerError' }, 500);
    await next();
    if (fault?.kind === 'drop_response') {
      // applied; the client never hears about it
      (c.env as Partial<HttpBindings> | undefined)?.incoming?.socket.destroy();
    }
  });

  app.get('/api/v2/users/me.json', (c) => c.json({ user: apiUser }));
  app.get('/api/v2/apps/:id{[0-9]+}/public_key.pem', (c) =>
    c.req.param('id') === installedApp.appId
      ? c.body(installedApp.publicKeyPem, 200, { 'content-type': 'application/x-pem-file' })
      : notFound(c),
  );
  app.get('/api/v2/users/:id{[0-9]+\\.json}', (c) => {
    const user = store.users.get(Number.parseInt(c.req.param('id'), 10));
    return user ? c.json({ user }) : notFound(c);
  });
  app.get('/api/v2/ticket_fields.json', (c) =>
    c.json({ ticket_fields: SANDBOX_TICKET_FIELDS.map((f) => ({ ...f, active: true })), next_page: null, count: 3 }),
  );
  app.post('/api/v2/tickets.json', async (c) => {
    const { ticket: input } = createSchema.parse(await c.req.json());
    const requester =
      (input.requester_id ? store.users.get(input.requester_id) : undefined) ??
      (input.requester
        ? store.addUser({
            email: input.requester.email,
            name: input.requester.name ?? input.requester.email,
            role: 'end-user',
          })
        : apiUser);
    const ticket = store.addTicket({
      subject: input.subject,
      body: input.comment.body,
      requesterId: requester.id,
      tags: input.tags ?? [],
      customFields: Object.fromEntries((input.custom_fields ?? []).map((f) => [String(f.id), f.value])),
      via: viaOf('api'),
    });
    const created = store.audits.get(ticket.id)?.at(-1);
    if (created) runTriggerCycle({ store, triggers: store.triggers, ticket, audit: created, notify: deliver });
    return c.json({ ticket }, 201);
  });
  app.get('/api/v2/tickets/:id{[0-9]+\\.json}', (c) => {
    const ticket = store.tickets.get(Number.parseInt(c.req.param('id'), 10));
    return ticket ? c.json({ ticket }) : notFound(c);
  });
  app.put('/api/v2/tickets/:id{[0-9]+\\.json}', async (c) => {
    const ticket = store.tickets.get(Number.parseInt(c.req.param('id'), 10));
    if (!ticket) return notFound(c);
    const { ticket: update } = updateSchema.parse(await c.req.json());
    updateTicketAs(
      ticket.id,
      apiUser,
      { ...update, additional_tags: asList(update.additional_tags), remove_tags: asList(update.remove_tags) },
      viaOf('api'),
    );
    return c.json({ ticket, audit: store.audits.get(ticket.id)?.at(-1) });
  });
  app.get('/api/v2/tickets/:id/comments.json', (c) => {
    const comments = store.comments.get(Number.parseInt(c.req.param('id'), 10));
    if (!comments) return notFound(c);
    return c.json({ comments, next_page: null, previous_page: null, count: comments.length });
  });
  mountZendeskSandboxAudits(app, store);
  app.all('/api/v2/*', (c) => c.json({ error: 'InvalidEndpoint', description: 'Not found' }, 404));

  const sandbox: ZendeskSandbox = {
    app,
    installedApp,
    signAppToken,
    store,
    calls,
    deliveries,
    options,
    injectFaults: (...queued) => faults.push(...queued),
    clearFaults: () => faults.clear(),
    startOutage(outage) {
      outages.push(outage);
    },
    endOutages() {
      outages = [];
    },
    setWebhookTarget(next) {
      target = next;
    },
    setServer(serverUrl, orgSlug) {
      settings.serverUrl = serverUrl;
      settings.orgSlug = orgSlug;
    },
    updateTicketAs,
    reinstallAppTriggers() {
      store.triggers = installAppRequirements().triggers;
    },
    drainWebhooks: () => outbox.drain(),
  };
  const settings = { serverUrl: options.serverUrl, orgSlug: options.orgSlug ?? 'default' };
  mountZendeskSandboxControl(app, sandbox);
  mountZendeskPreview(app, {
    signAppToken,
    appSecret: options.appSecret,
    subdomain: options.subdomain,
    settings: () => settings,
  });
  return sandbox;
}
