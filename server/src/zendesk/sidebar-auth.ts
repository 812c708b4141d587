import type { Context } from 'hono';
import { verifyZafJwt, ZafJwtError } from '../connectors/zendesk/zendesk-jwt.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors/app-error.js';
import type { Principal } from '../http/auth.js';
import { HelpdeskError, type HelpdeskUser } from '../ports/helpdesk.js';
import type { ZendeskConnection, ZendeskConnections } from './zendesk-connections.js';
import { staffForZendeskUser } from './zendesk-staff.js';

/** Who is asking from the sidebar, proven by the installation's JWT and re-read from Zendesk. */
export interface SidebarSession {
  readonly orgId: string;
  readonly connection: ZendeskConnection;
  readonly ticketId: string;
  readonly zendeskUser: HelpdeskUser | undefined;
  /** The staff member the agent is; undefined → read-only. */
  readonly principal: Principal | undefined;
}

const unauthenticated = (message: string) => new AppError('unauthenticated', message);

/** Maps a desk failure to our errors: a missing ticket or user is 404, anything else is the desk being unavailable. */
export function helpdeskFailure(error: unknown, what: string): never {
  if (error instanceof HelpdeskError && error.code === 'not_found')
    throw new AppError('not_found', `${what} not found in Zendesk`);
  if (error instanceof HelpdeskError) throw new AppError('not_ready', `Zendesk could not be reached (${error.code})`);
  throw error;
}

/**
 * Checks a sidebar request: organisation and its Zendesk; HS256 JWT (signature with any of the
 * installation's secrets, exp, iat, aud = `zendesk:{subdomain}`); the jti not seen before (recorded
 * until the token expires); `ticket_id` = the path's ticket; then maps the Zendesk user (re-read
 * through the API) to a staff member.
 */
export async function authenticateSidebar(
  ctx: AppContext,
  connections: ZendeskConnections,
  c: Context,
): Promise<SidebarSession> {
  const found = await connections.forSlug(c.req.param('org') ?? '');
  if (!found) throw new AppError('not_found', 'no such organisation');
  const connection = found.connection;
  if (!connection) throw new AppError('not_found', 'Zendesk is not configured for this organisation');
  const token = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  if (!token) throw unauthenticated('send the app’s signed token as "Authorization: Bearer <jwt>"');
  const now = ctx.clock.now();
  let claims: ReturnType<typeof verifyZafJwt>;
  try {
    claims = verifyZafJwt(token, {
      secrets: connection.appSecrets,
      audience: `zendesk:${connection.subdomain}`,
      nowSeconds: Math.floor(now.getTime() / 1000),
    });
  } catch (error) {
    if (error instanceof ZafJwtError) throw unauthenticated(error.message);
    throw error;
  }
  const recorded = await ctx.db
    .insertInto('zendesk_jwt_ids')
    .values({ org_id: found.orgId, jti: claims.jti as string, expires_at: new Date((claims.exp as number) * 1000) })
    .onConflict((oc) => oc.columns(['org_id', 'jti']).doNothing())
    .returning('jti')
    .executeTakeFirst();
  if (!recorded) throw unauthenticated('sidebar token already used (jti replayed)');

  const ticketId = c.req.param('ticketId') ?? '';
  if (claims.ticket_id !== ticketId) throw new AppError('forbidden', 'the token was issued for another ticket');
  if (!/^[1-9][0-9]{0,18}$/.test(ticketId)) throw new AppError('not_found', 'no such ticket');
  let zendeskUser: HelpdeskUser | undefined;
  if (typeof claims.sub === 'string' && /^[1-9][0-9]{0,18}$/.test(claims.sub)) {
    try {
      zendeskUser = await connection.helpdesk.getUser({ userId: claims.sub });
    } catch (error) {
      if (!(error instanceof HelpdeskError && error.code === 'not_found')) helpdeskFailure(error, 'agent');
    }
  }
  const principal = zendeskUser ? await staffForZendeskUser(ctx.db, found.orgId, zendeskUser) : undefined;
  return { orgId: found.orgId, connection, ticketId, zendeskUser, principal };
}

/** Writes need a staff member behind the agent. */
export function requireStaff(session: SidebarSession): Principal {
  if (!session.principal) {
    throw new AppError('forbidden', 'your Zendesk user is not linked to a Refund Desk staff member (read-only)');
  }
  return session.principal;
}
