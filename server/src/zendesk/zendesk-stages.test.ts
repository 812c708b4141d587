import { describe, expect, it } from 'vitest';
import { type NoteFacts, noteFor } from './zendesk-stages.js';

const facts = (overrides: Partial<NoteFacts> = {}): NoteFacts => ({
  reference: 'RD-7K2M9QXA',
  amount: 2_100_00,
  currency: 'USD',
  reasonLabel: 'Goodwill gesture',
  gateway: 'stripe',
  requestedBy: 'Alex Agent',
  staffName: 'Morgan Manager',
  exceptionReason: null,
  decisionReason: null,
  ...overrides,
});

describe('ticket notes read like a person wrote them', () => {
  it.each([
    ['stripe', 'Stripe'],
    ['paypal', 'PayPal'],
    ['square', 'Square'],
  ])('names the gateway %s as %s', (gateway, name) => {
    expect(noteFor('approved', {}, facts({ gateway }))).toContain(`it is being sent to ${name}.`);
    expect(noteFor('succeeded', { gatewayRefundId: 're_1' }, facts({ gateway }))).toContain(
      `refunded through ${name},`,
    );
  });

  it('says what failed in plain words and what happens next', () => {
    const note = noteFor('failed', {}, facts({ exceptionReason: 'card_expired_or_canceled' }));
    expect(note).not.toContain('card_expired_or_canceled');
    expect(note).toContain('the customer’s card has expired or was cancelled');
    expect(note).toContain('A lead will pay the customer another way');
    expect(note).toContain('Nothing was refunded yet.');
    // a code we have no words for is still readable; a sentence (eligibility) stays as it is
    expect(noteFor('failed', {}, facts({ exceptionReason: 'weird_code' }))).toContain('refused it (weird code)');
    expect(noteFor('failed', {}, facts({ exceptionReason: 'the payment is older than 180 days' }))).toContain(
      'failed: the payment is older than 180 days.',
    );
  });

  it('a denial carries the reason the customer was given', () => {
    const note = noteFor('closed', { state: 'denied' }, facts({ decisionReason: 'Used for three months.' }));
    expect(note).toContain(
      'was denied by Morgan Manager; nothing was refunded. Reason given to the customer: “Used for three months.”',
    );
  });

  it('a case opened by a tag names the tagger', () => {
    expect(noteFor('requested', { taggedBy: 'Casey Contractor' }, facts({ requestedBy: null }))).toContain(
      'from this ticket: Casey Contractor added the refund_approved tag.',
    );
  });
});
