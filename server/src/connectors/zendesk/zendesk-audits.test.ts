import { describe, expect, it } from 'vitest';
import { toHelpdeskAudit } from './zendesk-audits.js';

describe('Zendesk ticket audits → who changed which tags', () => {
  it('reads an agent’s tag change and a trigger’s change in the same audit apart', () => {
    const audit = toHelpdeskAudit({
      id: 5_001,
      author_id: 10_042,
      created_at: '2026-12-01T10:00:00Z',
      via: { channel: 'web', source: { rel: null } },
      events: [
        { type: 'Comment', value: 'ignored' },
        { type: 'Change', field_name: 'tags', value: ['vip', 'refund_approved'], previous_value: ['vip'] },
        {
          type: 'Change',
          field_name: 'tags',
          value: ['vip', 'refund_approved', 'refund_desk_notified'],
          previous_value: ['vip', 'refund_approved'],
          via: { channel: 'rule', source: { rel: 'trigger', from: { title: 'Refund Desk: send approved refunds' } } },
        },
      ],
    });
    expect(audit).toEqual({
      id: '5001',
      authorId: '10042',
      createdAt: '2026-12-01T10:00:00Z',
      channel: 'web',
      tagChanges: [
        { added: ['refund_approved'], removed: [], byRule: false, ruleTitle: null },
        {
          added: ['refund_desk_notified'],
          removed: [],
          byRule: true,
          ruleTitle: 'Refund Desk: send approved refunds',
        },
      ],
    });
  });

  it('takes space-separated tag strings, Create events, the system author and automations', () => {
    const created = toHelpdeskAudit({
      id: 1,
      author_id: -1,
      created_at: '2026-12-01T10:00:00Z',
      via: { channel: 'rule', source: { rel: 'automation', from: { title: 'Close after 4 days' } } },
      events: [
        { type: 'Create', field_name: 'tags', value: 'refund_approved VIP' },
        { type: 'Change', field_name: 'status', value: 'solved', previous_value: 'open' },
        { type: 'Change', field_name: 'tags', value: 'vip', previous_value: 'refund_approved vip' },
      ],
    });
    expect(created.authorId).toBeNull();
    expect(created.tagChanges).toEqual([
      { added: ['refund_approved', 'vip'], removed: [], byRule: true, ruleTitle: 'Close after 4 days' },
      { added: [], removed: ['refund_approved'], byRule: true, ruleTitle: 'Close after 4 days' },
    ]);
  });
});
