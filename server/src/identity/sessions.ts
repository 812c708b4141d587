/**
 * Sessions of people signed in to the staff app or a desk sidebar (one table, `staff_sessions`).
 * The client holds an opaque random token, shown once; we store its sha256 only, so the table
 * leaks nothing that signs anyone in. A session ends when it is revoked, idle too long, past its
 * absolute lifetime, or its staff member is deactivated. See docs/security.md.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { AppContext } from '../context.js';
import type { Principal, Proof } from '../http/auth.js';
import { hashToken } from '../orgs/tokens.js';
import type { StaffSessionsTable } from './identity-tables.js';

export const SESSION_KINDS = ['web', 'zendesk_sidebar', 'freshdesk_sidebar'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

export interface SessionLifetime {
  /** Unused this long, the session ends (each use pushes it on, up to the absolute limit). */
  readonly idleSeconds: number;
  /** Ends this long after sign-in, however busy. */
  readonly absoluteSeconds: number;
}

/** Staff app: a working session; sidebars: re-minted whenever the desk loads the app, so a working day at most. */
export const DEFAULT_SESSION_LIFETIMES: Readonly<Record<SessionKind, SessionLifetime>> = {
  web: { idleSeconds: 30 * 60, absoluteSeconds: 12 * 3600 },
  zendesk_sidebar: { idleSeconds: 60 * 60, absoluteSeconds: 10 * 3600 },
  freshdesk_sidebar: { idleSeconds: 60 * 60, absoluteSeconds: 10 * 3600 },
};

/** Idle expiry slides at most this often: one write per session per minute, not one per request. */
export const SESSION_TOUCH_SECONDS = 60;

const CHANNEL_OF: Readonly<Record<SessionKind, string>> = {
  web: 'web',
  zendesk_sidebar: 'zendesk',
  freshdesk_sidebar: 'freshdesk',
};

type SessionDeps = Pick<AppContext, 'db' | 'clock'>;
type SessionRow = Selectable<StaffSessionsTable>;

export interface StaffSession {
  readonly id: string;
  readonly orgId: string;
  /** Null for a desk agent not mapped to staff: read and request only. */
  readonly staffId: string | null;
  readonly kind: SessionKind;
  readonly proof: Proof;
  readonly deskUserId: string | null;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  readonly idleExpiresAt: Date;
  readonly absoluteExpiresAt: Date;
  readonly steppedUpAt: Date | null;
}

export interface ResolvedSession {
  readonly session: StaffSession;
  /** The active staff member behind the session; undefined for an unmapped desk agent. */
  readonly principal: Principal | undefined;
}

export interface NewSession {
  readonly orgId: string;
  readonly staffId: string | null;
  readonly kind: SessionKind;
  /** How the person was proven when the session was minted (e.g. 'zendesk_signed_url'). */
  readonly proof: Proof;
  readonly deskUserId?: string | null;
  /** A hint shown to the person reviewing their sessions; never used for trust. */
  readonly userAgent?: string | null;
  readonly lifetime?: SessionLifetime;
}

