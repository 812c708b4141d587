import type { MiddlewareHandler } from 'hono';
import type { Kysely } from 'kysely';
import type { Database, StaffRole } from '../db/schema.js';
import { AppError } from '../errors/app-error.js';
import { hashToken } from '../orgs/tokens.js';

/**
 * How the identity behind a principal was established: something the actor's browser cannot forge,
 * re-read from its source. Recorded on decisions and in audit data. Desks add their own proofs.
 */
export type Proof =
  | 'api_token'
  | 'web_session'
  | 'zendesk_signed_url'
  /** A Zendesk agent as the author of a ticket audit (a refund_approved tag), read through the Zendesk API. */
  | 'zendesk_ticket_audit'
  | 'slack_signature'
  | 'teams_link_session'
  | 'cli';

/** Who is calling: always a proven, active staff member of exactly one organisation. */
export interface Principal {
  readonly orgId: string;
  readonly staffId: string;
  readonly role: StaffRole;
  readonly name: string;
  readonly email: string;
  /** Where the call came from, recorded on decisions. */
  readonly channel: string;
  /** How the identity was proven. */
  readonly proof: Proof;
  /** When the person last re-proved themselves (password/TOTP) in a session; undefined where a proof cannot step up. */
  readonly steppedUpAt?: Date | undefined;
}

export type AuthEnv = { Variables: { requestId: string; principal: Principal } };

/** Resolves a Bearer staff token to its principal; 401 otherwise (never says whether the token exists). */
export async function principalFromToken(db: Kysely<Database>, token: string): Promise<Principal | undefined> {
  const row = await db
    .selectFrom('api_tokens as t')
    .innerJoin('staff as s', 's.id', 't.staff_id')
    .select(['s.id as staffId', 's.org_id as orgId', 's.role', 's.name', 's.email', 's.active', 't.revoked_at'])
    .where('t.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row || row.revoked_at !== null || !row.active) return undefined;
  return {
    orgId: row.orgId,
    staffId: row.staffId,
    role: row.role,
    name: row.name,
    email: row.email,
    channel: 'api',
    proof: 'api_token',
  };
}

export function bearerAuth(db: Kysely<Database>): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new AppError('unauthenticated', 'send a staff token as "Authorization: Bearer <token>"');
    const principal = await principalFromToken(db, match[1]);
    if (!principal) throw new AppError('unauthenticated', 'the token is not valid');
    c.set('principal', principal);
    await next();
  };
}

/** Refuses the call unless the principal has one of the roles. */
export function requireRole(principal: Principal, ...roles: StaffRole[]): void {
  if (!roles.includes(principal.role)) {
    throw new AppError('forbidden', `this needs one of the roles: ${roles.join(', ')}`);
  }
}
