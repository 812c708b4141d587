import type { Hono } from 'hono';
import { z } from 'zod';
import type { ZendeskSandbox } from './zendesk-sandbox.js';
import { type SandboxTicket, viaOf } from './zendesk-sandbox-store.js';
import { parseTriggers } from './zendesk-sandbox-triggers.js';

const faultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('http_429'), retryAfterSeconds: z.number().int().min(0).max(3600).optional() }),
  z.object({ kind: z.literal('http_500') }),
  z.object({ kind: z.literal('drop_response') }),
  z.object({ kind: z.literal('latency'), ms: z.number().int().min(0).max(60_000) }),
]);

const tagEditSchema = z.object({
  add: z.array(z.string().min(1)).optional(),
  remove: z.array(z.string().min(1)).optional(),
  note: z.string().min(1).max(5000).optional(),
  /** The note is a public reply (a customer answering, an agent replying); default an internal note. */
  public: z.boolean().optional(),
  /** The Zendesk user making the change (the audit's author, the trigger's current_user); default: the API user. */
  userId: z.number().int().optional(),
  /** Where the change came from (the audit's via channel); default `web`, the agent UI. */
  channel: z.enum(['web', 'email', 'api']).optional(),
  /** Apply without running triggers (benchmarks post their own signed webhook). */
  silent: z.boolean().optional(),
});

const newTicketSchema = z.object({
  subject: z.string().min(1),
  body: z.string().min(1).default('Please refund me.'),
  requesterEmail: z.email(),
  requesterName: z.string().optional(),
  requesterPhone: z.string().optional(),
  requesterExternalId: z.string().optional(),
  /** Custom field id → value. */
  customFields: z.record(z.string(), z.string().nullable()).optional(),
});

/**
 * `/__sandbox/*`: no auth (loopback only). Faults for the next API calls; tickets and users as the
 * preview page needs them (tickets with their comments); editing a ticket as a given user (an
 * agent's tag, a customer's reply: one audit, then the triggers run like after any update); the
 * installed triggers; webhook deliveries so far.
 */
export function mountZendeskSandboxControl(app: Hono, sandbox: ZendeskSandbox): void {
  const { store } = sandbox;
  app.post('/__sandbox/faults', async (c) => {
    const { faults } = z.object({ faults: z.array(faultSchema) }).parse(await c.req.json());
    sandbox.injectFaults(...faults);
    return c.json({ queued: faults.length });
  });
  app.delete('/__sandbox/faults', (c) => {
    sandbox.clearFaults();
    return c.body(null, 204);
  });
  app.post('/__sandbox/outages', async (c) => {
    const outage = z
      .object({ method: z.enum(['GET', 'PUT', 'POST']), path: z.string().startsWith('/api/v2/') })
      .parse(await c.req.json());
    sandbox.startOutage(outage);
    return c.json({ outage });
  });
  app.delete('/__sandbox/outages', (c) => {
    sandbox.endOutages();
    return c.body(null, 204);
  });
  app.get('/__sandbox/users', (c) => c.json({ users: [...store.users.values()] }));
  app.get('/__sandbox/tickets', (c) =>
    c.json({
      tickets: [...store.tickets.values()].map((ticket) => ({
        ...ticket,
        requester: store.users.get(ticket.requester_id) ?? null,
        comments: store.comments.get(ticket.id) ?? [],
      })),
    }),
  );
  app.get('/__sandbox/tickets/:id', (c) => {
    const ticket = store.tickets.get(Number(c.req.param('id')));
    if (!ticket) return c.json({ error: 'RecordNotFound' }, 404);
    return c.json({
      ticket: {
        ...ticket,
        requester: store.users.get(ticket.requester_id) ?? null,
        comments: store.comments.get(ticket.id) ?? [],
      },
    });
  });
  app.post('/__sandbox/tickets', async (c) => {
    const input = newTicketSchema.parse(await c.req.json());
    const requester = store.addUser({
      email: input.requesterEmail,
      name: input.requesterName ?? input.requesterEmail,
      role: 'end-user',
      phone: input.requesterPhone ?? null,
      external_id: input.requesterExternalId ?? null,
    });
    const ticket = store.addTicket({
      subject: input.subject,
      body: input.body,
      requesterId: requester.id,
      ...(input.customFields ? { customFields: input.customFields } : {}),
    });
    return c.json({ ticket }, 201);
  });
  app.post('/__sandbox/tickets/:id/edit', async (c) => {
    const input = tagEditSchema.parse(await c.req.json());
    const ticketId = Number(c.req.param('id'));
    if (!store.tickets.has(ticketId)) return c.json({ error: 'RecordNotFound' }, 404);
    const asUser =
      input.userId === undefined ? store.userByEmail(sandbox.options.email) : store.users.get(input.userId);
    if (!asUser) return c.json({ error: 'no such user' }, 404);
    const update = {
      additional_tags: input.add,
      remove_tags: input.remove,
      comment: input.note ? { body: input.note, public: input.public ?? false } : undefined,
    };
    const ticket = store.tickets.get(ticketId) as SandboxTicket;
    const via = viaOf(input.channel ?? 'web');
    if (input.silent) store.updateTicket(ticket, asUser.id, update, via);
    else sandbox.updateTicketAs(ticketId, asUser, update, via);
    return c.json({ ticket, audit: store.audits.get(ticketId)?.at(-1) });
  });
  // the installed ticket triggers: an admin may replace them (e.g. an install still running an older trigger)
  app.get('/__sandbox/triggers', (c) => c.json({ triggers: store.triggers }));
  app.put('/__sandbox/triggers', async (c) => {
    const { triggers } = z.object({ triggers: z.array(z.unknown()) }).parse(await c.req.json());
    store.triggers = parseTriggers(triggers);
    return c.json({ triggers: store.triggers });
  });
  app.delete('/__sandbox/triggers', (c) => {
    sandbox.reinstallAppTriggers();
    return c.json({ triggers: store.triggers });
  });
  app.get('/__sandbox/calls', (c) => c.json({ calls: sandbox.calls }));
  app.get('/__sandbox/webhooks', (c) => c.json({ deliveries: sandbox.deliveries }));
  app.post('/__sandbox/webhooks/drain', async (c) => {
    await sandbox.drainWebhooks();
    return c.json({ drained: true });
  });
}
