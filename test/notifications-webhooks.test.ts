import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twilioSignature } from '../server/src/connectors/twilio/twilio-signature.js';
import { requestRefund } from '../server/src/refunds/request-refund.js';
import { BACKENDS } from './support/databases.js';
import { usd } from './support/engine-fixtures.js';
import {
  createNotificationsFixture,
  type NotificationsFixture,
  TWILIO_TOKEN,
} from './support/notifications-fixture.js';

describe.each(BACKENDS)('notification delivery webhooks on %s', (backend) => {
  let f: NotificationsFixture;
  beforeAll(async () => {
    f = await createNotificationsFixture(backend);
  });
  afterAll(async () => {
    await f?.close();
  });

  const openCase = async (contact: { phone?: string; email?: string }) => {
    const { paymentId } = await f.addCustomer({
      phone: contact.phone ?? null,
      email: contact.email ?? null,
      smsConsent: !!contact.phone,
    });
    const { caseRow } = await requestRefund(f.ctx, {
      orgId: f.orgId,
      paymentId,
      amount: usd(2_000),
      reasonCode: 'product_return',
      source: 'api',
      requestedBy: f.staff.agent.staffId,
    });
    await f.dispatch();
    await f.runDeliveries();
    return caseRow;
  };
  const failures = (caseId: string) =>
    f.ctx.db
      .selectFrom('audit_events')
      .select(['data'])
      .where('case_id', '=', caseId)
      .where('action', '=', 'notification.failed')
      .execute();
  const received = async (caseId: string) => (await f.notifications(caseId)).find((r) => r.stage === 'received');
  const statusUrl = () => `${f.server.url}/webhooks/twilio/default/status`;
  const postStatus = (params: Record<string, string>, signature = twilioSignature(TWILIO_TOKEN, statusUrl(), params)) =>
    fetch(statusUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
    });

  it('an undelivered SMS marks the notification failed, alerts on the case without contact details, and shows in the API', async () => {
    const phone = '+15550102001';
    f.integration.twilioSandbox?.injectFault(phone, 'undelivered');
    const caseRow = await openCase({ phone });
    await f.settle();
    const rows = await f.notifications(caseRow.id);
    expect(rows.map((r) => [r.channel, r.status, r.error_code])).toContainEqual(['sms', 'failed', '30003']);
    const alerts = await failures(caseRow.id);
    expect(alerts.length).toBeGreaterThanOrEqual(1);
    expect(alerts[0]?.data).toMatchObject({ channel: 'sms', status: 'failed', errorCode: '30003' });
    expect(JSON.stringify(alerts)).not.toContain(phone);

    const response = await fetch(`${f.server.url}/api/v1/refunds/${caseRow.id}/notifications`, {
      headers: { authorization: `Bearer ${f.adminToken}` },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      notifications: Array<{ channel: string; status: string; errorCode: string }>;
    };
    expect(body.notifications).toContainEqual(
      expect.objectContaining({ channel: 'sms', status: 'failed', errorCode: '30003' }),
    );
  });

  it('signed status callbacks update delivery; tampered ones get 401; parallel duplicates change it once', async () => {
    const phone = '+15550102002';
    const caseRow = await openCase({ phone });
    await f.settle();
    const sms = f.integration.twilioSandbox?.messages.find((m) => m.to === phone && m.body.includes('we received'));
    expect(sms).toBeDefined();
    const params = {
      MessageSid: sms?.sid ?? '',
      MessageStatus: 'failed',
      ErrorCode: '30008',
      To: phone,
      AccountSid: 'x',
    };

    const tampered = await postStatus(
      { ...params, MessageStatus: 'delivered' },
      twilioSignature(TWILIO_TOKEN, statusUrl(), params),
    );
    expect(tampered.status).toBe(401);
    expect(((await tampered.json()) as { error: { code: string } }).error.code).toBe('invalid_signature');
    const unsigned = await postStatus(params, 'bm90IGEgc2lnbmF0dXJl');
    expect(unsigned.status).toBe(401);
    expect(await received(caseRow.id)).toMatchObject({ status: 'delivered' });

    // a failure after "delivered" is a real change (carrier report); five copies at once change it once
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => postStatus(params)));
    expect(answers.map((a) => a.status)).toEqual([204, 204, 204, 204, 204]);
    await f.settle();
    expect(await received(caseRow.id)).toMatchObject({ status: 'failed', error_code: '30008' });
    expect(await failures(caseRow.id)).toHaveLength(1);
    const recorded = await f.ctx.db
      .selectFrom('inbound_events')
      .select('id')
      .where('vendor', '=', 'twilio')
      .where('event_id', '=', `${sms?.sid}:failed`)
      .execute();
    expect(recorded).toHaveLength(1);
  });

  it('SendGrid events: a bounce marks the email bounced; a tampered batch gets 401; a repeated batch changes nothing', async () => {
    const email = 'bounce@patients.test';
    f.integration.sendgridSandbox?.injectFault(email, 'bounce');
    const caseRow = await openCase({ email });
    await f.settle();
    const rows = await f.notifications(caseRow.id);
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.every((r) => r.channel === 'email' && r.status === 'bounced')).toBe(true);
    expect((await failures(caseRow.id))[0]?.data).toMatchObject({
      channel: 'email',
      status: 'bounced',
      errorCode: 'bounce',
    });

    const sandbox = f.integration.sendgridSandbox;
    if (!sandbox) throw new Error('no SendGrid sandbox');
    const sent = sandbox.emails.find((m) => m.to === email && m.subject.startsWith('We received'));
    const batch = JSON.stringify([
      {
        email,
        event: 'delivered',
        sg_event_id: 'evt-fixed-1',
        sg_message_id: `${sent?.messageId}.x`,
        ...sent?.customArgs,
        timestamp: 1,
      },
    ]);
    const url = `${f.server.url}/webhooks/sendgrid/default`;
    const headers = sandbox.signedHeaders(batch);
    const tampered = await fetch(url, { method: 'POST', headers, body: batch.replace('delivered', 'processed') });
    expect(tampered.status).toBe(401);
    const stale = sandbox.signedHeaders(batch, String(Math.floor(Date.now() / 1000) - 3600));
    expect((await fetch(url, { method: 'POST', headers: stale, body: batch })).status).toBe(401);
    const answers = await Promise.all([1, 2, 3].map(() => fetch(url, { method: 'POST', headers, body: batch })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    await f.settle();
    // bounced is final: a late "delivered" does not undo it
    expect(await received(caseRow.id)).toMatchObject({ status: 'bounced' });
    const recorded = await f.ctx.db
      .selectFrom('inbound_events')
      .select('id')
      .where('event_id', '=', 'evt-fixed-1')
      .execute();
    expect(recorded).toHaveLength(1);
  });

  it('refuses webhooks of an unknown organisation and inbound SMS with a bad signature', async () => {
    const params = { MessageSid: 'SMx', From: '+15550102003', Body: 'STOP' };
    const url = `${f.server.url}/webhooks/twilio/default`;
    const bad = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature('wrong', url, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(bad.status).toBe(401);
    const unknown = await fetch(`${f.server.url}/webhooks/twilio/nobody/status`, { method: 'POST', body: 'a=b' });
    expect(unknown.status).toBe(404);
  });
});