/** Starts a session; the token is returned once and only its hash is stored. */
export async function createSession(
  deps: SessionDeps,
  input: NewSession,
): Promise<{ readonly token: string; readonly session: StaffSession }> {
  const lifetime = input.lifetime ?? DEFAULT_SESSION_LIFETIMES[input.kind];
  if (!(lifetime.idleSeconds > 0 && lifetime.absoluteSeconds >= lifetime.idleSeconds)) {
    throw new RangeError('session lifetime: idle must be positive and not longer than absolute');
  }
  const now = deps.clock.now();
  const token = `rds_${randomBytes(32).toString('base64url')}`;
  const absolute = new Date(now.getTime() + lifetime.absoluteSeconds * 1000);
  const row = await deps.db
    .insertInto('staff_sessions')
    .values({
      id: randomUUID(),
      org_id: input.orgId,
      staff_id: input.staffId,
      kind: input.kind,
      proof: input.proof,
      desk_user_id: input.deskUserId ?? null,
      token_hash: hashToken(token),
      idle_timeout_seconds: Math.round(lifetime.idleSeconds),
      created_at: now,
      last_seen_at: now,
      idle_expires_at: new Date(Math.min(now.getTime() + lifetime.idleSeconds * 1000, absolute.getTime())),
      absolute_expires_at: absolute,
      user_agent: input.userAgent?.slice(0, 300) ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { token, session: sessionOf(row) };
}

/**
 * The live session behind a token of this kind, or undefined (unknown, other kind, revoked, idle,
 * past its absolute lifetime, or its staff member deactivated). Slides the idle expiry.
 */
export async function resolveSession(
  deps: SessionDeps,
  input: { readonly token: string; readonly kind: SessionKind },
): Promise<ResolvedSession | undefined> {
  if (!input.token.startsWith('rds_') || input.token.length > 200) return undefined;
  const now = deps.clock.now();
  const row = await deps.db
    .selectFrom('staff_sessions as s')
    .leftJoin('staff as st', 'st.id', 's.staff_id')
    .selectAll('s')
    .select(['st.role', 'st.name', 'st.email', 'st.active'])
    .where('s.token_hash', '=', hashToken(input.token))
    .where('s.kind', '=', input.kind)
    .executeTakeFirst();
  if (!row || row.revoked_at !== null) return undefined;
  if (now >= row.idle_expires_at || now >= row.absolute_expires_at) return undefined;
  if (row.staff_id !== null && row.active !== true) return undefined;

  let live: SessionRow = row;
  if (now.getTime() - row.last_seen_at.getTime() >= SESSION_TOUCH_SECONDS * 1000) {
    const idle = new Date(Math.min(now.getTime() + row.idle_timeout_seconds * 1000, row.absolute_expires_at.getTime()));
    const touched = await deps.db
      .updateTable('staff_sessions')
      .set({ last_seen_at: now, idle_expires_at: idle })
      .where('id', '=', row.id)
      .where('revoked_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!touched) return undefined;
    live = touched;
  }
  const session = sessionOf(live);
  const principal: Principal | undefined =
    row.staff_id !== null && row.role && row.name !== null && row.email !== null
      ? {
          orgId: row.org_id,
          staffId: row.staff_id,
          role: row.role,
          name: row.name,
          email: row.email,
          channel: CHANNEL_OF[session.kind],
          proof: session.proof,
          steppedUpAt: session.steppedUpAt ?? undefined,
        }
      : undefined;
  return { session, principal };
}

/** Records that the person re-proved themselves (password/TOTP) in this session now; false when it has ended. */
export async function markSteppedUp(deps: SessionDeps, input: { readonly sessionId: string }): Promise<boolean> {
  const now = deps.clock.now();
  const updated = await deps.db
    .updateTable('staff_sessions')
    .set({ stepped_up_at: now })
    .where('id', '=', input.sessionId)
    .where('revoked_at', 'is', null)
    .where('absolute_expires_at', '>', now)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/** Ends one session (sign out); false when it had ended already. */
export async function revokeSession(deps: SessionDeps, input: { readonly sessionId: string }): Promise<boolean> {
  const updated = await deps.db
    .updateTable('staff_sessions')
    .set({ revoked_at: deps.clock.now() })
    .where('id', '=', input.sessionId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/** Ends every session of a staff member (sign out everywhere; deactivation calls it); returns how many were live. */
export async function revokeStaffSessions(deps: SessionDeps, input: { readonly staffId: string }): Promise<number> {
  const updated = await deps.db
    .updateTable('staff_sessions')
    .set({ revoked_at: deps.clock.now() })
    .where('staff_id', '=', input.staffId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows);
}

function sessionOf(row: SessionRow): StaffSession {
  return {
    id: row.id,
    orgId: row.org_id,
    staffId: row.staff_id,
    kind: row.kind,
    proof: row.proof as Proof,
    deskUserId: row.desk_user_id,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    idleExpiresAt: row.idle_expires_at,
    absoluteExpiresAt: row.absolute_expires_at,
    steppedUpAt: row.stepped_up_at,
  };
}
