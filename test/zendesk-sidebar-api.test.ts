import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertPayment } from '../server/src/ledger/payments.js';
import { money } from '../server/src/money/money.js';
import { createOrganisation } from '../server/src/orgs/organisations.js';
import { requestRefund } from '../server/src/refunds/request-refund.js';
import { BACKENDS } from './support/databases.js';
import { eventually } from './support/engine-fixtures.js';
import { type SandboxUserView, startZendeskDesk, type ZendeskDesk } from './support/zendesk-desk.js';

describe.each(BACKENDS)('Zendesk sidebar API on %s', (backend) => {
  let z: ZendeskDesk;
  let agent: SandboxUserView;
  let lead: SandboxUserView;
  let stranger: SandboxUserView;
  beforeAll(async () => {
    z = await startZendeskDesk(backend);
    agent = await z.agent('agent@refund-desk.local');
    lead = await z.agent('lead@refund-desk.local');
    stranger = await z.agent('casey.contractor@refund-desk.local');
  }, 120_000);
  afterAll(async () => {
    await z?.stop();
  });

  const get = (userId: number, ticketId: string, token = z.jwt(userId, ticketId)) =>
    z.sidebar('GET', `/tickets/${ticketId}`, { token });

  describe('JWT', () => {
    it('refuses a bad signature, an expired token, a replayed jti and another installation’s audience with 401', async () => {
      const { ticketId } = await z.customerWithTicket('20.00');
      const bad = await get(agent.id, ticketId, z.jwt(agent.id, ticketId, {}, 'someone-elses-secret'));
      expect(bad.status).toBe(401);
      expect(bad.body.error.code).toBe('unauthenticated');
      const past = Math.floor(Date.now() / 1000) - 600;
      expect((await get(agent.id, ticketId, z.jwt(agent.id, ticketId, { iat: past, exp: past + 120 }))).status).toBe(
        401,
      );
      expect((await get(agent.id, ticketId, z.jwt(agent.id, ticketId, { aud: 'zendesk:other-desk' }))).status).toBe(
        401,
      );
      const future = Math.floor(Date.now() / 1000) + 600;
      expect((await get(agent.id, ticketId, z.jwt(agent.id, ticketId, { iat: future, exp: future + 60 }))).status).toBe(
        401,
      );
      const once = z.jwt(agent.id, ticketId);
      expect((await get(agent.id, ticketId, once)).status).toBe(200);
      const replayed = await get(agent.id, ticketId, once);
      expect(replayed.status).toBe(401);
      expect(replayed.body.error.message).toMatch(/jti/);
      const none = await fetch(`${z.url}/zendesk/sidebar/v1/default/tickets/${ticketId}`);
      expect(none.status).toBe(401);
    });

    it('refuses a token issued for another ticket with 403', async () => {
      const { ticketId } = await z.customerWithTicket('20.00');
      const other = await get(agent.id, ticketId, z.jwt(agent.id, String(Number(ticketId) + 1000)));
      expect(other.status).toBe(403);
    });
  });

  it('shows the requester’s customer, payments with eligibility, reason codes; unknown agents are read-only', async () => {
    const { ticketId, email } = await z.customerWithTicket('64.00');
    const view = await get(stranger.id, ticketId);
    expect(view.status).toBe(200);
    expect(view.body.viewer).toMatchObject({ readOnly: true, role: null, name: 'Casey Contractor' });
    expect(view.body.customer).toMatchObject({ email, match: 'email_only' });
    expect(view.body.payments).toHaveLength(1);
    expect(view.body.payments[0]).toMatchObject({
      gateway: 'stripe',
      amount: { value: '64.00', minor: 6400, currency: 'USD' },
      refundable: { value: '64.00' },
      method: { brand: 'visa', last4: '4242' },
    });
    expect(view.body.payments[0].eligibility.reasons.length).toBeGreaterThan(3);
    expect(view.body.reasonCodes.map((r: { code: string }) => r.code)).toContain('goodwill');
    const write = await z.sidebar(
      'POST',
      `/tickets/${ticketId}/refunds`,
      { token: z.jwt(stranger.id, ticketId) },
      {
        paymentId: view.body.payments[0].id,
        reasonCode: 'goodwill',
      },
    );
    expect(write.status).toBe(403);

    const mine = await get(agent.id, ticketId);
    expect(mine.body.viewer).toMatchObject({ readOnly: false, role: 'agent', name: 'Alex Agent' });
  });

  it('shows an empty state when the requester is no customer of ours', async () => {
    const { ticket } = await z.sandbox('POST', '/__sandbox/tickets', {
      subject: 'Hi',
      requesterEmail: 'nobody@example.org',
    });
    const view = await get(agent.id, String(ticket.id));
    expect(view.body).toMatchObject({ customer: null, payments: [], cases: [] });
  });

  it('requests, approves (tagging the ticket) and sees the refund succeed, through real HTTP', async () => {
    const { ticketId } = await z.customerWithTicket('900.00');
    const paymentId = (await get(agent.id, ticketId)).body.payments[0].id;
    const key = { 'idempotency-key': 'req-1' };
    const created = await z.sidebar(
      'POST',
      `/tickets/${ticketId}/refunds`,
      { token: z.jwt(agent.id, ticketId) },
      { paymentId, amount: '750.00', reasonCode: 'goodwill', note: 'asked twice' },
      key,
    );
    expect(created.status).toBe(201);
    expect(created.body.case).toMatchObject({
      state: 'pending_approval',
      requiredRole: 'lead',
      amount: { value: '750.00' },
    });
    expect(created.body.case.actions).toEqual({ approve: false, cancel: true });
    const again = await z.sidebar(
      'POST',
      `/tickets/${ticketId}/refunds`,
      { token: z.jwt(agent.id, ticketId) },
      { paymentId, amount: '750.00', reasonCode: 'goodwill', note: 'asked twice' },
      key,
    );
    expect(again.body.case.id).toBe(created.body.case.id);

    const selfApproval = await z.sidebar('POST', `/tickets/${ticketId}/refunds/${created.body.case.id}/approve`, {
      token: z.jwt(agent.id, ticketId),
    });
    expect(selfApproval.status).toBe(403);
    const leadView = await get(lead.id, ticketId);
    expect(leadView.body.cases[0].actions).toEqual({ approve: true, cancel: true });
    const approved = await z.sidebar('POST', `/tickets/${ticketId}/refunds/${created.body.case.id}/approve`, {
      token: z.jwt(lead.id, ticketId),
    });
    expect(approved.status).toBe(200);
    expect(approved.body.case.decidedBy).toBe('Lee Lead');
    const { ticket } = await z.sandbox('GET', `/__sandbox/tickets/${ticketId}`);
    expect(ticket.tags).toContain('refund_approved');
    await eventually(async () => (await get(lead.id, ticketId)).body.cases[0].state === 'succeeded', 30_000);
    const done = await get(lead.id, ticketId);
    expect(done.body.cases[0].gatewayRefundId).toMatch(/^re_/);
    expect(done.body.payments[0].refundable.value).toBe('150.00');
    const late = await z.sidebar('POST', `/tickets/${ticketId}/refunds/${created.body.case.id}/approve`, {
      token: z.jwt(lead.id, ticketId),
    });
    expect(late.status).toBe(409);
  }, 60_000);

  it('cancels a pending case', async () => {
    const { ticketId } = await z.customerWithTicket('800.00');
    const paymentId = (await get(agent.id, ticketId)).body.payments[0].id;
    const created = await z.sidebar(
      'POST',
      `/tickets/${ticketId}/refunds`,
      { token: z.jwt(agent.id, ticketId) },
      {
        paymentId,
        reasonCode: 'goodwill',
      },
    );
    const cancelled = await z.sidebar('POST', `/tickets/${ticketId}/refunds/${created.body.case.id}/cancel`, {
      token: z.jwt(agent.id, ticketId),
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.case.state).toBe('cancelled');
  });

  it('answers 400 for bad amounts and bodies, and nothing is written', async () => {
    const { ticketId } = await z.customerWithTicket('40.00');
    const paymentId = (await get(agent.id, ticketId)).body.payments[0].id;
    for (const amount of ['12.345', '-1', 'abc', '0', '1e3']) {
      const response = await z.sidebar(
        'POST',
        `/tickets/${ticketId}/refunds`,
        { token: z.jwt(agent.id, ticketId) },
        {
          paymentId,
          amount,
          reasonCode: 'goodwill',
        },
      );
      expect(response.status, amount).toBe(400);
      expect(response.body.error.code, amount).toBe('invalid_amount');
    }
    const extra = await z.sidebar(
      'POST',
      `/tickets/${ticketId}/refunds`,
      { token: z.jwt(agent.id, ticketId) },
      {
        paymentId,
        reasonCode: 'goodwill',
        currency: 'EUR',
      },
    );
    expect(extra.body.error.code).toBe('invalid_request');
    const notJson = await z.sidebar('POST', `/tickets/${ticketId}/refunds`, { token: z.jwt(agent.id, ticketId) }, '{');
    expect(notJson.status).toBe(400);
    const tooMuch = await z.sidebar(
      'POST',
      `/tickets/${ticketId}/refunds`,
      { token: z.jwt(agent.id, ticketId) },
      {
        paymentId,
        amount: '40.01',
        reasonCode: 'goodwill',
      },
    );
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error.code).toBe('not_refundable');
    const cases = await z.desk.ctx.db
      .selectFrom('refund_cases')
      .select('id')
      .where('ticket_ref', '=', ticketId)
      .execute();
    expect(cases).toHaveLength(0);
  });

  it('answers 404 for another organisation’s payment or case, and another ticket’s case', async () => {
    const db = z.desk.ctx.db;
    const other = await createOrganisation(db, { slug: `other-${backend}`, name: 'Other clinic' });
    const { payment } = await db.transaction().execute((trx) =>
      upsertPayment(trx, other.id, {
        gateway: 'stripe',
        gatewayPaymentId: `pi_other_${backend}`,
        amount: money(5000, 'USD'),
        status: 'captured',
        capturedAt: new Date(Date.now() - 3600_000),
        method: { type: 'card', brand: 'visa', last4: '4242', expMonth: 12, expYear: 2099, funding: 'credit' },
        customer: { email: 'shared@example.com', name: 'Shared' },
        source: 'test',
      }),
    );
    const foreignCase = await requestRefund(z.desk.ctx, {
      orgId: other.id,
      paymentId: payment.id,
      reasonCode: 'goodwill',
      source: 'api',
      requestedBy: null,
      ticket: { system: 'zendesk', ref: '1' },
    });
    const { ticketId } = await z.customerWithTicket('30.00');
    const paymentOfOrg = await z.sidebar(
      'POST',
      `/tickets/${ticketId}/refunds`,
      { token: z.jwt(agent.id, ticketId) },
      {
        paymentId: payment.id,
        reasonCode: 'goodwill',
      },
    );
    expect(paymentOfOrg.status).toBe(404);
    const caseOfOrg = await z.sidebar('POST', `/tickets/${ticketId}/refunds/${foreignCase.caseRow.id}/cancel`, {
      token: z.jwt(lead.id, ticketId),
    });
    expect(caseOfOrg.status).toBe(404);

    const first = await z.customerWithTicket('900.00');
    const pid = (await get(agent.id, first.ticketId)).body.payments[0].id;
    const created = await z.sidebar(
      'POST',
      `/tickets/${first.ticketId}/refunds`,
      { token: z.jwt(agent.id, first.ticketId) },
      {
        paymentId: pid,
        reasonCode: 'goodwill',
      },
    );
    const elsewhere = await z.sidebar('POST', `/tickets/${ticketId}/refunds/${created.body.case.id}/approve`, {
      token: z.jwt(lead.id, ticketId),
    });
    expect(elsewhere.status).toBe(404);
    const otherPayment = await z.sidebar(
      'POST',
      `/tickets/${ticketId}/refunds`,
      { token: z.jwt(agent.id, ticketId) },
      {
        paymentId: pid,
        reasonCode: 'goodwill',
      },
    );
    expect(otherPayment.status).toBe(404);
  });
});
