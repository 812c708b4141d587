import { describe, expect, it } from 'vitest';
import type { CardFacts } from '../apps/slack-bot/src/desk-port.js';
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

const facts: CardFacts = {
  caseId: '7b1f0c52-7d5c-4d0e-9a55-0d1b2f0a9e11',
  reference: 'RD-7K3M9QXA',
  state: 'pending_approval',
  amount: 'USD 1200.00',
  method: 'visa •••• 4242',
  reasonCode: 'product_return',
  requiredRole: 'lead',
  requester: 'Alex <!channel> Agent',
  ticket: { ref: '1042', url: 'https://acme.zendesk.com/agent/tickets/1042' },
  evidence: [
    { rule: 'amount_within_refundable', outcome: 'pass', reason: 'USD 1200.00 of USD 2400.00 is still refundable.' },
    { rule: 'identity_match', outcome: 'review', reason: 'The customer could not be verified.' },
  ],
  recentRefunds: { count: 2, total: 'USD 80.00' },
};

/** Every payload, as it would leave for Slack or Teams. */
function renderAll(f: CardFacts) {
  return {
    card: approvalCard(f),
    outcome: outcomeCard({
      ...f,
      state: 'denied',
      decision: { outcome: 'denied', by: 'Lee Lead', at: '2026-11-22T10:00:00.000Z' },
    }),
    failed: outcomeCard({ ...f, state: 'exception', exceptionCode: 'expired_or_canceled_card' }),
    reminder: reminderMessage(f, 25.5),
    escalation: escalationMessage({ ...f, requiredRole: 'manager' }, 'lead'),
    notification: notificationFailedMessage({ reference: f.reference, channel: 'sms', errorCode: '21610' }),
    modal: denyModal({ caseId: f.caseId, reference: f.reference, channel: 'C123' }),
    home: homeView([f]),
    queue: queueMessage([f]),
    teams: workflowsMessage(teamsAlertCard(f, { kind: 'approval', url: 'https://desk.example/approve/t' })),
  };
}

describe('chat payloads (minimum necessary)', () => {
  it('carry the reference, amount, method summary, reason code and evidence', () => {
    const card = JSON.stringify(approvalCard(facts));
    for (const expected of [
      'RD-7K3M9QXA',
      'USD 1200.00',
      'visa •••• 4242',
      'product_return',
      'still refundable',
      '2 other refund(s)',
      'tickets/1042',
    ]) {
      expect(card).toContain(expected);
    }
  });

  it('escape Slack control sequences from data so nobody can be mentioned or a link forged', () => {
    const { teams: _adaptiveCard, ...slack } = renderAll(facts);
    const all = JSON.stringify(slack);
    expect(all).not.toContain('<!channel>');
    expect(all).toContain('&lt;!channel&gt;');
  });

  it('render only the facts given: no note, contact, birth date, card number or deny reason field exists to leak', () => {
    const all = JSON.stringify(renderAll(facts));
    for (const forbidden of ['note', 'email', 'phone', 'birth', 'dob', 'diagnos', 'reason_text']) {
      expect(all.toLowerCase()).not.toContain(`"${forbidden}"`);
    }
    expect(all).not.toMatch(/\d{12,19}/); // no PAN-length digit run
  });

  it('the outcome card has no buttons and says who decided; the Teams card is Adaptive Card 1.4 with one OpenUrl', () => {
    const { outcome, teams } = renderAll(facts);
    expect(outcome.blocks.some((b) => b['type'] === 'actions')).toBe(false);
    expect(JSON.stringify(outcome)).toContain('Lee Lead');
    const content = teams['attachments'][0].content;
    expect(content.version).toBe('1.4');
    expect(content.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Review and decide', url: 'https://desk.example/approve/t' },
    ]);
  });

  it('confirm dialog labels stay within Slack limits (≤ 30 characters)', () => {
    const actions = approvalCard(facts).blocks.find((b) => b['type'] === 'actions');
    const confirm = actions?.['elements'][0].confirm;
    for (const label of [confirm.title.text, confirm.confirm.text, confirm.deny.text])
      expect(label.length).toBeLessThanOrEqual(30);
  });
});
