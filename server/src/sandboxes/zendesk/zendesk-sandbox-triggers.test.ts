import { describe, expect, it } from 'vitest';
import { installAppRequirements } from './zendesk-sandbox-requirements.js';
import { viaOf, ZendeskSandboxStore } from './zendesk-sandbox-store.js';
import { parseTriggers, runTriggerCycle } from './zendesk-sandbox-triggers.js';

function desk() {
  const store = new ZendeskSandboxStore();
  const agent = store.addUser({ name: 'Lee Lead', email: 'lead@example.com', role: 'agent' });
  const customer = store.addUser({ name: 'Ada', email: 'ada@example.com', role: 'end-user' });
  const ticket = store.addTicket({ subject: 'Refund', body: 'Please', requesterId: customer.id });
  const sent: Array<{ webhook: string; body: string }> = [];
  const update = (authorId: number, change: Parameters<ZendeskSandboxStore['updateTicket']>[2]) => {
    const { audit } = store.updateTicket(ticket, authorId, change, viaOf('web'));
    runTriggerCycle({
      store,
      triggers: store.triggers,
      ticket,
      audit,
      notify: (webhook, body) => sent.push({ webhook, body }),
    });
    return audit;
  };
  return { store, agent, customer, ticket, sent, update };
}

describe('sandbox triggers run like Zendesk’s: on every update whose state matches', () => {
  it('a presence condition fires again on any later update, a customer’s reply included', () => {
    const { store, agent, customer, sent, update } = desk();
    store.triggers = parseTriggers([
      {
        title: 'presence',
        all: [{ field: 'current_tags', operator: 'includes', value: 'refund_approved' }],
        actions: [{ field: 'notification_webhook', value: ['hook', '{"user":"{{current_user.id}}"}'] }],
      },
    ]);
    update(agent.id, { additional_tags: ['refund_approved'] });
    update(customer.id, { comment: { body: 'any news?', public: true } });
    expect(sent.map((s) => JSON.parse(s.body).user)).toEqual([String(agent.id), String(customer.id)]);
  });

  it('the app’s installed trigger notifies once per added tag and re-arms when the tag is taken off', () => {
    const { store, agent, customer, ticket, sent, update } = desk();
    store.triggers = installAppRequirements().triggers;
    const tagged = update(agent.id, { additional_tags: ['refund_approved'] });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.webhook).toBe('refund_desk_webhook');
    expect(ticket.tags).toEqual(['refund_approved', 'refund_desk_notified']);
    // the marker is the trigger's change, recorded in the agent's audit with the rule's via
    const byRule = tagged.events.find((e) => e.type === 'Change' && e.via?.channel === 'rule');
    expect(byRule).toMatchObject({ field_name: 'tags', value: ['refund_approved', 'refund_desk_notified'] });
    update(customer.id, { comment: { body: 'any news?', public: true } });
    expect(sent).toHaveLength(1);
    update(agent.id, { remove_tags: ['refund_approved'] });
    expect(ticket.tags).toEqual([]);
    update(agent.id, { additional_tags: ['refund_approved'] });
    expect(sent).toHaveLength(2);
  });

  it('refuses a condition it cannot evaluate instead of ignoring it', () => {
    expect(() =>
      parseTriggers([
        {
          title: 'x',
          all: [{ field: 'status', operator: 'is', value: 'open' }],
          actions: [{ field: 'remove_tags', value: 'a' }],
        },
      ]),
    ).toThrow();
  });

  it('records every update as an audit with its author and events', () => {
    const { store, agent, ticket, update } = desk();
    update(agent.id, { additional_tags: ['vip'], comment: { body: 'note', public: false } });
    const audits = store.audits.get(ticket.id) ?? [];
    expect(audits).toHaveLength(2);
    expect(audits[1]).toMatchObject({
      author_id: agent.id,
      via: { channel: 'web' },
      events: [
        { type: 'Comment', body: 'note', public: false },
        { type: 'Change', field_name: 'tags', value: ['vip'], previous_value: [] },
        { type: 'Change', field_name: 'status', value: 'open', previous_value: 'new' },
      ],
    });
  });
});
