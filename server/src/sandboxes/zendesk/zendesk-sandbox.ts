import type { HttpBindings } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { zendeskWebhookHeaders } from '../../connectors/zendesk/zendesk-signature.js';
import { FaultQueue, WebhookOutbox } from '../gateway-sandbox.js';
import { mountZendeskSandboxControl } from './zendesk-sandbox-control.js';
import { mountZendeskPreview } from './zendesk-sandbox-preview.js';
import {
  SANDBOX_TICKET_FIELDS,
  type SandboxTicket,
  type SandboxUser,
  ZendeskSandboxStore,
} from './zendesk-sandbox-store.js';

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
  readonly body: string;
}

export interface ZendeskSandbox {
  readonly app: Hono;
  readonly store: ZendeskSandboxStore;
  injectFaults(...faults: ZendeskSandboxFault[]): void;
  clearFaults(): void;
  /** Every API call received (method and path), for tests. */
  readonly calls: Array<{ readonly method: string; readonly path: string; readonly at: number }>;
  /** Every trigger firing (webhook sent or queued). */
  readonly deliveries: WebhookDelivery[];
  setWebhookTarget(target: { readonly url: string; readonly secret: string } | undefined): void;
  setServer(serverUrl: string, orgSlug: string): void;
  /** Edits a ticket as `asUser` (tags, note), running the trigger like an agent's update in the UI. */
  updateTicketAs(
    ticketId: number,
    asUser: SandboxUser,
    update: Parameters<ZendeskSandboxStore['updateTicket']>[2],
  ): SandboxTicket;
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
 * An in-memory Zendesk on its own origin: the Tickets and Users API subset the adapter uses, basic
 * token auth like Zendesk, the `refund_approved` trigger posting our webhook signed like Zendesk,
 * fault injection, `/__sandbox/*` control routes and the sidebar preview host.
 */
export function createZendeskSandbox(options: ZendeskSandboxOptions): ZendeskSandbox {
  const store = new ZendeskSandboxStore();
  const apiUser = store.addUser({ name: 'Refund Desk API', email: options.email, role: 'admin' });
  const expectedAuth = `Basic ${Buffer.from(`${options.email}/token:${options.apiToken}`).toString('base64')}`;
  const faults = new FaultQueue<ZendeskSandboxFault>();
  const calls: ZendeskSandbox['calls'] = [];
  const deliveries: WebhookDelivery[] = [];
  // Zendesk retries a delivery on 5xx and timeouts; a few attempts with backoff
  const outbox = new WebhookOutbox({ attempts: 4, backoffMs: 200 });
  let target = options.webhook;
  let invocation = 7_000_000_000;

  function runTrigger(ticket: SandboxTicket, added: readonly string[], by: SandboxUser): void {
    // the trigger: "tags contain refund_approved" added by this update, and not yet refund_processed
    if (!added.includes('refund_approved') || ticket.tags.includes('refund_processed')) return;
    const requester = store.users.get(ticket.requester_id);
    const body = JSON.stringify({
      ticket_id: String(ticket.id),
      requester_email: requester?.email ?? '',
      current_user_id: String(by.id),
      current_user_email: by.email,
    });
    const invocationId = String(invocation++);
    deliveries.push({ invocationId, body });
    if (target) outbox.enqueue(target.url, body, zendeskWebhookHeaders(target.secret, body, { invocationId }));
  }

  function updateTicketAs(
    ticketId: number,
    asUser: SandboxUser,
    update: Parameters<ZendeskSandboxStore['updateTicket']>[2],
  ): SandboxTicket {
    const ticket = store.tickets.get(ticketId);
    if (!ticket) throw new Error(`no ticket ${ticketId}`);
    const added = store.updateTicket(ticket, asUser.id, update);
    runTrigger(ticket, added, asUser);
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
    });
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
    updateTicketAs(ticket.id, apiUser, {
      ...update,
      additional_tags: asList(update.additional_tags),
      remove_tags: asList(update.remove_tags),
    });
    return c.json({ ticket, audit: { ticket_id: ticket.id, author_id: apiUser.id } });
  });
  app.get('/api/v2/tickets/:id/comments.json', (c) => {
    const comments = store.comments.get(Number.parseInt(c.req.param('id'), 10));
    if (!comments) return notFound(c);
    return c.json({ comments, next_page: null, previous_page: null, count: comments.length });
  });
  app.all('/api/v2/*', (c) => c.json({ error: 'InvalidEndpoint', description: 'Not found' }, 404));

  const sandbox: ZendeskSandbox = {
    app,
    store,
    calls,
    deliveries,
    options,
    injectFaults: (...queued) => faults.push(...queued),
    clearFaults: () => faults.clear(),
    setWebhookTarget(next) {
      target = next;
    },
    setServer(serverUrl, orgSlug) {
      settings.serverUrl = serverUrl;
      settings.orgSlug = orgSlug;
    },
    updateTicketAs,
    drainWebhooks: () => outbox.drain(),
  };
  const settings = { serverUrl: options.serverUrl, orgSlug: options.orgSlug ?? 'default' };
  mountZendeskSandboxControl(app, sandbox);
  mountZendeskPreview(app, {
    appSecret: options.appSecret,
    subdomain: options.subdomain,
    settings: () => settings,
  });
  return sandbox;
}
