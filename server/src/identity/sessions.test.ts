import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, TestClock, type TestContext } from '../../../test/support/context.js';
import { BACKENDS } from '../../../test/support/databases.js';
import { createOrganisation, createStaff } from '../orgs/organisations.js';
import {
  createSession,
  DEFAULT_SESSION_LIFETIMES,
  markSteppedUp,
  resolveSession,
  revokeSession,
  revokeStaffSessions,
  SESSION_TOUCH_SECONDS,
} from './sessions.js';

const MINUTE = 60_000;

describe.each(BACKENDS)('staff sessions on %s', (backend) => {
  let t: TestContext;
  const clock = new TestClock();
  let orgId: string;
  let n = 0;
  const deps = () => ({ db: t.ctx.db, clock });
  const newStaff = async (role: 'lead' | 'manager' = 'lead') => {
    n += 1;
    const { staff } = await createStaff(t.ctx.db, { orgId, name: `Staff ${n}`, email: `s${n}@sessions.test`, role });
    return staff;
  };

  beforeAll(async () => {
    t = await createTestContext(backend, { startQueue: false, clock });
    orgId = (await createOrganisation(t.ctx.db, { slug: 'sessions', name: 'Sessions' })).id;
  });
  afterAll(() => t.close());

  it('stores only the sha256 of the token, and resolves it to the staff member with the proof it was minted with', async () => {
    const staff = await newStaff();
    const { token, session } = await createSession(deps(), {
      orgId,
      staffId: staff.id,
      kind: 'zendesk_sidebar',
      proof: 'zendesk_signed_url',
      deskUserId: '9001',
      userAgent: 'Mozilla/5.0',
    });
    expect(token).toMatch(/^rds_[A-Za-z0-9_-]{43}$/);
    const row = await t.ctx.db
      .selectFrom('staff_sessions')
      .selectAll()
      .where('id', '=', session.id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    const { rows } = await sql<{ text: string }>`select t::text as text from staff_sessions t`.execute(t.ctx.db);
    for (const r of rows) expect(r.text).not.toContain(token.slice(4));

    const resolved = await resolveSession(deps(), { token, kind: 'zendesk_sidebar' });
    expect(resolved?.session).toMatchObject({ id: session.id, staffId: staff.id, deskUserId: '9001' });
    expect(resolved?.principal).toEqual({
      orgId,
      staffId: staff.id,
      role: 'lead',
      name: staff.name,
      email: staff.email,
      channel: 'zendesk',
      proof: 'zendesk_signed_url',
      steppedUpAt: undefined,
    });
  });

  it('refuses an unknown token, an altered token and a token of another kind', async () => {
    const staff = await newStaff();
    const { token } = await createSession(deps(), { orgId, staffId: staff.id, kind: 'web', proof: 'web_session' });
    expect(await resolveSession(deps(), { token, kind: 'zendesk_sidebar' })).toBeUndefined();
    expect(await resolveSession(deps(), { token: `${token.slice(0, -1)}x`, kind: 'web' })).toBeUndefined();
    expect(await resolveSession(deps(), { token: 'rds_nothing', kind: 'web' })).toBeUndefined();
    expect(await resolveSession(deps(), { token: token.slice(4), kind: 'web' })).toBeUndefined();
    expect(await resolveSession(deps(), { token, kind: 'web' })).toBeDefined();
  });

  it('ends a session left idle, while each use (at most one write a minute) pushes the idle expiry on', async () => {
    const staff = await newStaff();
    const idle = DEFAULT_SESSION_LIFETIMES.web.idleSeconds * 1000;
    const { token, session } = await createSession(deps(), {
      orgId,
      staffId: staff.id,
      kind: 'web',
      proof: 'web_session',
    });
    clock.advance(idle - MINUTE);
    const used = await resolveSession(deps(), { token, kind: 'web' });
    expect(used?.session.idleExpiresAt.getTime()).toBe(clock.now().getTime() + idle);
    // a second use within the minute writes nothing
    clock.advance(SESSION_TOUCH_SECONDS * 1000 - 1);
    const again = await resolveSession(deps(), { token, kind: 'web' });
    expect(again?.session.lastSeenAt).toEqual(used?.session.lastSeenAt);
    clock.advance(idle - SESSION_TOUCH_SECONDS * 1000);
    expect(await resolveSession(deps(), { token, kind: 'web' })).toBeDefined();
    clock.advance(idle);
    expect(await resolveSession(deps(), { token, kind: 'web' })).toBeUndefined();
    expect(session.idleExpiresAt.getTime() - session.createdAt.getTime()).toBe(idle);
  });

  it('ends a busy session at its absolute lifetime', async () => {
    const staff = await newStaff();
    const { token, session } = await createSession(deps(), {
      orgId,
      staffId: staff.id,
      kind: 'zendesk_sidebar',
      proof: 'zendesk_signed_url',
    });
    const absolute = DEFAULT_SESSION_LIFETIMES.zendesk_sidebar.absoluteSeconds * 1000;
    expect(session.absoluteExpiresAt.getTime() - session.createdAt.getTime()).toBe(absolute);
    while (clock.now().getTime() + 10 * MINUTE < session.absoluteExpiresAt.getTime()) {
      clock.advance(10 * MINUTE);
      const used = await resolveSession(deps(), { token, kind: 'zendesk_sidebar' });
      expect(used, clock.now().toISOString()).toBeDefined();
      expect(used?.session.idleExpiresAt.getTime()).toBeLessThanOrEqual(session.absoluteExpiresAt.getTime());
    }
    clock.set(session.absoluteExpiresAt);
    expect(await resolveSession(deps(), { token, kind: 'zendesk_sidebar' })).toBeUndefined();
  });

  it('ends a revoked session at once, and revoking twice says it had ended', async () => {
    const staff = await newStaff();
    const { token, session } = await createSession(deps(), {
      orgId,
      staffId: staff.id,
      kind: 'web',
      proof: 'web_session',
    });
    expect(await revokeSession(deps(), { sessionId: session.id })).toBe(true);
    expect(await resolveSession(deps(), { token, kind: 'web' })).toBeUndefined();
    expect(await revokeSession(deps(), { sessionId: session.id })).toBe(false);
  });

  it("signs a staff member out everywhere, leaving other people's sessions alone", async () => {
    const [alice, bob] = [await newStaff(), await newStaff()];
    const a1 = await createSession(deps(), { orgId, staffId: alice.id, kind: 'web', proof: 'web_session' });
    const a2 = await createSession(deps(), {
      orgId,
      staffId: alice.id,
      kind: 'zendesk_sidebar',
      proof: 'zendesk_signed_url',
    });
    const b1 = await createSession(deps(), { orgId, staffId: bob.id, kind: 'web', proof: 'web_session' });
    await revokeSession(deps(), { sessionId: a1.session.id });
    expect(await revokeStaffSessions(deps(), { staffId: alice.id })).toBe(1);
    expect(await resolveSession(deps(), { token: a1.token, kind: 'web' })).toBeUndefined();
    expect(await resolveSession(deps(), { token: a2.token, kind: 'zendesk_sidebar' })).toBeUndefined();
    expect((await resolveSession(deps(), { token: b1.token, kind: 'web' }))?.principal?.staffId).toBe(bob.id);
  });

  it('refuses the session of a deactivated staff member', async () => {
    const staff = await newStaff('manager');
    const { token } = await createSession(deps(), { orgId, staffId: staff.id, kind: 'web', proof: 'web_session' });
    await t.ctx.db.updateTable('staff').set({ active: false }).where('id', '=', staff.id).execute();
    expect(await resolveSession(deps(), { token, kind: 'web' })).toBeUndefined();
    await t.ctx.db.updateTable('staff').set({ active: true }).where('id', '=', staff.id).execute();
  });

  it('gives an unmapped desk agent a session with no principal (read and request only)', async () => {
    const { token } = await createSession(deps(), {
      orgId,
      staffId: null,
      kind: 'zendesk_sidebar',
      proof: 'zendesk_signed_url',
      deskUserId: '424242',
    });
    const resolved = await resolveSession(deps(), { token, kind: 'zendesk_sidebar' });
    expect(resolved?.session).toMatchObject({ staffId: null, deskUserId: '424242' });
    expect(resolved?.principal).toBeUndefined();
  });

  it('marks a step-up on the principal, and cannot step up a session that has ended', async () => {
    const staff = await newStaff('manager');
    const { token, session } = await createSession(deps(), {
      orgId,
      staffId: staff.id,
      kind: 'web',
      proof: 'web_session',
    });
    clock.advance(5 * MINUTE);
    const at = clock.now();
    expect(await markSteppedUp(deps(), { sessionId: session.id })).toBe(true);
    const resolved = await resolveSession(deps(), { token, kind: 'web' });
    expect(resolved?.principal?.steppedUpAt?.toISOString()).toBe(at.toISOString());
    expect(resolved?.session.steppedUpAt?.toISOString()).toBe(at.toISOString());
    await revokeSession(deps(), { sessionId: session.id });
    expect(await markSteppedUp(deps(), { sessionId: session.id })).toBe(false);
  });
});
