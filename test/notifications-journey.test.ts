import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationsConsumer } from '../server/src/notifications/notification-consumer.js';
import { approve, deny } from '../server/src/refunds/decide-case.js';
import { requestRefund } from '../server/src/refunds/request-refund.js';
import { BACKENDS } from './support/databases.js';
import { usd } from './support/engine-fixtures.js';
import { createNotificationsFixture, type NotificationsFixture } from './support/notifications-fixture.js';

describe.each(BACKENDS)('customer notifications journey on %s', (backend) => {
  let f: NotificationsFixture;
  beforeAll(async () => {
    f = await createNotificationsFixture(backend);
  });
  afterAll(async () => {
    await f?.close();
  });

  const smsTo = (phone: string) => (f.integration.twilioSandbox?.messages ?? []).filter((m) => m.to === phone);
  const emailsTo = (email: string) => (f.integration.sendgridSandbox?.emails ?? []).filter((m) => m.to === email);
  const request = (paymentId: string, amount: number, requestedBy: string | null = f.staff.agent.staffId) =>
    requestRefund(f.ctx, {
      orgId: f.orgId,
      paymentId,
      amount: usd(amount),
      reasonCode: 'product_return',
      source: 'api',
      requestedBy,
    });

  it('sends each stage once, in order, over the Twilio SDK, however often events and jobs repeat', async () => {
    const phone = '+15550101001';
    const { paymentId } = await f.addCustomer({
      name: 'Robin Q. Patient',
      phone,
      smsConsent: true,
      amount: usd(300_000),
    });
    const { caseRow } = await request(paymentId, 120_000);
    await f.dispatch();
    await f.runDeliveries();
    await approve(f.ctx, { principal: f.staff.manager, caseId: caseRow.id });
    await f.dispatch();
    await f.dispatch(); // nothing new: nothing enqueued twice
    await f.runDeliveries();
    // the same stage handed over again (a replayed event) and every job run once more: still one message each
    const { deliverStage } = await import('../server/src/notifications/deliver-stage.js');
    for (const stage of ['received', 'under_review', 'approved', 'refund_sent'] as const)
      await Promise.all(
        [1, 2, 3].map(() => deliverStage(f.ctx, f.integration.runtime, { orgId: f.orgId, caseId: caseRow.id, stage })),
      );

    const texts = smsTo(phone).map((m) => m.body);
    expect(texts).toHaveLength(4);
    expect(texts[0]).toContain('we received your refund request');
    expect(texts[1]).toContain('is being reviewed');
    expect(texts[2]).toContain('is approved');
    expect(texts[3]).toContain('we sent your refund');
    expect(texts[3]).toContain('card ending 4242');
    expect(texts[3]).toContain('5–10 business days');
    expect(texts[3]).toContain('$1,200.00');
    for (const text of texts) {
      expect(text).toContain(caseRow.reference);
      expect(text).toMatch(new RegExp(`${f.server.url}/track/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+`));
      expect(text).not.toContain('Patient'); // first name at most
    }
    expect(
      emailsTo(
        (await f.ctx.db.selectFrom('customers').select('email').where('phone', '=', phone).executeTakeFirstOrThrow())
          .email ?? '',
      ),
    ).toHaveLength(0);

    await f.settle();
    const rows = await f.notifications(caseRow.id);
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.channel === 'sms' && r.status === 'delivered')).toBe(true);
  });

  it('emails a customer without a phone, in their language, and tells the denial reason', async () => {
    const email = 'lin@patients.test';
    const { paymentId } = await f.addCustomer({
      name: 'Lin Wei',
      email,
      phone: null,
      locale: 'zh-CN',
      amount: usd(300_000),
    });
    const { caseRow } = await request(paymentId, 120_000);
    await deny(f.ctx, { principal: f.staff.manager, caseId: caseRow.id, reason: 'Outside the 30-day return window.' });
    await f.dispatch();
    await f.runDeliveries();
    const mails = emailsTo(email);
    expect(mails.map((m) => m.subject)).toEqual([
      `我们已收到您的退款申请 ${caseRow.reference}`,
      `您的退款 ${caseRow.reference} 正在审核中`,
      `关于您的退款申请 ${caseRow.reference}`,
    ]);
    expect(mails[2]?.text).toContain('Outside the 30-day return window.');
    expect(mails[2]?.html).toContain('<html lang="zh-CN">');
    expect(mails[0]?.customArgs['notification_id']).toMatch(/^[0-9a-f-]{36}$/);
    await f.settle();
    expect((await f.notifications(caseRow.id)).map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered']);
  });

  it('STOP by SMS revokes consent (audited); the next case goes by email only', async () => {
    const phone = '+15550101002';
    const email = 'stop@patients.test';
    const { paymentId, customerId } = await f.addCustomer({ name: 'Sam Stop', email, phone, smsConsent: true });
    expect(await f.integration.twilioSandbox?.sendInbound({ from: phone, body: 'STOP' })).toBe(200);
    await f.settle();
    const contact = await f.ctx.db
      .selectFrom('notification_contacts')
      .selectAll()
      .where('customer_id', '=', customerId)
      .executeTakeFirstOrThrow();
    expect(contact).toMatchObject({ sms_consent: 'revoked', sms_consent_source: 'sms:STOP' });
    const audit = await f.ctx.db
      .selectFrom('audit_events')
      .select(['action', 'data'])
      .where('action', '=', 'consent.revoked')
      .execute();
    expect(audit.some((a) => (a.data as { customerId?: string }).customerId === customerId)).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(phone);

    const { caseRow } = await request(paymentId, 2_000);
    await f.dispatch();
    await f.runDeliveries();
    expect(smsTo(phone)).toHaveLength(0);
    expect(emailsTo(email).length).toBeGreaterThanOrEqual(1);
    expect((await f.notifications(caseRow.id)).every((r) => r.channel === 'email')).toBe(true);
  });

  it('free-text revocations and START keywords change consent; other replies do not', async () => {
    const phone = '+15550101003';
    const { customerId } = await f.addCustomer({ phone, smsConsent: true });
    const consent = async () =>
      await f.ctx.db
        .selectFrom('notification_contacts')
        .select(['sms_consent', 'sms_consent_source'])
        .where('customer_id', '=', customerId)
        .executeTakeFirstOrThrow();
    await f.integration.twilioSandbox?.sendInbound({ from: phone, body: 'Thanks, when will it arrive?' });
    await f.settle();
    expect((await consent()).sms_consent).toBe('granted');
    await f.integration.twilioSandbox?.sendInbound({ from: phone, body: 'please stop texting me' });
    await f.settle();
    expect(await consent()).toEqual({ sms_consent: 'revoked', sms_consent_source: 'sms:free_text' });
    await f.integration.twilioSandbox?.sendInbound({ from: phone, body: 'start' });
    await f.settle();
    expect(await consent()).toEqual({ sms_consent: 'granted', sms_consent_source: 'sms:START' });
  });

  it('a Twilio 21610 answer records the opt-out and falls back to email', async () => {
    const phone = '+15550101004';
    const email = 'optout@patients.test';
    const { paymentId, customerId } = await f.addCustomer({ email, phone, smsConsent: true });
    f.integration.twilioSandbox?.injectFault(phone, 'opted_out');
    const { caseRow } = await request(paymentId, 2_000);
    await f.dispatch();
    await f.runDeliveries();
    const rows = await f.notifications(caseRow.id);
    expect(
      rows.filter((r) => r.channel === 'sms').every((r) => r.status === 'failed' && r.error_code === '21610'),
    ).toBe(true);
    expect(rows.filter((r) => r.channel === 'email').length).toBeGreaterThanOrEqual(1);
    const contact = await f.ctx.db
      .selectFrom('notification_contacts')
      .select(['sms_consent', 'sms_consent_source'])
      .where('customer_id', '=', customerId)
      .executeTakeFirstOrThrow();
    expect(contact).toEqual({ sms_consent: 'revoked', sms_consent_source: 'twilio:21610' });
    expect(smsTo(phone)).toHaveLength(0);
  });

  it('quiet hours: news waits for the window in the organisation time zone; action needed goes at once', async () => {
    const { paymentId } = await f.addCustomer({ phone: '+15550101005', smsConsent: true });
    await f.dispatch(); // catch up on earlier events first
    await f.ctx.db
      .updateTable('organisations')
      .set({ timezone: 'America/New_York' })
      .where('id', '=', f.orgId)
      .execute();
    f.clock.set(new Date('2026-11-23T03:30:00Z')); // 22:30 in New York
    const quiet = { ...f.ctx, config: { ...f.ctx.config, NOTIFY_SEND_WINDOW: '08:00-21:00' } };
    try {
      const { caseRow } = await request(paymentId, 2_000);
      const { dispatchCaseEvents } = await import('../server/src/events/case-events.js');
      await dispatchCaseEvents(quiet, [notificationsConsumer]);
      const jobs = await sql<{ stage: string; delay: number }>`
        select data->>'stage' as stage, extract(epoch from (start_after - created_on))::int as delay
        from pgboss.job where name = 'notifications.deliver' and data->>'caseId' = ${caseRow.id}
        order by created_on`.execute(f.ctx.db);
      const received = jobs.rows.find((j) => j.stage === 'received');
      // 22:30 → 08:00 is 9.5 hours
      expect(Number(received?.delay)).toBeGreaterThan(9.5 * 3600 - 120);
      expect(Number(received?.delay)).toBeLessThan(9.5 * 3600 + 120);
      const { secondsUntilSendWindow } = await import('../server/src/notifications/notification-stages.js');
      expect(secondsUntilSendWindow(new Date('2026-11-23T03:30:00Z'), 'America/New_York', '08:00-21:00')).toBe(
        9.5 * 3600,
      );
      expect(secondsUntilSendWindow(new Date('2026-11-23T15:00:00Z'), 'America/New_York', '08:00-21:00')).toBe(0);
      expect(secondsUntilSendWindow(new Date('2026-11-23T03:30:00Z'), 'Asia/Shanghai', '08:00-21:00')).toBe(0);
      const { isUrgent } = await import('../server/src/notifications/notification-stages.js');
      expect(isUrgent('action_needed')).toBe(true);
      expect(isUrgent('received')).toBe(false);
    } finally {
      await f.ctx.db.updateTable('organisations').set({ timezone: 'UTC' }).where('id', '=', f.orgId).execute();
      f.clock.set(new Date());
    }
  });
});
