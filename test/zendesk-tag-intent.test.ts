import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationsIntegration } from '../server/src/notifications/notifications-integration.js';
import { BACKENDS } from './support/databases.js';
import { eventually } from './support/engine-fixtures.js';
import { type SandboxUserView, startZendeskDesk, type ZendeskDesk } from './support/zendesk-desk.js';

interface Comment {
  body: string;
  public: boolean;
}
interface SandboxTicket {
  id: number;
  tags: string[];
  requester_id: number;
  comments: Comment[];
}

/** The trigger installs created before this change: "tags contain refund_approved" fires on every later update. */
const PRESENCE_TRIGGER = {
  title: 'Refund Desk: send approved refunds (older install)',
  all: [
    { field: 'current_tags', operator: 'includes', value: 'refund_approved' },
    { field: 'current_tags', operator: 'not_includes', value: 'refund_processed' },
  ],
  any: [],
  actions: [
    {
      field: 'notification_webhook',
      value: [
        'refund_desk_webhook',
        '{"ticket_id":"{{ticket.id}}","requester_email":"{{ticket.requester.email}}","current_user_id":"{{current_user.id}}","current_user_email":"{{current_user.email}}"}',
      ],
    },
  ],
};

describe.each(BACKENDS)('refund_approved tags on %s: attributed from the ticket audit, once per intent', (backend) => {
  let z: ZendeskDesk;
  let lead: SandboxUserView;
  let agent: SandboxUserView;
  let manager: SandboxUserView;
  let stranger: SandboxUserView;
  beforeAll(async () => {
    z = await startZendeskDesk(backend, {}, { moreIntegrations: [createNotificationsIntegration] });
    lead = await z.agent('lead@refund-desk.local');
    agent = await z.agent('agent@refund-desk.local');
    manager = await z.agent('manager@refund-desk.local');
    stranger = await z.agent('casey.contractor@refund-desk.local');
  }, 120_000);
  afterAll(async () => {
    await z?.stop();
  });
  afterEach(async () => {
    // every test starts from what an install of this app creates
    await z.sandbox('DELETE', '/__sandbox/outages');
    await z.sandbox('DELETE', '/__sandbox/triggers');
  });

  const db = () => z.desk.ctx.db;
  const ticket = async (id: string) => (await z.sandbox('GET', `/__sandbox/tickets/${id}`)).ticket as SandboxTicket;
  const casesOf = (ticketId: string) =>
    db()
      .selectFrom('refund_cases')
      .selectAll()
      .where('ticket_system', '=', 'zendesk')
      .where('ticket_ref', '=', ticketId)
      .orderBy('created_at', 'asc')
      .execute();
  const edit = (ticketId: string, body: Record<string, unknown>) =>
    z.sandbox('POST', `/__sandbox/tickets/${ticketId}/edit`, body);
  const deliveriesFor = async (ticketId: string) =>
    (
      (await z.sandbox('GET', '/__sandbox/webhooks')).deliveries as Array<{ invocationId: string; body: string }>
    ).filter((d) => JSON.parse(d.body).ticket_id === ticketId);
  /** Every webhook the sandbox sent for the ticket has arrived and its job has finished. */
  const allProcessed = async (ticketId: string) => {
    await z.sandbox('POST', '/__sandbox/webhooks/drain');
    const ids = (await deliveriesFor(ticketId)).map((d) => d.invocationId);
    await eventually(async () => {
      const rows = await db()
        .selectFrom('inbound_events')
        .select(['event_id', 'processed_at'])
        .where('vendor', '=', 'zendesk')
        .execute();
      const done = new Set(rows.filter((r) => r.processed_at !== null).map((r) => r.event_id));
      return ids.every((id) => done.has(id));
    }, 30_000);
  };
  const allWritten = () =>
    eventually(async () => {
      await z.desk.caseEvents?.flush();
      const pending = await db().selectFrom('zendesk_writebacks').select('id').where('done_at', 'is', null).execute();
      return pending.length === 0;
    }, 60_000);
  const requestedEvent = async (caseId: string) =>
    db()
      .selectFrom('audit_events')
      .selectAll()
      .where('case_id', '=', caseId)
      .where('action', '=', 'case.requested')
      .executeTakeFirstOrThrow();

  it('an unknown agent’s tag on a 400.00 ticket policy would auto-approve opens a case for approval that names the tagger', async () => {
    // a verified customer and a reason policy approves by itself below 500.00
    const { ticketId, paymentRef } = await z.customerWithTicket('400.00', {
      phone: '+15550142',
      reason: 'product_return',
    });
    await edit(ticketId, { add: ['refund_approved'], userId: stranger.id });
    await allProcessed(ticketId);
    const [opened, ...more] = await casesOf(ticketId);
    expect(more).toHaveLength(0);
    expect(opened?.state).toBe('pending_approval');
    expect(opened?.required_role).toBe('lead');
    expect(opened?.requested_by).toBeNull();
    const requested = await requestedEvent(opened?.id as string);
    expect(requested.actor_type).toBe('helpdesk');
    expect(requested.actor_id).toBe(`zendesk-user:${stranger.id}`);
    expect(requested.data['requestedVia']).toMatchObject({
      taggerKind: 'unknown_agent',
      zendeskUserId: String(stranger.id),
      name: 'Casey Contractor',
    });
    const routed = await db()
      .selectFrom('audit_events')
      .select('data')
      .where('case_id', '=', opened?.id as string)
      .where('action', '=', 'case.routed_for_approval')
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(routed.data)).toContain('Casey Contractor');
    expect(await z.gatewayRefunds(paymentRef)).toHaveLength(0);
    await allWritten();
    const after = await ticket(ticketId);
    expect(after.comments.some((c) => /Casey Contractor added the refund_approved tag/.test(c.body))).toBe(true);
    // the tag is off again, so a person who can approve adds it as a new intent
    expect(after.tags).not.toContain('refund_approved');
    expect(after.tags).not.toContain('refund_desk_notified');

    await edit(ticketId, { add: ['refund_approved'], userId: lead.id });
    await eventually(async () => (await casesOf(ticketId))[0]?.state === 'succeeded', 30_000);
    expect((await casesOf(ticketId)).map((c) => c.state)).toEqual(['succeeded']);
    expect(await z.gatewayRefunds(paymentRef)).toHaveLength(1);
  }, 90_000);

  it('the tagger is read from the audit, never from the webhook body', async () => {
    const { ticketId, paymentRef } = await z.customerWithTicket('300.00', {
      phone: '+15550143',
      reason: 'product_return',
    });
    // Casey tags without the trigger; then a signed webhook claims the manager tagged it
    await edit(ticketId, { add: ['refund_approved'], userId: stranger.id, silent: true });
    const invocationId = randomUUID();
    const body = JSON.stringify({
      ticket_id: ticketId,
      requester_email: 'x@example.com',
      current_user_id: String(manager.id),
      current_user_email: 'manager@refund-desk.local',
    });
    expect((await z.webhook(body, { invocationId })).status).toBe(200);
    await eventually(async () => {
      const row = await db()
        .selectFrom('zendesk_tag_intents')
        .selectAll()
        .where('ticket_id', '=', ticketId)
        .executeTakeFirst();
      return row?.outcome != null;
    }, 30_000);
    const intent = await db()
      .selectFrom('zendesk_tag_intents')
      .selectAll()
      .where('ticket_id', '=', ticketId)
      .executeTakeFirstOrThrow();
    expect(intent).toMatchObject({
      tagger_user_id: String(stranger.id),
      tagger_kind: 'unknown_agent',
      outcome: 'routed',
    });
    expect((await casesOf(ticketId)).map((c) => c.state)).toEqual(['pending_approval']);
    expect(await z.gatewayRefunds(paymentRef)).toHaveLength(0);
  }, 60_000);

  it('an agent’s tag asks as that agent; a lead must approve even what policy would auto-approve', async () => {
    const { ticketId } = await z.customerWithTicket('40.00', { phone: '+15550144', reason: 'product_return' });
    await edit(ticketId, { add: ['refund_approved'], userId: agent.id });
    await allProcessed(ticketId);
    const [opened] = await casesOf(ticketId);
    expect(opened?.state).toBe('pending_approval');
    const staffRow = await db()
      .selectFrom('staff')
      .select('id')
      .where('email', '=', 'agent@refund-desk.local')
      .executeTakeFirstOrThrow();
    expect(opened?.requested_by).toBe(staffRow.id);
    // the agent cannot approve their own request by tagging again
    await allWritten();
    await edit(ticketId, { add: ['refund_approved'], userId: agent.id });
    await allProcessed(ticketId);
    expect((await casesOf(ticketId)).map((c) => c.state)).toEqual(['pending_approval']);
  }, 60_000);

  it('a tag added by a trigger counts as no person: the case waits for an approver', async () => {
    const { triggers } = await z.sandbox('GET', '/__sandbox/triggers');
    const vip = {
      title: 'VIP goodwill refunds',
      all: [{ field: 'current_tags', operator: 'includes', value: 'vip_refund' }],
      any: [],
      actions: [{ field: 'current_tags', value: 'refund_approved' }],
    };
    await z.sandbox('PUT', '/__sandbox/triggers', { triggers: [vip, ...triggers] });
    const { ticketId, paymentRef } = await z.customerWithTicket('250.00', {
      phone: '+15550145',
      reason: 'product_return',
    });
    // a lead adds vip_refund; the rule adds refund_approved, then our trigger notifies with the lead as current_user
    await edit(ticketId, { add: ['vip_refund'], userId: lead.id });
    await allProcessed(ticketId);
    const [opened] = await casesOf(ticketId);
    expect(opened?.state).toBe('pending_approval');
    expect(opened?.requested_by).toBeNull();
    const requested = await requestedEvent(opened?.id as string);
    expect(requested.data['requestedVia']).toMatchObject({ taggerKind: 'rule', zendeskUserId: null });
    expect(String((requested.data['requestedVia'] as { name: string }).name)).toContain('VIP goodwill refunds');
    expect(await z.gatewayRefunds(paymentRef)).toHaveLength(0);
  }, 60_000);

  it('seen: a failed tag refund, then the customer replies and an older trigger fires again: no second case, gateway call or text', async () => {
    await z.sandbox('PUT', '/__sandbox/triggers', { triggers: [PRESENCE_TRIGGER] });
    const { ticketId, paymentRef } = await z.customerWithTicket('120.00', {
      kind: 'card_refund_fails',
      phone: '+15550146',
    });
    // Zendesk refuses our updates to this ticket for a while: refund_approved stays on it after the failure
    await z.sandbox('POST', '/__sandbox/outages', { method: 'PUT', path: `/api/v2/tickets/${ticketId}.json` });
    await edit(ticketId, { add: ['refund_approved'], userId: lead.id });
    await eventually(async () => (await casesOf(ticketId))[0]?.state === 'exception', 45_000);
    await allProcessed(ticketId);
    expect((await ticket(ticketId)).tags).toContain('refund_approved');
    const fired = (await deliveriesFor(ticketId)).length;

    const { requester_id } = await ticket(ticketId);
    await edit(ticketId, { note: 'Any news about my refund?', public: true, userId: requester_id, channel: 'email' });
    await edit(ticketId, { note: 'Hello?', public: true, userId: requester_id, channel: 'email' });
    // the older trigger's conditions still hold: it fired on each reply
    expect((await deliveriesFor(ticketId)).length).toBe(fired + 2);
    await allProcessed(ticketId);

    const cases = await casesOf(ticketId);
    expect(cases.map((c) => c.state)).toEqual(['exception']);
    expect(await z.gatewayRefunds(paymentRef)).toHaveLength(1);
    const intents = await db()
      .selectFrom('zendesk_tag_intents')
      .selectAll()
      .where('ticket_id', '=', ticketId)
      .execute();
    expect(intents).toHaveLength(1);

    await z.sandbox('DELETE', '/__sandbox/outages');
    await allWritten();
    const after = await ticket(ticketId);
    expect(after.tags).toContain('refund_failed');
    expect(after.tags).not.toContain('refund_approved');
    const actionNeeded = () =>
      db()
        .selectFrom('notifications')
        .select(['case_id', 'channel'])
        .where('stage', '=', 'action_needed')
        .where(
          'case_id',
          'in',
          cases.map((c) => c.id),
        )
        .execute();
    await eventually(async () => (await actionNeeded()).length > 0, 30_000);
    const texts = await actionNeeded();
    // the customer was told once (one message per channel), for the one case
    expect(new Set(texts.map((t) => t.case_id))).toEqual(new Set([cases[0]?.id]));
    expect(texts.length).toBe(new Set(texts.map((t) => t.channel)).size);
  }, 120_000);

  it('with the installed trigger a reply does not even notify; adding the tag again is a new attempt by a person', async () => {
    const { ticketId, paymentRef } = await z.customerWithTicket('110.00', {
      kind: 'card_refund_fails',
      phone: '+15550147',
    });
    await edit(ticketId, { add: ['refund_approved'], userId: lead.id });
    await eventually(async () => (await casesOf(ticketId))[0]?.state === 'exception', 45_000);
    await allProcessed(ticketId);
    await allWritten();
    const failed = await ticket(ticketId);
    expect(failed.tags).not.toContain('refund_approved');
    expect(failed.tags).not.toContain('refund_desk_notified');
    const note = failed.comments.find((c) => c.body.includes('failed:'));
    expect(note?.body).toContain('the customer’s card has expired or was cancelled');
    expect(note?.body).not.toContain('card_expired_or_canceled');
    expect(note?.body).toMatch(/A lead will pay the customer another way/);
    const fired = (await deliveriesFor(ticketId)).length;
    await edit(ticketId, { note: 'Any news?', public: true, userId: failed.requester_id, channel: 'email' });
    expect((await deliveriesFor(ticketId)).length).toBe(fired);

    await edit(ticketId, { add: ['refund_approved'], userId: lead.id });
    await eventually(async () => (await casesOf(ticketId)).length === 2, 30_000);
    await eventually(async () => (await casesOf(ticketId))[1]?.state === 'exception', 45_000);
    expect(await z.gatewayRefunds(paymentRef)).toHaveLength(2);
    const intents = await db()
      .selectFrom('zendesk_tag_intents')
      .selectAll()
      .where('ticket_id', '=', ticketId)
      .execute();
    expect(new Set(intents.map((i) => i.audit_id)).size).toBe(2);
  }, 120_000);

  it('20 webhooks for one tag-adding audit (the trigger re-firing) open one case', async () => {
    const { ticketId, paymentRef } = await z.customerWithTicket('90.00', { phone: '+15550148' });
    await edit(ticketId, { add: ['refund_approved'], userId: lead.id, silent: true });
    const body = JSON.stringify({
      ticket_id: ticketId,
      requester_email: '',
      current_user_id: '',
      current_user_email: '',
    });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => z.webhook(body, { invocationId: randomUUID() })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    await eventually(async () => (await casesOf(ticketId))[0]?.state === 'succeeded', 30_000);
    await eventually(async () => {
      const rows = await db()
        .selectFrom('inbound_events')
        .select('processed_at')
        .where('vendor', '=', 'zendesk')
        .where('processed_at', 'is', null)
        .execute();
      return rows.length === 0;
    }, 30_000);
    expect(await casesOf(ticketId)).toHaveLength(1);
    expect(await z.gatewayRefunds(paymentRef)).toHaveLength(1);
  }, 60_000);

  it('a denial tells the ticket the reason the customer was given and takes the tag off', async () => {
    const { ticketId } = await z.customerWithTicket('2500.00', { phone: '+15550149' });
    await edit(ticketId, { add: ['refund_approved'], userId: lead.id });
    await allProcessed(ticketId);
    const [opened] = await casesOf(ticketId);
    expect(opened).toMatchObject({ state: 'pending_approval', required_role: 'manager' });
    const managerToken = z.tokens['manager'] as string;
    const denied = await fetch(`${z.url}/api/v1/refunds/${opened?.id}/deny`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${managerToken}` },
      body: JSON.stringify({ reason: 'The order was delivered and used for three months.' }),
    });
    expect(denied.status).toBe(200);
    await allWritten();
    const after = await ticket(ticketId);
    const note = after.comments.find((c) => c.body.includes('was denied'));
    expect(note?.body).toContain('Reason given to the customer: “The order was delivered and used for three months.”');
    expect(after.tags).not.toContain('refund_approved');
  }, 60_000);
});
