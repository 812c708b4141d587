import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from './support/databases.js';
import { eventually } from './support/engine-fixtures.js';
import { type SlackDesk, startSlackDesk } from './support/slack-desk.js';

// biome-ignore lint/suspicious/noExplicitAny: sandbox JSON
type Json = any;

describe.each(BACKENDS)('Teams alerts and the signed approval page on %s', (backend) => {
  let d: SlackDesk;
  beforeAll(async () => {
    d = await startSlackDesk(backend);
  });
  afterAll(async () => {
    await d?.close();
  });

  const linkFor = async (reference: string): Promise<string> => {
    let card: Json;
    await eventually(async () => {
      const cards: Json[] = await d.sandbox('teams:/__sandbox/cards');
      card = cards.find((c) => JSON.stringify(c.card).includes(reference))?.card;
      return card !== undefined;
    });
    expect(card.version).toBe('1.4');
    expect(card.actions).toHaveLength(1);
    expect(card.actions[0].type).toBe('Action.OpenUrl');
    return card.actions[0].url as string;
  };
  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

  it('posts an Adaptive Card whose link opens the case once, for an approver with a staff token', async () => {
    const c = await d.openCase(120_000, 'agent', 'patient has diabetes');
    const link = await linkFor(c.reference);
    expect(link.startsWith(`${d.url}/approve/`)).toBe(true);

    const page = await fetch(link);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(c.reference);
    expect(html).toContain('USD 1200.00');
    expect(html).toContain('type="password"');
    expect(html).not.toContain('diabetes');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');

    // a wrong token, the requester, a role too low: refused, and the link still works
    expect((await fetch(link, form({ token: 'rd_not-a-token', decision: 'approve' }))).status).toBe(401);
    expect((await fetch(link, form({ token: d.staff.agent.token, decision: 'approve' }))).status).toBe(403);
    expect((await fetch(link, form({ token: d.staff.lead.token, decision: 'deny', reason: '' }))).status).toBe(400);
    expect(await d.caseState(c.id)).toBe('pending_approval');

    const decided = await fetch(link, form({ token: d.staff.lead.token, decision: 'approve' }));
    expect(decided.status).toBe(200);
    expect(await decided.text()).toContain('approved');
    const row = await d.desk.ctx.db
      .selectFrom('refund_cases')
      .select(['decided_by', 'decision_channel'])
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ decided_by: d.staff.lead.id, decision_channel: 'teams' });

    const again = await fetch(
      link,
      form({ token: d.staff.manager.token, decision: 'deny', reason: 'changed my mind' }),
    );
    expect(again.status).toBe(410);
    const reopened = await fetch(link);
    expect(reopened.status).toBe(410);
    const expiredHtml = await reopened.text();
    expect(expiredHtml).toContain('Link expired');
    expect(expiredHtml).not.toContain(c.reference);
  });

  it('two concurrent submissions of one link: one decision, the other sees an expired link', async () => {
    const c = await d.openCase(120_000);
    const link = await linkFor(c.reference);
    const [a, b] = await Promise.all([
      fetch(link, form({ token: d.staff.lead.token, decision: 'approve' })),
      fetch(link, form({ token: d.staff.manager.token, decision: 'deny', reason: 'not needed' })),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 410]);
    const decisions = [
      ...(await d.auditActions(c.id, 'case.approved')),
      ...(await d.auditActions(c.id, 'case.denied')),
    ];
    expect(decisions).toHaveLength(1);
  });

  it('a tampered link and an expired link show the plain expired page with no data', async () => {
    const c = await d.openCase(120_000);
    const link = await linkFor(c.reference);
    const token = link.split('/approve/')[1] as string;
    const [body, signature] = token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    const forgedBody = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 86_400 * 365 })).toString('base64url');
    for (const bad of [`${forgedBody}.${signature}`, `${body}.${signature.slice(0, -2)}xx`, 'garbage']) {
      const response = await fetch(`${d.url}/approve/${bad}`);
      expect(response.status).toBe(410);
      const html = await response.text();
      expect(html).toContain('Link expired');
      expect(html).not.toContain(c.reference);
      expect(html).not.toContain('USD');
    }
    d.clock.advance(73 * 3_600_000);
    const late = await fetch(link);
    expect(late.status).toBe(410);
    expect(await late.text()).not.toContain(c.reference);
    expect((await fetch(link, form({ token: d.staff.manager.token, decision: 'approve' }))).status).toBe(410);
    expect(await d.caseState(c.id)).toBe('pending_approval');
  });
});
