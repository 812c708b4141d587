/**
 * Minimum necessary: every message a customer or a staff channel receives is rendered from a case
 * whose customer, payment and notes carry a date of birth, a diagnosis, a full card number and a
 * staff note — none of which may appear. Other areas add their payload builders (Slack, Teams) to
 * `payloads` as `{ name, render }` entries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCaseContacts, messageFacts } from '../server/src/notifications/message-facts.js';
import { LOCALES, renderMessage, STAGES } from '../server/src/notifications/message-templates.js';
import { deny } from '../server/src/refunds/decide-case.js';
import { requestRefund } from '../server/src/refunds/request-refund.js';
import { loadCardFacts, loadCase } from '../server/src/slack/card-facts.js';
import {
  approvalCard,
  denyModal,
  escalationMessage,
  homeView,
  notificationFailedMessage,
  outcomeCard,
  queueMessage,
  reminderMessage,
  teamsAlertCard,
  workflowsMessage,
} from '../server/src/slack/slack-payloads.js';
import { approvalPage } from '../server/src/teams/teams-approval-page.js';
import { loadTrackingView, renderTrackingPage } from '../server/src/tracking/tracking-view.js';
import { BACKENDS } from './support/databases.js';
import { usd } from './support/engine-fixtures.js';
import { createNotificationsFixture, type NotificationsFixture } from './support/notifications-fixture.js';

const FORBIDDEN = {
  dateOfBirth: '1961-04-12',
  diagnosis: 'type 2 diabetes',
  fullCardNumber: '4242424242424242',
  staffNote: 'patient was rude at reception',
  surname: 'Quinn-Doe',
};

interface Payload {
  readonly name: string;
  render(): Promise<string>;
}

describe.each(BACKENDS)('minimum necessary on %s', (backend) => {
  let f: NotificationsFixture;
  const payloads: Payload[] = [];

  beforeAll(async () => {
    f = await createNotificationsFixture(backend);
    const { paymentId } = await f.addCustomer({
      name: `Robin ${FORBIDDEN.surname} DOB ${FORBIDDEN.dateOfBirth}`,
      email: 'robin@patients.test',
      phone: '+15550109999',
      smsConsent: true,
      amount: usd(300_000),
      description: `Consultation: ${FORBIDDEN.diagnosis}; card ${FORBIDDEN.fullCardNumber}; DOB ${FORBIDDEN.dateOfBirth}`,
    });
    const { caseRow } = await requestRefund(f.ctx, {
      orgId: f.orgId,
      paymentId,
      amount: usd(120_000),
      reasonCode: 'insurance_denial',
      note: `Staff: ${FORBIDDEN.staffNote}. Diagnosis ${FORBIDDEN.diagnosis}, card ${FORBIDDEN.fullCardNumber}`,
      source: 'api',
      requestedBy: f.staff.agent.staffId,
    });
    await deny(f.ctx, {
      principal: f.staff.manager,
      caseId: caseRow.id,
      reason: 'The insurer paid this claim in full.',
    });
    // a second case of the same patient stays pending: its approval card and Teams alert
    const { caseRow: pending } = await requestRefund(f.ctx, {
      orgId: f.orgId,
      paymentId,
      amount: usd(110_000),
      reasonCode: 'insurance_denial',
      note: `Staff: ${FORBIDDEN.staffNote}. DOB ${FORBIDDEN.dateOfBirth}`,
      source: 'api',
      requestedBy: f.staff.agent.staffId,
    });
    expect(pending.state).toBe('pending_approval');
    await addChatPayloads(f, [caseRow.id, pending.id], payloads);
    const contacts = await loadCaseContacts(f.ctx.db, f.orgId, caseRow.id);
    if (!contacts) throw new Error('case not found');
    for (const locale of LOCALES) {
      for (const stage of STAGES) {
        const message = () =>
          renderMessage(stage, locale, messageFacts(contacts, stage, locale, 'https://desk.example/track/t.s'));
        payloads.push({ name: `sms ${stage} ${locale}`, render: async () => message().sms });
        payloads.push({ name: `email subject ${stage} ${locale}`, render: async () => message().subject });
        payloads.push({ name: `email text ${stage} ${locale}`, render: async () => message().text });
        payloads.push({ name: `email html ${stage} ${locale}`, render: async () => message().html });
      }
      payloads.push({
        name: `tracking page ${locale}`,
        render: async () => {
          const view = await loadTrackingView(f.ctx.db, { orgId: f.orgId, caseId: caseRow.id, locale });
          if (!view) throw new Error('no view');
          return renderTrackingPage(view, locale);
        },
      });
    }
  });
  afterAll(async () => {
    await f?.close();
  });

  it('renders every message, page and Slack/Teams payload without a date of birth, diagnosis, full card number or staff note', async () => {
    expect(payloads.length).toBe(2 * 6 * 4 + 2 + CHAT_PAYLOADS_PER_CASE * 2);
    for (const payload of payloads) {
      const text = (await payload.render()).toLowerCase();
      expect(text.length, payload.name).toBeGreaterThan(0);
      for (const [what, value] of Object.entries(FORBIDDEN))
        expect(text.includes(value.toLowerCase()), `${payload.name} carries the ${what}`).toBe(false);
      expect(text.replace(/\s|-/g, ''), `${payload.name} carries a card number`).not.toMatch(/\d{13,19}/);
    }
  });

  it('still says what it must: first name, reference, the denial reason', async () => {
    const sms = await payloads.find((p) => p.name === 'email text denied en')?.render();
    expect(sms).toContain('Robin');
    expect(sms).toContain('The insurer paid this claim in full.');
  });
});

const CHAT_PAYLOADS_PER_CASE = 11;

/** Every Slack and Teams payload, built from the cases' facts exactly as the chat consumers load them. */
async function addChatPayloads(f: NotificationsFixture, caseIds: string[], payloads: Payload[]): Promise<void> {
  for (const caseId of caseIds) {
    const caseRow = await loadCase(f.ctx.db, f.orgId, caseId);
    if (!caseRow) throw new Error('case not found');
    const facts = await loadCardFacts(f.ctx.db, f.ctx.config, {
      orgId: f.orgId,
      caseRow,
      isDefaultOrg: false,
      now: f.ctx.clock.now(),
    });
    const json = (value: unknown) => async () => JSON.stringify(value);
    const name = (what: string) => `${what} (${caseRow.state})`;
    payloads.push(
      { name: name('slack approval card'), render: json(approvalCard(facts)) },
      { name: name('slack outcome card'), render: json(outcomeCard(facts)) },
      { name: name('slack reminder'), render: json(reminderMessage(facts, 25)) },
      { name: name('slack escalation'), render: json(escalationMessage(facts, 'lead')) },
      {
        name: name('slack notification failed'),
        render: json(notificationFailedMessage({ reference: facts.reference, channel: 'sms', errorCode: '21610' })),
      },
      {
        name: name('slack deny modal'),
        render: json(denyModal({ caseId: facts.caseId, reference: facts.reference, channel: 'C1' })),
      },
      { name: name('slack app home'), render: json(homeView([facts])) },
      { name: name('slack queue'), render: json(queueMessage([facts])) },
      {
        name: name('teams approval alert'),
        render: json(
          workflowsMessage(teamsAlertCard(facts, { kind: 'approval', url: 'https://desk.example/approve/t' })),
        ),
      },
      {
        name: name('teams exception alert'),
        render: json(workflowsMessage(teamsAlertCard(facts, { kind: 'exception', url: 'https://desk.example/' }))),
      },
      { name: name('teams approval page'), render: async () => approvalPage(facts) },
    );
  }
}
