import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockActionsPayload, encodeSlackBody } from '../server/src/sandboxes/slack/slack-payloads-wire.js';
import { BACKENDS } from './support/databases.js';
import { eventually } from './support/engine-fixtures.js';
import { type SlackDesk, startSlackDesk, TEAM_ID } from './support/slack-desk.js';

// biome-ignore lint/suspicious/noExplicitAny: sandbox JSON
type Json = any;

describe.each(BACKENDS)('Slack approvals on %s', (backend) => {
  let d: SlackDesk;
  beforeAll(async () => {
    d = await startSlackDesk(backend);
  });
  afterAll(async () => {
    await d?.close();
  });

  const cardOf = async (reference: string): Promise<Json> => {
    let card: Json;
    await eventually(async () => {
      const messages: Json[] = await d.sandbox('/__sandbox/messages');
      card = messages.find((m) => !m.thread_ts && m.text.includes(reference));
      return card !== undefined;
    });
    return card;
  };
  const ephemeralsFor = async (user: string): Promise<Json[]> =>
    (await d.sandbox('/__sandbox/ephemerals')).filter((e: Json) => e.user === user);
  const approvePayload = (caseId: string, user: { id: string; name: string }, teamId = TEAM_ID, card?: Json) =>
    blockActionsPayload({
      user: { id: user.id, name: user.name, teamId },
      action: { action_id: 'refund_approve', value: caseId },
      message: card ? { channel: card.channel, ts: card.ts, text: card.text, blocks: card.blocks } : undefined,
      responseUrl: `${d.slackUrl}/__sandbox/respond/test`,
    });

  it('answers the Events API url_verification handshake', async () => {
    const response = await d.deliver({
      kind: 'event',
      event: { type: 'url_verification', token: 't', challenge: 'c-123' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ challenge: 'c-123' });
  });

  it('refuses a bad signature and a stale timestamp with 401, before anything happens', async () => {
    const c = await d.openCase(120_000);
    const body = {
      kind: 'interaction' as const,
      payload: approvePayload(c.id, { id: d.staff.lead.slackId, name: 'lee' }),
    };
    const forged = await d.deliver(body, { signature: `v0=${'0'.repeat(64)}` });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as Json).error.code).toBe('invalid_signature');
    const stale = await d.deliver(body, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as Json).error.code).toBe('stale_timestamp');
    // a body changed after signing does not verify either
    const { rawBody } = encodeSlackBody(body);
    const tampered = await fetch(`${d.url}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
        'x-slack-signature': 'v0=abc',
      },
      body: rawBody,
    });
    expect(tampered.status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(await d.caseState(c.id)).toBe('pending_approval');
  });

  it('posts the card when a case waits, approves on a click, and replaces the card with the outcome', async () => {
    const c = await d.openCase(120_000, 'agent', 'patient has diabetes, DOB 1980-02-03, card 4242424242424242');
    const card = await cardOf(c.reference);
    expect(card.channel).toMatch(/^C/);
    const text = JSON.stringify(card.blocks);
    expect(text).toContain('USD 1200.00');
    expect(text).toContain('visa •••• 4242');
    expect(text).toContain('product_return');
    expect(text).toContain(d.staff.agent.name);
    const buttons = card.blocks.find((b: Json) => b.type === 'actions').elements;
    expect(buttons.map((b: Json) => [b.action_id, b.style])).toEqual([
      ['refund_approve', 'primary'],
      ['refund_deny', 'danger'],
    ]);
    expect(buttons[0].confirm).toBeDefined();

    const started = Date.now();
    const clicked = await d.sandbox('/__sandbox/click', {
      user: d.staff.lead.slackId,
      channel: card.channel,
      ts: card.ts,
      actionId: 'refund_approve',
    });
    expect(clicked.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3000);
    await eventually(async () => (await d.caseState(c.id)) === 'succeeded');
    await eventually(async () => {
      const updated: Json = (await d.sandbox('/__sandbox/messages')).find((m: Json) => m.ts === card.ts);
      return updated.text.includes('Refunded') && JSON.stringify(updated.blocks).includes(d.staff.lead.name);
    });
    const updated: Json = (await d.sandbox('/__sandbox/messages')).find((m: Json) => m.ts === card.ts);
    expect(updated.blocks.some((b: Json) => b.type === 'actions')).toBe(false);
    const decided = await d.desk.ctx.db
      .selectFrom('refund_cases')
      .select(['decided_by', 'decision_channel'])
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(decided).toEqual({ decided_by: d.staff.lead.id, decision_channel: 'slack' });
    await eventually(async () => {
      const metrics = await (await fetch(`${d.url}/metrics`)).text();
      return /refund_approval_decision_seconds_count\{outcome="approved"\} [1-9]/.test(metrics);
    });
  });

  it('denies through the modal with a required reason that stays off the card', async () => {
    const c = await d.openCase(120_000);
    const card = await cardOf(c.reference);
    await d.sandbox('/__sandbox/click', {
      user: d.staff.manager.slackId,
      channel: card.channel,
      ts: card.ts,
      actionId: 'refund_deny',
    });
    let modal: Json;
    await eventually(async () => {
      modal = (await d.sandbox('/__sandbox/views')).modals.find((v: Json) => v.private_metadata.includes(c.id));
      return modal !== undefined;
    });
    const empty = await d.sandbox('/__sandbox/submit', {
      user: d.staff.manager.slackId,
      viewId: modal.id,
      values: { reason: '' },
    });
    expect(JSON.parse(empty.body).response_action).toBe('errors');
    expect(await d.caseState(c.id)).toBe('pending_approval');
    const reason = 'duplicate of an earlier refund';
    const submitted = await d.sandbox('/__sandbox/submit', {
      user: d.staff.manager.slackId,
      viewId: modal.id,
      values: { reason },
    });
    expect(submitted.status).toBe(200);
    await eventually(async () => (await d.caseState(c.id)) === 'denied');
    const row = await d.desk.ctx.db
      .selectFrom('refund_cases')
      .select(['decision_reason', 'decided_by'])
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ decision_reason: reason, decided_by: d.staff.manager.id });
    await eventually(async () => {
      const updated: Json = (await d.sandbox('/__sandbox/messages')).find((m: Json) => m.ts === card.ts);
      return updated.text.includes('Denied');
    });
    const updated: Json = (await d.sandbox('/__sandbox/messages')).find((m: Json) => m.ts === card.ts);
    expect(JSON.stringify(updated)).not.toContain(reason);
  });

  it('treats a Slack retry as already handled: no effect', async () => {
    const c = await d.openCase(120_000);
    const card = await cardOf(c.reference);
    const body = {
      kind: 'interaction' as const,
      payload: approvePayload(c.id, { id: d.staff.lead.slackId, name: 'lee' }, TEAM_ID, card),
    };
    const retry = await d.deliver(body, {
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    expect(retry.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await d.caseState(c.id)).toBe('pending_approval');
    const first = await d.deliver(body);
    expect(first.status).toBe(200);
    await eventually(async () => (await d.caseState(c.id)) !== 'pending_approval');
    await d.deliver(body, { headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' } });
    await new Promise((r) => setTimeout(r, 500));
    expect(await d.auditActions(c.id, 'case.approved')).toHaveLength(1);
    expect(
      (await ephemeralsFor(d.staff.lead.slackId)).filter(
        (e) => e.text.includes(c.reference) || e.text.startsWith('Already'),
      ),
    ).toHaveLength(0);
  });

  it('20 concurrent approve clicks make one decision; the others are told who decided', async () => {
    const c = await d.openCase(120_000);
    const card = await cardOf(c.reference);
    const clickers = [d.staff.lead, d.staff.manager, d.staff.admin];
    const before = (await d.sandbox('/__sandbox/ephemerals')).length;
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const who = clickers[i % clickers.length] as { slackId: string; name: string };
        return d.deliver({
          kind: 'interaction',
          payload: approvePayload(c.id, { id: who.slackId, name: who.name }, TEAM_ID, card),
        });
      }),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    await eventually(async () => (await d.sandbox('/__sandbox/ephemerals')).length - before >= 19);
    expect(await d.auditActions(c.id, 'case.approved')).toHaveLength(1);
    const row = await d.desk.ctx.db
      .selectFrom('refund_cases')
      .select('decided_by')
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    const winner = Object.values(d.staff).find((s) => s.id === row.decided_by);
    const told: Json[] = (await d.sandbox('/__sandbox/ephemerals')).slice(before);
    expect(told).toHaveLength(19);
    for (const e of told) expect(e.text).toBe(`Already approved by ${winner?.name}.`);
  });

  it('refuses self-approval and a role below the tier, ephemerally and audited', async () => {
    const own = await d.openCase(120_000, 'lead');
    const ownCard = await cardOf(own.reference);
    await d.sandbox('/__sandbox/click', {
      user: d.staff.lead.slackId,
      channel: ownCard.channel,
      ts: ownCard.ts,
      actionId: 'refund_approve',
    });
    await eventually(async () => (await d.auditActions(own.id, 'slack.refused')).length === 1);
    expect((await d.auditActions(own.id, 'slack.refused'))[0]?.data).toMatchObject({ reason: 'self_approval' });
    expect((await ephemeralsFor(d.staff.lead.slackId)).some((e) => e.text.includes('You requested this refund'))).toBe(
      true,
    );

    const big = await d.openCase(300_000);
    const bigCard = await cardOf(big.reference);
    await d.sandbox('/__sandbox/click', {
      user: d.staff.lead.slackId,
      channel: bigCard.channel,
      ts: bigCard.ts,
      actionId: 'refund_approve',
    });
    await eventually(async () => (await d.auditActions(big.id, 'slack.refused')).length === 1);
    expect((await d.auditActions(big.id, 'slack.refused'))[0]?.data).toMatchObject({ reason: 'forbidden' });
    expect((await ephemeralsFor(d.staff.lead.slackId)).some((e) => e.text.includes('needs a manager'))).toBe(true);
    expect(await d.caseState(own.id)).toBe('pending_approval');
    expect(await d.caseState(big.id)).toBe('pending_approval');
  });

  it('refuses a wrong team and an unmapped user, with an audit row', async () => {
    const c = await d.openCase(120_000);
    const card = await cardOf(c.reference);
    const wrong = await d.sandbox('/__sandbox/click', {
      user: d.staff.manager.slackId,
      teamId: 'TOTHER999',
      channel: card.channel,
      ts: card.ts,
      actionId: 'refund_approve',
    });
    expect(wrong.status).toBe(200);
    await eventually(async () =>
      (await d.auditActions(null, 'slack.refused')).some((a) => a.data['teamId'] === 'TOTHER999'),
    );
    await eventually(
      async () =>
        (await d.sandbox('/__sandbox/views')) &&
        (await fetchResponses()).some((r: Json) => r.text.includes('not connected')),
    );

    await d.sandbox('/__sandbox/click', {
      user: 'U0UNKNOWN1',
      channel: card.channel,
      ts: card.ts,
      actionId: 'refund_approve',
    });
    await eventually(async () =>
      (await d.auditActions(c.id, 'slack.refused')).some((a) => a.data['reason'] === 'unmapped_user'),
    );
    expect((await ephemeralsFor('U0UNKNOWN1')).some((e) => e.text.includes('not linked'))).toBe(true);
    expect(await d.caseState(c.id)).toBe('pending_approval');
  });

  async function fetchResponses(): Promise<Json[]> {
    // the sandbox records what the app posted to response_url (a workspace we hold no token for)
    return (await d.sandbox('/__sandbox/responses')) as Json[];
  }

  it("App Home lists the viewer's pending approvals; /refund shows a case and the queue", async () => {
    const c = await d.openCase(300_000);
    await cardOf(c.reference);
    await d.sandbox('/__sandbox/home', { user: d.staff.manager.slackId });
    await eventually(async () =>
      JSON.stringify((await d.sandbox('/__sandbox/views')).homes[d.staff.manager.slackId] ?? {}).includes(c.reference),
    );
    const home = (await d.sandbox('/__sandbox/views')).homes[d.staff.manager.slackId];
    expect(home.blocks.some((b: Json) => b.type === 'actions' && b.elements[0].value === c.id)).toBe(true);
    await d.sandbox('/__sandbox/home', { user: d.staff.lead.slackId });
    await eventually(async () => (await d.sandbox('/__sandbox/views')).homes[d.staff.lead.slackId] !== undefined);
    expect(JSON.stringify((await d.sandbox('/__sandbox/views')).homes[d.staff.lead.slackId])).not.toContain(
      c.reference,
    );

    await d.sandbox('/__sandbox/command', { user: d.staff.manager.slackId, text: c.reference });
    await eventually(async () =>
      (await ephemeralsFor(d.staff.manager.slackId)).some((e) => JSON.stringify(e.blocks).includes(c.reference)),
    );
    await d.sandbox('/__sandbox/command', { user: d.staff.manager.slackId, text: 'queue' });
    await eventually(async () =>
      (await ephemeralsFor(d.staff.manager.slackId)).some(
        (e) => e.text.includes('waiting') && JSON.stringify(e.blocks).includes(c.reference),
      ),
    );
  });

  it("nothing that leaves for Slack carries the note, a birth date, a card number or the customer's contact", async () => {
    const everything = JSON.stringify([
      await d.sandbox('/__sandbox/messages'),
      await d.sandbox('/__sandbox/ephemerals'),
      await d.sandbox('/__sandbox/views'),
      await d.sandbox('teams:/__sandbox/cards'),
    ]);
    expect(everything).toContain('RD-');
    for (const forbidden of ['diabetes', '1980-02-03', '4242424242424242', '@example.com', 'Pat Example']) {
      expect(everything).not.toContain(forbidden);
    }
  });
});
