import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../server/src/http/auth.js';
import { approve } from '../server/src/refunds/decide-case.js';
import { requestRefund } from '../server/src/refunds/request-refund.js';
import { zendeskWritebackJob } from '../server/src/zendesk/zendesk-jobs.js';
import { BACKENDS } from './support/databases.js';
import { eventually } from './support/engine-fixtures.js';
import { startZendeskDesk, type ZendeskDesk } from './support/zendesk-desk.js';

interface Comment {
  body: string;
  public: boolean;
}

describe.each(BACKENDS)('Zendesk ticket write-back on %s', (backend) => {
  let z: ZendeskDesk;
  let orgId: string;
  const staff: Record<string, Principal> = {};
  beforeAll(async () => {
    z = await startZendeskDesk(backend);
    orgId = z.desk.firstStart?.orgId as string;
    const rows = await z.desk.ctx.db.selectFrom('staff').selectAll().where('org_id', '=', orgId).execute();
    for (const row of rows) {
      staff[row.role] = {
        orgId,
        staffId: row.id,
        role: row.role,
        name: row.name,
        email: row.email,
        channel: 'api',
        proof: 'api_token',
      };
    }
  }, 120_000);
  afterAll(async () => {
    await z?.stop();
  });

  const db = () => z.desk.ctx.db;
  const ticket = async (id: string) =>
    (await z.sandbox('GET', `/__sandbox/tickets/${id}`)).ticket as { tags: string[]; comments: Comment[] };
  const notesWith = async (id: string, marker: string) =>
    (await ticket(id)).comments.filter((c) => c.body.includes(marker));
  const allWritten = () =>
    eventually(async () => {
      await z.desk.caseEvents?.flush();
      const pending = await db().selectFrom('zendesk_writebacks').select('id').where('done_at', 'is', null).execute();
      return pending.length === 0;
    }, 30_000);
  const openCase = async (amount: string, kind: 'card' | 'card_refund_fails' = 'card') => {
    const { ticketId, paymentRef } = await z.customerWithTicket(amount, { kind });
    const payment = await db()
      .selectFrom('payments')
      .select('id')
      .where('gateway_payment_id', '=', paymentRef)
      .executeTakeFirstOrThrow();
    const { caseRow } = await requestRefund(z.desk.ctx, {
      orgId,
      paymentId: payment.id,
      reasonCode: 'goodwill',
      source: 'zendesk',
      ticket: { system: 'zendesk', ref: ticketId },
      requestedBy: staff['agent']?.staffId as string,
      identity: 'email_only',
    });
    return { ticketId, caseRow };
  };

  it('writes one internal note per stage, and the tags replace each other', async () => {
    const { ticketId, caseRow } = await openCase('900.00');
    const ref = caseRow.reference;
    await allWritten();
    expect((await ticket(ticketId)).tags).toContain('refund_pending');
    await approve(z.desk.ctx, { principal: staff['lead'] as Principal, caseId: caseRow.id });
    await eventually(
      async () =>
        (await db().selectFrom('refund_cases').select('state').where('id', '=', caseRow.id).executeTakeFirstOrThrow())
          .state === 'succeeded',
      30_000,
    );
    await allWritten();
    const after = await ticket(ticketId);
    expect(after.tags).toContain('refund_processed');
    expect(after.tags).not.toContain('refund_pending');
    expect(after.tags).not.toContain('refund_failed');
    for (const stage of ['requested', 'pending_approval', 'approved', 'succeeded']) {
      const notes = after.comments.filter((c) => c.body.includes(`[refund-desk ${ref} ${stage}]`));
      expect(notes, stage).toHaveLength(1);
      expect(notes[0]?.public, stage).toBe(false);
    }
    const succeeded = after.comments.find((c) => c.body.includes(`${ref} succeeded`));
    expect(succeeded?.body).toMatch(/gateway reference re_/);
    expect(after.comments.find((c) => c.body.includes(`${ref} approved`))?.body).toContain('Lee Lead');
    expect(after.comments.find((c) => c.body.includes(`${ref} is waiting`))?.body).toContain('lead or above');

    // a job that ran again after posting (it died before recording) finds its note and posts no second one
    await db()
      .updateTable('zendesk_writebacks')
      .set({ done_at: null })
      .where('case_id', '=', caseRow.id)
      .where('stage', '=', 'succeeded')
      .execute();
    await z.desk.ctx.queue.send(zendeskWritebackJob, { orgId, caseId: caseRow.id });
    await allWritten();
    expect(await notesWith(ticketId, `[refund-desk ${ref} succeeded]`)).toHaveLength(1);
  }, 60_000);

  it('honours a 429’s Retry-After before writing again', async () => {
    await allWritten();
    const since = Date.now();
    await z.sandbox('POST', '/__sandbox/faults', { faults: [{ kind: 'http_429', retryAfterSeconds: 1 }] });
    const { ticketId, caseRow } = await openCase('700.00');
    await allWritten();
    const { calls } = (await z.sandbox('GET', '/__sandbox/calls')) as {
      calls: Array<{ method: string; path: string; at: number }>;
    };
    const puts = calls.filter(
      (c) => c.at >= since && c.method === 'PUT' && c.path === `/api/v2/tickets/${ticketId}.json`,
    );
    expect(puts.length).toBeGreaterThanOrEqual(2);
    expect((puts[1]?.at ?? 0) - (puts[0]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(await notesWith(ticketId, `[refund-desk ${caseRow.reference} requested]`)).toHaveLength(1);
  }, 60_000);

  it('does not duplicate a note when the response to the update is lost', async () => {
    await allWritten();
    const since = Date.now();
    await z.sandbox('POST', '/__sandbox/faults', { faults: [{ kind: 'drop_response' }] });
    const { ticketId, caseRow } = await openCase('650.00');
    await allWritten();
    const { calls } = (await z.sandbox('GET', '/__sandbox/calls')) as { calls: Array<{ path: string; at: number }> };
    // the retry looked for its note before writing again
    expect(calls.some((c) => c.at >= since && c.path === `/api/v2/tickets/${ticketId}/comments.json`)).toBe(true);
    expect(await notesWith(ticketId, `[refund-desk ${caseRow.reference} requested]`)).toHaveLength(1);
    expect(await notesWith(ticketId, `[refund-desk ${caseRow.reference} pending_approval]`)).toHaveLength(1);
    expect((await ticket(ticketId)).tags).toContain('refund_pending');
  }, 60_000);

  it('tells the ticket a refund failed, why and what happens next, and tags it refund_failed', async () => {
    const { ticketId, caseRow } = await openCase('600.00', 'card_refund_fails');
    await approve(z.desk.ctx, { principal: staff['lead'] as Principal, caseId: caseRow.id });
    await eventually(async () => {
      await z.desk.caseEvents?.flush();
      return (await notesWith(ticketId, `[refund-desk ${caseRow.reference} failed]`)).length === 1;
    }, 45_000);
    await allWritten();
    const after = await ticket(ticketId);
    expect(after.tags).toContain('refund_failed');
    expect(after.tags).not.toContain('refund_pending');
    const note = after.comments.find((c) => c.body.includes(`${caseRow.reference} failed`));
    expect(note?.body).toMatch(/exceptions queue/);
  }, 60_000);

  it('writes nothing for cases that are not on a Zendesk ticket', async () => {
    await allWritten();
    const before = await db().selectFrom('zendesk_writebacks').select('id').execute();
    const { paymentRef } = await z.customerWithTicket('30.00');
    const payment = await db()
      .selectFrom('payments')
      .select('id')
      .where('gateway_payment_id', '=', paymentRef)
      .executeTakeFirstOrThrow();
    await requestRefund(z.desk.ctx, {
      orgId,
      paymentId: payment.id,
      reasonCode: 'goodwill',
      source: 'api',
      requestedBy: null,
    });
    await allWritten();
    expect(await db().selectFrom('zendesk_writebacks').select('id').execute()).toHaveLength(before.length);
  });
});
