import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEscalations } from '../server/src/slack/approval-escalation.js';
import { SlackDirectoryOfTeams } from '../server/src/slack/slack-settings.js';
import { BACKENDS } from './support/databases.js';
import { eventually } from './support/engine-fixtures.js';
import { type SlackDesk, startSlackDesk, TEAM_ID } from './support/slack-desk.js';

// biome-ignore lint/suspicious/noExplicitAny: sandbox JSON
type Json = any;
const HOUR = 3_600_000;

describe.each(BACKENDS)('approval reminders and escalation on %s', (backend) => {
  let d: SlackDesk;
  let teams: SlackDirectoryOfTeams;
  beforeAll(async () => {
    d = await startSlackDesk(backend, { APPROVAL_REMIND_AFTER_HOURS: '24', APPROVAL_ESCALATE_AFTER_HOURS: '72' });
    // the lead is linked to Slack, so the reminder DMs them
    await d.desk.ctx.db
      .updateTable('staff')
      .set({ external_ids: JSON.stringify({ slack: d.staff.lead.slackId }) })
      .where('id', '=', d.staff.lead.id)
      .execute();
    teams = new SlackDirectoryOfTeams(d.desk.ctx.db, d.desk.ctx.config, {
      signingSecrets: ['x'],
      defaultTeamId: TEAM_ID,
      defaultBotToken: 'xoxb-thresholds-only',
      slackApiUrl: undefined,
    });
  });
  afterAll(async () => {
    await d?.close();
  });

  const nudges = (caseId: string) =>
    d.desk.ctx.db
      .selectFrom('approval_nudges')
      .select(['kind', 'tier'])
      .where('case_id', '=', caseId)
      .orderBy('at')
      .execute();
  const run = async () => {
    const results = await Promise.all([runEscalations(d.desk.ctx, teams), runEscalations(d.desk.ctx, teams)]);
    return results.reduce(
      (sum, r) => ({ reminded: sum.reminded + r.reminded, escalated: sum.escalated + r.escalated }),
      { reminded: 0, escalated: 0 },
    );
  };

  it('reminds once after 24 h (thread + DM), escalates once after 72 h, and updates the card', async () => {
    const c = await d.openCase(120_000);
    let card: Json;
    await eventually(async () => {
      card = (await d.sandbox('/__sandbox/messages')).find((m: Json) => !m.thread_ts && m.text.includes(c.reference));
      return card !== undefined;
    });

    d.clock.advance(23 * HOUR);
    expect(await run()).toEqual({ reminded: 0, escalated: 0 });
    expect(await nudges(c.id)).toEqual([]);

    d.clock.advance(2 * HOUR); // 25 h
    const first = await run();
    expect(first.reminded).toBeLessThanOrEqual(1);
    expect(await run()).toEqual({ reminded: 0, escalated: 0 });
    expect(await nudges(c.id)).toEqual([{ kind: 'reminder', tier: 'lead' }]);
    await eventually(async () => {
      const messages: Json[] = await d.sandbox('/__sandbox/messages');
      const inThread = messages.filter((m) => m.thread_ts === card.ts && m.text.includes('has waited'));
      const dm = messages.filter((m) => m.channel.startsWith('D') && m.text.includes(c.reference));
      return inThread.length === 1 && dm.length === 1;
    });

    d.clock.advance(48 * HOUR); // 73 h
    await run();
    await run();
    expect(await nudges(c.id)).toEqual([
      { kind: 'reminder', tier: 'lead' },
      { kind: 'escalation', tier: 'lead' },
    ]);
    expect(await d.auditActions(c.id, 'case.escalated')).toHaveLength(1);
    const row = await d.desk.ctx.db
      .selectFrom('refund_cases')
      .select(['required_role', 'state'])
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ required_role: 'manager', state: 'pending_approval' });
    await eventually(async () => {
      const messages: Json[] = await d.sandbox('/__sandbox/messages');
      const updated = messages.find((m) => m.ts === card.ts);
      const notice = messages.filter(
        (m) => m.thread_ts === card.ts && m.text.includes('escalated from lead to manager'),
      );
      return JSON.stringify(updated?.blocks).includes('escalated from lead') && notice.length === 1;
    });

    // at the manager tier the clock restarts: a reminder 24 h after the escalation, never another escalation
    d.clock.advance(25 * HOUR);
    await run();
    await run();
    expect(await nudges(c.id)).toEqual([
      { kind: 'reminder', tier: 'lead' },
      { kind: 'escalation', tier: 'lead' },
      { kind: 'reminder', tier: 'manager' },
    ]);
    d.clock.advance(100 * HOUR);
    await run();
    expect(await d.auditActions(c.id, 'case.escalated')).toHaveLength(1);

    // a lead can no longer approve it; a manager can, and the time to decision is recorded
    const lead = await d.sandbox('/__sandbox/click', {
      user: d.staff.lead.slackId,
      channel: card.channel,
      ts: card.ts,
      actionId: 'refund_approve',
    });
    expect(lead.status).toBe(200);
    await eventually(async () => (await d.auditActions(c.id, 'slack.refused')).length === 1);
    await d.sandbox('/__sandbox/click', {
      user: d.staff.manager.slackId,
      channel: card.channel,
      ts: card.ts,
      actionId: 'refund_approve',
    });
    await eventually(async () => (await d.caseState(c.id)) !== 'pending_approval');
    await eventually(async () => {
      const timing = await d.desk.ctx.db
        .selectFrom('approval_timings')
        .select(['seconds', 'outcome'])
        .where('case_id', '=', c.id)
        .executeTakeFirst();
      return timing !== undefined && timing.outcome === 'approved' && timing.seconds >= 198 * 3600;
    });
  });
});
