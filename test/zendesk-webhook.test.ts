import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from './support/databases.js';
import { eventually } from './support/engine-fixtures.js';
import { startZendeskDesk, ZENDESK_TEST_ENV, type ZendeskDesk } from './support/zendesk-desk.js';

type ErrorBody = { error: { code: string } };

const body = (ticketId: string, userId = '') =>
  JSON.stringify({
    ticket_id: ticketId,
    requester_email: 'x@example.com',
    current_user_id: userId,
    current_user_email: '',
  });

describe.each(BACKENDS)('Zendesk refund_approved webhook on %s', (backend) => {
  let z: ZendeskDesk;
  beforeAll(async () => {
    z = await startZendeskDesk(backend);
  }, 120_000);
  afterAll(async () => {
    await z?.stop();
  });

  const db = () => z.desk.ctx.db;
  const processed = (invocationId: string) =>
    eventually(async () => {
      const row = await db()
        .selectFrom('inbound_events')
        .select('processed_at')
        .where('vendor', '=', 'zendesk')
        .where('event_id', '=', invocationId)
        .executeTakeFirst();
      return !!row?.processed_at;
    });
  const casesOf = (ticketId: string) =>
    db()
      .selectFrom('refund_cases')
      .selectAll()
      .where('ticket_system', '=', 'zendesk')
      .where('ticket_ref', '=', ticketId)
      .execute();

  it('refuses a bad signature and a stale timestamp (ISO and Unix) with 401, recording nothing', async () => {
    const invocationId = randomUUID();
    const forged = await z.webhook(body('1'), { secret: 'not-the-secret', invocationId });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as ErrorBody).error.code).toBe('invalid_signature');
    const old = new Date(Date.now() - 10 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const staleIso = await z.webhook(body('1'), { timestamp: old, invocationId });
    expect(staleIso.status).toBe(401);
    expect(((await staleIso.json()) as ErrorBody).error.code).toBe('stale_timestamp');
    const staleUnix = await z.webhook(body('1'), {
      timestamp: String(Math.floor(Date.now() / 1000) - 600),
      invocationId,
    });
    expect(staleUnix.status).toBe(401);
    const unsigned = await fetch(`${z.url}/webhooks/zendesk/default`, { method: 'POST', body: body('1') });
    expect(unsigned.status).toBe(401);
    const rows = await db().selectFrom('inbound_events').select('id').where('event_id', '=', invocationId).execute();
    expect(rows).toHaveLength(0);
  });

  it('accepts the old secret during rotation and Unix-seconds timestamps', async () => {
    const rotated = await z.webhook(body('999001'), { secret: 'zd-webhook-old' });
    expect(rotated.status).toBe(200);
    const unix = await z.webhook(body('999002'), { timestamp: String(Math.floor(Date.now() / 1000)) });
    expect(unix.status).toBe(200);
  });

  it('answers 2xx for a ticket unknown to Zendesk and to us, and changes nothing', async () => {
    const invocationId = randomUUID();
    const response = await z.webhook(body('987654'), { invocationId });
    expect(response.status).toBe(200);
    await processed(invocationId);
    expect(await casesOf('987654')).toHaveLength(0);
  });

  it('moves nothing when the ticket lacks the tag when re-read', async () => {
    const { ticketId } = await z.customerWithTicket('80.00');
    const lead = await z.agent('lead@refund-desk.local');
    const invocationId = randomUUID();
    expect((await z.webhook(body(ticketId, String(lead.id)), { invocationId })).status).toBe(200);
    await processed(invocationId);
    expect(await casesOf(ticketId)).toHaveLength(0);
  });

  it('turns 50 concurrent replays of one signed delivery (and the trigger’s own) into exactly one refund', async () => {
    const { ticketId, paymentRef } = await z.customerWithTicket('120.00');
    const lead = await z.agent('lead@refund-desk.local');
    // the lead tags the ticket in Zendesk: the sandbox's trigger posts its own signed webhook
    await z.sandbox('POST', `/__sandbox/tickets/${ticketId}/edit`, { add: ['refund_approved'], userId: lead.id });
    const raw = body(ticketId, String(lead.id));
    const invocationId = randomUUID();
    const replays = await Promise.all(Array.from({ length: 50 }, () => z.webhook(raw, { invocationId })));
    expect(replays.map((r) => r.status)).toEqual(Array(50).fill(200));
    const answers = (await Promise.all(replays.map((r) => r.json()))) as Array<{ duplicate?: boolean }>;
    expect(answers.filter((a) => a.duplicate !== true)).toHaveLength(1);

    await eventually(async () => (await casesOf(ticketId)).some((c) => c.state === 'succeeded'), 30_000);
    await processed(invocationId);
    const cases = await casesOf(ticketId);
    expect(cases).toHaveLength(1);
    expect(cases[0]?.source).toBe('zendesk');
    const refunds = await db()
      .selectFrom('refunds')
      .selectAll()
      .where('case_id', '=', cases[0]?.id as string)
      .execute();
    expect(refunds).toHaveLength(1);
    const atGateway = await fetch(`${z.stripeUrl}/v1/refunds?payment_intent=${paymentRef}`, {
      headers: { authorization: `Bearer ${ZENDESK_TEST_ENV.STRIPE_SECRET_KEY}` },
    });
    expect(((await atGateway.json()) as { data: unknown[] }).data).toHaveLength(1);
    const recorded = await db()
      .selectFrom('inbound_events')
      .select('id')
      .where('event_id', '=', invocationId)
      .execute();
    expect(recorded).toHaveLength(1);
  }, 60_000);

  it('approves the ticket’s pending case as the tagging lead; an agent’s tag only explains who can', async () => {
    const { ticketId } = await z.customerWithTicket('900.00');
    const agent = await z.agent('agent@refund-desk.local');
    const lead = await z.agent('lead@refund-desk.local');
    const session = { token: await z.signIn(agent.id) };
    const opened = await z.sidebar('GET', `/tickets/${ticketId}`, session);
    const paymentId = opened.body.payments[0].id as string;
    const created = await z.sidebar('POST', `/tickets/${ticketId}/refunds`, session, {
      paymentId,
      reasonCode: 'goodwill',
    });
    expect(created.body.case.state).toBe('pending_approval');

    await z.sandbox('POST', `/__sandbox/tickets/${ticketId}/edit`, { add: ['refund_approved'], userId: agent.id });
    await eventually(async () => {
      const { ticket } = await z.sandbox('GET', `/__sandbox/tickets/${ticketId}`);
      return !ticket.tags.includes('refund_approved');
    });
    const { ticket: refused } = await z.sandbox('GET', `/__sandbox/tickets/${ticketId}`);
    expect(refused.comments.some((c: { body: string }) => c.body.includes('needs a lead or above'))).toBe(true);
    expect((await casesOf(ticketId))[0]?.state).toBe('pending_approval');

    await z.sandbox('POST', `/__sandbox/tickets/${ticketId}/edit`, { add: ['refund_approved'], userId: lead.id });
    await eventually(async () => (await casesOf(ticketId))[0]?.state === 'succeeded', 30_000);
    expect((await casesOf(ticketId))[0]?.decided_by).not.toBeNull();
  }, 60_000);
});
