import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSignedUrlToken } from '../server/src/connectors/zendesk/zaf-signed-url.js';
import { revokeSession } from '../server/src/identity/sessions.js';
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
  /** Sidebar sessions (signed URL), by agent id: not bound to a ticket, so one per agent serves every test. */
  const sessions = new Map<number, string>();
  beforeAll(async () => {
    z = await startZendeskDesk(backend);
    agent = await z.agent('agent@refund-desk.local');
    lead = await z.agent('lead@refund-desk.local');
    stranger = await z.agent('casey.contractor@refund-desk.local');
    for (const user of [agent, lead, stranger]) sessions.set(user.id, await z.signIn(user.id));
  }, 120_000);
  const as = (user: SandboxUserView) => ({ token: sessions.get(user.id) as string });
  afterAll(async () => {
    await z?.stop();
  });

  const get = (userId: number, ticketId: string, token = sessions.get(userId) as string) =>
    z.sidebar('GET', `/tickets/${ticketId}`, { token });

  /** The claims of a token (to build forged variants of it). */
  const claimsOf = (token: string) =>
    JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8')) as Record<string, unknown>;
  const refusals = async () =>
    (
      await z.desk.ctx.db
        .selectFrom('audit_events')
        .select('data')
        .where('action', '=', 'zendesk.sidebar_sign_in_refused')
        .execute()
    ).map((r) => r.data as { problem: string; claimedSubject: string | null });

  describe('signed URLs: Zendesk proves the agent', () => {
    it('the location URL answers the built page with a session for the agent Zendesk signed in, framed only by the desk', async () => {
      const opened = await z.openSidebar(await z.zendeskAppToken(lead.id));
      expect(opened.status).toBe(200);
      expect(opened.session).toMatchObject({
        apiBase: '/zendesk/sidebar/v1/default',
        viewer: { name: 'Lee Lead', readOnly: false },
      });
      expect(opened.session?.token).toMatch(/^rds_/);
      expect(opened.html).toMatch(/<script type="module" crossorigin src="\.\/index-[\w-]+\.js"><\/script>/);
      const page = await fetch(`${z.url}/zendesk/app/default/sidebar`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: await z.zendeskAppToken(lead.id) }).toString(),
      });
      expect(page.headers.get('content-security-policy')).toContain(`frame-ancestors ${z.zendeskUrl}`);
      expect(page.headers.get('cache-control')).toBe('no-store');
      const bundle = /src="\.\/(index-[\w-]+\.js)"/.exec(await page.text())?.[1];
      const script = await fetch(`${z.url}/zendesk/app/default/${bundle}`);
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toContain('javascript');
      expect((await fetch(`${z.url}/zendesk/app/default/sidebar`)).status).toBe(405);
      expect((await fetch(`${z.url}/zendesk/app/default/..%2F..%2Fpackage.json`)).status).toBe(404);
    });

    it('refuses and audits a replayed, altered, foreign-key, other-installation, other-account, expired or missing token', async () => {
      const before = (await refusals()).length;
      const genuine = await z.zendeskAppToken(agent.id);
      expect((await z.openSidebar(genuine)).session).toBeDefined();
      // the same token again (a copy taken from the agent's browser)
      expect((await z.openSidebar(genuine)).status).toBe(401);
      // the payload swapped to name another agent, Zendesk's signature kept
      const [head, , signature] = genuine.split('.');
      const managerUser = await z.agent('manager@refund-desk.local');
      const renamed = {
        ...claimsOf(genuine),
        sub: String(claimsOf(genuine)['sub']).replace(String(agent.id), String(managerUser.id)),
      };
      const altered = `${head}.${Buffer.from(JSON.stringify(renamed)).toString('base64url')}.${signature}`;
      expect((await z.openSidebar(altered)).status).toBe(401);
      // well-formed claims signed with a key that is not the app's
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      expect((await z.openSidebar(signSignedUrlToken(renamed, privateKey))).status).toBe(401);
      // the app's own key, but another installation of it / another Zendesk account
      const otherInstall = z.zendesk.signAppToken(managerUser.id, {
        install: { subdomain: 'acme-test', installationId: '999999' },
      });
      expect((await z.openSidebar(otherInstall)).status).toBe(401);
      const otherAccount = z.zendesk.signAppToken(managerUser.id, {
        install: { subdomain: 'someone-else', installationId: z.zendesk.installedApp.installationId },
      });
      expect((await z.openSidebar(otherAccount)).status).toBe(401);
      // expired (issued ten minutes ago, lives five)
      const expired = z.zendesk.signAppToken(agent.id, { issuedAt: Math.floor(Date.now() / 1000) - 600 });
      expect((await z.openSidebar(expired)).status).toBe(401);
      // an HS256 token with the right claims (algorithm confusion) and no token at all
      expect((await z.openSidebar(z.jwt(managerUser.id, '1'))).status).toBe(401);
      expect((await z.openSidebar('')).status).toBe(401);
      const audited = (await refusals()).slice(before).map((r) => r.problem);
      expect(audited).toEqual([
        'replayed',
        'bad_signature',
        'bad_signature',
        'wrong_audience',
        'wrong_issuer',
        'expired',
        'wrong_algorithm',
        'missing',
      ]);
      // the refusal names who the token claimed to be (never trusted), for whoever investigates
      expect((await refusals()).slice(before)[1]?.claimedSubject).toContain(`/users/${managerUser.id}.json`);
    });

    it('an agent unknown to Refund Desk is read-only: no request, no approval', async () => {
      const { ticketId } = await z.customerWithTicket('70.00');
      const view = await get(stranger.id, ticketId);
      expect(view.body.viewer).toMatchObject({ readOnly: true, verified: true });
      const write = await z.sidebar('POST', `/tickets/${ticketId}/refunds`, as(stranger), {
        paymentId: view.body.payments[0].id,
        reasonCode: 'goodwill',
      });
      expect(write.status).toBe(403);
    });

    it('the 2,500.00 manager-tier case cannot be approved by a forged manager, only by the manager Zendesk signed in', async () => {
      const { ticketId, paymentRef } = await z.customerWithTicket('2500.00');
      const managerUser = await z.agent('manager@refund-desk.local');
      const paymentId = (await get(agent.id, ticketId)).body.payments[0].id;
      const created = await z.sidebar('POST', `/tickets/${ticketId}/refunds`, as(agent), {
        paymentId,
        reasonCode: 'goodwill',
      });
      expect(created.body.case).toMatchObject({ state: 'pending_approval', requiredRole: 'manager' });
      const approvePath = `/tickets/${ticketId}/refunds/${created.body.case.id}/approve`;
      // an older install's JWT whose sub (set by browser code) names the manager
      const legacy = await z.sidebar('POST', approvePath, { token: z.jwt(managerUser.id, ticketId) });
      expect(legacy.status).toBe(403);
      // a signed-URL token rewritten to name the manager does not sign in
      const genuine = await z.zendeskAppToken(stranger.id);
      const [head, , signature] = genuine.split('.');
      const forged = {
        ...claimsOf(genuine),
        sub: String(claimsOf(genuine)['sub']).replace(String(stranger.id), String(managerUser.id)),
      };
      expect(
        (await z.openSidebar(`${head}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`))
          .session,
      ).toBeUndefined();
      // the unknown agent's own session decides nothing; a lead's is below the tier
      expect((await z.sidebar('POST', approvePath, as(stranger))).status).toBe(403);
      expect((await z.sidebar('POST', approvePath, as(lead))).status).toBe(403);
      const pending = await get(lead.id, ticketId);
      expect(pending.body.cases[0].state).toBe('pending_approval');
      expect(await z.gatewayRefunds(paymentRef)).toHaveLength(0);

      const approved = await z.sidebar('POST', approvePath, { token: await z.signIn(managerUser.id) });
      expect(approved.status).toBe(200);
      expect(approved.body.case.decidedBy).toBe('Morgan Manager');
      await eventually(async () => (await get(lead.id, ticketId)).body.cases[0].state === 'succeeded', 30_000);
    }, 60_000);

    it('a revoked session is refused at once', async () => {
      const { ticketId } = await z.customerWithTicket('20.00');
      const token = await z.signIn(agent.id);
      expect((await get(agent.id, ticketId, token)).status).toBe(200);
      const row = await z.desk.ctx.db
        .selectFrom('staff_sessions')
        .select('id')
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
      await revokeSession(z.desk.ctx, { sessionId: row.id });
      expect((await get(agent.id, ticketId, token)).status).toBe(401);
    });
  });

  describe('older installs’ HS256 JWT', () => {
    it('reads and requests as an unverified desk agent, never auto-approved, and decides nothing', async () => {
      const { ticketId, paymentRef } = await z.customerWithTicket('40.00', { phone: '+15550160' });
      const view = await get(lead.id, ticketId, z.jwt(lead.id, ticketId));
      expect(view.body.viewer).toMatchObject({ verified: false, readOnly: false, role: null });
      const created = await z.sidebar(
        'POST',
        `/tickets/${ticketId}/refunds`,
        { token: z.jwt(lead.id, ticketId) },
        { paymentId: view.body.payments[0].id, reasonCode: 'product_return' },
      );
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      // 40.00 to a verified customer: policy would approve it, but nobody proven asked
      expect(created.body.case).toMatchObject({
        state: 'pending_approval',
        actions: { approve: false, cancel: false },
      });
      const requested = await z.desk.ctx.db
        .selectFrom('audit_events')
        .selectAll()
        .where('case_id', '=', created.body.case.id)
        .where('action', '=', 'case.requested')
        .executeTakeFirstOrThrow();
      expect(requested).toMatchObject({ actor_type: 'helpdesk', actor_id: `zendesk-user:${lead.id}` });
      expect(requested.data['requestedVia']).toMatchObject({ verified: false, name: 'Lee Lead' });
      const caseRow = await z.desk.ctx.db
        .selectFrom('refund_cases')
        .select('requested_by')
        .where('id', '=', created.body.case.id)
        .executeTakeFirstOrThrow();
      expect(caseRow.requested_by).toBeNull();
      for (const action of ['approve', 'cancel']) {
        const decided = await z.sidebar('POST', `/tickets/${ticketId}/refunds/${created.body.case.id}/${action}`, {
          token: z.jwt(lead.id, ticketId),
        });
        expect(decided.status, action).toBe(403);
      }
      expect(await z.gatewayRefunds(paymentRef)).toHaveLength(0);
    });

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
      const read = await get(agent.id, ticketId, once);
      expect(read.status).toBe(200);
      expect(read.body.viewer).toMatchObject({ verified: false, role: null, readOnly: false });
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
    expect(view.body.viewer).toMatchObject({ readOnly: true, role: null, name: 'Casey Contractor', verified: true });
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
    const write = await z.sidebar('POST', `/tickets/${ticketId}/refunds`, as(stranger), {
      paymentId: view.body.payments[0].id,
      reasonCode: 'goodwill',
    });
    expect(write.status).toBe(403);

    const mine = await get(agent.id, ticketId);
    expect(mine.body.viewer).toMatchObject({ readOnly: false, role: 'agent', name: 'Alex Agent', verified: true });
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
      as(agent),
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
      as(agent),
      { paymentId, amount: '750.00', reasonCode: 'goodwill', note: 'asked twice' },
      key,
    );
    expect(again.body.case.id).toBe(created.body.case.id);

    const selfApproval = await z.sidebar(
      'POST',
      `/tickets/${ticketId}/refunds/${created.body.case.id}/approve`,
      as(agent),
    );
    expect(selfApproval.status).toBe(403);
    const leadView = await get(lead.id, ticketId);
    expect(leadView.body.cases[0].actions).toEqual({ approve: true, cancel: true });
    const approved = await z.sidebar('POST', `/tickets/${ticketId}/refunds/${created.body.case.id}/approve`, as(lead));
    expect(approved.status).toBe(200);
    expect(approved.body.case.decidedBy).toBe('Lee Lead');
    const { ticket } = await z.sandbox('GET', `/__sandbox/tickets/${ticketId}`);
    expect(ticket.tags).toContain('refund_approved');
    await eventually(async () => (await get(lead.id, ticketId)).body.cases[0].state === 'succeeded', 30_000);
    const done = await get(lead.id, ticketId);
    expect(done.body.cases[0].gatewayRefundId).toMatch(/^re_/);
    expect(done.body.payments[0].refundable.value).toBe('150.00');
    const late = await z.sidebar('POST', `/tickets/${ticketId}/refunds/${created.body.case.id}/approve`, as(lead));
    expect(late.status).toBe(409);
  }, 60_000);

  it('after a request the payment shows the pending case as such, counted once, and refundable net of it', async () => {
    const { ticketId } = await z.customerWithTicket('100.00');
    const paymentId = (await get(agent.id, ticketId)).body.payments[0].id;
    const created = await z.sidebar('POST', `/tickets/${ticketId}/refunds`, as(agent), {
      paymentId,
      amount: '25.00',
      reasonCode: 'goodwill',
    });
    expect(created.body.case.state).toBe('pending_approval');
    const [payment] = (await get(agent.id, ticketId)).body.payments;
    expect(payment.refundable.value).toBe('75.00');
    expect(payment.pending).toMatchObject({
      amount: { value: '25.00' },
      cases: [{ id: created.body.case.id, reference: created.body.case.reference, state: 'pending_approval' }],
    });
    const open = payment.eligibility.reasons.find((r: { rule: string }) => r.rule === 'no_open_case');
    expect(open.message).toBe('finish the open case first: 1 other case on this payment is still open');
    // cancelled, the amount is refundable again and nothing is pending
    await z.sidebar('POST', `/tickets/${ticketId}/refunds/${created.body.case.id}/cancel`, as(agent));
    const [after] = (await get(agent.id, ticketId)).body.payments;
    expect(after).toMatchObject({ refundable: { value: '100.00' }, pending: null });
  });

  it('cancels a pending case', async () => {
    const { ticketId } = await z.customerWithTicket('800.00');
    const paymentId = (await get(agent.id, ticketId)).body.payments[0].id;
    const created = await z.sidebar('POST', `/tickets/${ticketId}/refunds`, as(agent), {
      paymentId,
      reasonCode: 'goodwill',
    });
    const cancelled = await z.sidebar('POST', `/tickets/${ticketId}/refunds/${created.body.case.id}/cancel`, as(agent));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.case.state).toBe('cancelled');
  });

  it('answers 400 for bad amounts and bodies, and nothing is written', async () => {
    const { ticketId } = await z.customerWithTicket('40.00');
    const paymentId = (await get(agent.id, ticketId)).body.payments[0].id;
    for (const amount of ['12.345', '-1', 'abc', '0', '1e3']) {
      const response = await z.sidebar('POST', `/tickets/${ticketId}/refunds`, as(agent), {
        paymentId,
        amount,
        reasonCode: 'goodwill',
      });
      expect(response.status, amount).toBe(400);
      expect(response.body.error.code, amount).toBe('invalid_amount');
    }
    const extra = await z.sidebar('POST', `/tickets/${ticketId}/refunds`, as(agent), {
      paymentId,
      reasonCode: 'goodwill',
      currency: 'EUR',
    });
    expect(extra.body.error.code).toBe('invalid_request');
    const notJson = await z.sidebar('POST', `/tickets/${ticketId}/refunds`, as(agent), '{');
    expect(notJson.status).toBe(400);
    const tooMuch = await z.sidebar('POST', `/tickets/${ticketId}/refunds`, as(agent), {
      paymentId,
      amount: '40.01',
      reasonCode: 'goodwill',
    });
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
    const paymentOfOrg = await z.sidebar('POST', `/tickets/${ticketId}/refunds`, as(agent), {
      paymentId: payment.id,
      reasonCode: 'goodwill',
    });
    expect(paymentOfOrg.status).toBe(404);
    const caseOfOrg = await z.sidebar(
      'POST',
      `/tickets/${ticketId}/refunds/${foreignCase.caseRow.id}/cancel`,
      as(lead),
    );
    expect(caseOfOrg.status).toBe(404);

    const first = await z.customerWithTicket('900.00');
    const pid = (await get(agent.id, first.ticketId)).body.payments[0].id;
    const created = await z.sidebar('POST', `/tickets/${first.ticketId}/refunds`, as(agent), {
      paymentId: pid,
      reasonCode: 'goodwill',
    });
    const elsewhere = await z.sidebar('POST', `/tickets/${ticketId}/refunds/${created.body.case.id}/approve`, as(lead));
    expect(elsewhere.status).toBe(404);
    const otherPayment = await z.sidebar('POST', `/tickets/${ticketId}/refunds`, as(agent), {
      paymentId: pid,
      reasonCode: 'goodwill',
    });
    expect(otherPayment.status).toBe(404);
  });
});
