import type { Context } from 'hono';
import type { AuditActor } from '../audit/audit-log.js';
import { verifyZafJwt, ZafJwtError } from '../connectors/zendesk/zendesk-jwt.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors/app-error.js';
import type { Principal } from '../http/auth.js';
import { resolveSession } from '../identity/sessions.js';
import { HelpdeskError, type HelpdeskUser } from '../ports/helpdesk.js';
import type { ZendeskConnection, ZendeskConnections } from './zendesk-connections.js';

/**
 * Who is asking from the sidebar. `signed_url`: a `zendesk_sidebar` session minted from Zendesk's
 * signed-URL token — a proven agent (a staff member, or read-only). `app_secret`: an older
 * install's HS256 secure request, which proves the installation but not the agent (the browser
 * sets `sub`): it may read and request, recorded as an unverified desk agent, never decide.
 */
export interface SidebarSession {
  readonly orgId: string;
  readonly connection: ZendeskConnection;
  readonly ticketId: string;
  readonly proof: 'signed_url' | 'app_secret';
  /** The Zendesk user (proven for `signed_url`, only claimed for `app_secret`). */
  readonly zendeskUserId: string | null;
  readonly viewerName: string | null;
  /** The proven staff member; undefined → may not decide (and, signed but unmapped, read-only). */
  readonly principal: Principal | undefined;
}

const unauthenticated = (message: string) => new AppError('unauthenticated', message);
const ZENDESK_ID = /^[1-9][0-9]{0,18}$/;

/** Maps a desk failure to our errors: a missing ticket or user is 404, anything else is the desk being unavailable. */
export function helpdeskFailure(error: unknown, what: string): never {
  if (error instanceof HelpdeskError && error.code === 'not_found')
    throw new AppError('not_found', `${what} not found in Zendesk`);
  if (error instanceof HelpdeskError) throw new AppError('not_ready', `Zendesk could not be reached (${error.code})`);
  throw error;
}

async function readAgent(connection: ZendeskConnection, userId: string | null): Promise<HelpdeskUser | undefined> {
  if (!userId || !ZENDESK_ID.test(userId)) return undefined;
  try {
    return await connection.helpdesk.getUser({ userId });
  } catch (error) {
    if (error instanceof HelpdeskError && error.code === 'not_found') return undefined;
    return helpdeskFailure(error, 'agent');
  }
}

/** An older install's HS256 JWT: the installation's secret, exp/iat, aud, a fresh jti, this ticket. */
async function legacyJwt(
  ctx: AppContext,
  orgId: string,
  connection: ZendeskConnection,
  token: string,
  ticketId: string,
) {
  let claims: ReturnType<typeof verifyZafJwt>;
  try {
    claims = verifyZafJwt(token, {
      secrets: connection.appSecrets,
      audience: `zendesk:${connection.subdomain}`,
      nowSeconds: Math.floor(ctx.clock.now().getTime() / 1000),
    });
  } catch (error) {
    if (error instanceof ZafJwtError) throw unauthenticated(error.message);
    throw error;
  }
  const recorded = await ctx.db
    .insertInto('zendesk_jwt_ids')
    .values({ org_id: orgId, jti: claims.jti as string, expires_at: new Date((claims.exp as number) * 1000) })
    .onConflict((oc) => oc.columns(['org_id', 'jti']).doNothing())
    .returning('jti')
    .executeTakeFirst();
  if (!recorded) throw unauthenticated('sidebar token already used (jti replayed)');
  if (claims.ticket_id !== ticketId) throw new AppError('forbidden', 'the token was issued for another ticket');
  return typeof claims.sub === 'string' ? claims.sub : null;
}

/**
 * Checks a sidebar request: the organisation and its Zendesk, then either a `zendesk_sidebar`
 * session (`Bearer rds_…`, minted from a signed-URL token; it must belong to this organisation)
 * or an older install's HS256 JWT (see SidebarSession).
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
  if (!token) throw unauthenticated('open Refund Desk from Zendesk: the sidebar sends its session as a Bearer token');
  const ticketId = c.req.param('ticketId') ?? '';
  const base = { orgId: found.orgId, connection, ticketId };

  if (token.startsWith('rds_')) {
    const resolved = await resolveSession(ctx, { token, kind: 'zendesk_sidebar' });
    if (!resolved || resolved.session.orgId !== found.orgId) {
      throw unauthenticated('your Refund Desk session has ended: reload the app in Zendesk');
    }
    if (!ZENDESK_ID.test(ticketId)) throw new AppError('not_found', 'no such ticket');
    const { principal, session } = resolved;
    const viewerName = principal?.name ?? (await readAgent(connection, session.deskUserId))?.name ?? null;
    return { ...base, proof: 'signed_url', zendeskUserId: session.deskUserId, viewerName, principal };
  }

  const claimedUserId = await legacyJwt(ctx, found.orgId, connection, token, ticketId);
  if (!ZENDESK_ID.test(ticketId)) throw new AppError('not_found', 'no such ticket');
  const agent = await readAgent(connection, claimedUserId);
  return {
    ...base,
    proof: 'app_secret',
    zendeskUserId: agent && agent.role !== 'end-user' ? agent.id : null,
    viewerName: agent?.name ?? null,
    principal: undefined,
  };
}

/** Approve and cancel need a proven staff member (a signed-URL session of someone mapped to staff). */
export function requireDecider(session: SidebarSession): Principal {
  if (session.principal) return session.principal;
  throw new AppError(
    'forbidden',
    session.proof === 'app_secret'
      ? 'this Zendesk app does not prove who you are (older install): approve in Slack, Teams or the staff app, or update the app'
      : 'your Zendesk user is not linked to a Refund Desk staff member (read-only)',
  );
}

/** Who asks for a refund from the sidebar: the staff member, or an older install's unverified desk agent. */
export type SidebarRequester =
  | { readonly kind: 'staff'; readonly principal: Principal }
  | {
      readonly kind: 'unverified_agent';
      readonly actor: AuditActor;
      readonly data: Record<string, unknown>;
    };

/** Requests need a proven staff member, or (older installs) an agent Zendesk knows; a signed but unmapped agent only reads. */
export function sidebarRequester(session: SidebarSession): SidebarRequester {
  if (session.principal) return { kind: 'staff', principal: session.principal };
  if (session.proof === 'app_secret' && session.zendeskUserId) {
    return {
      kind: 'unverified_agent',
      actor: { type: 'helpdesk', id: `zendesk-user:${session.zendeskUserId}` },
      data: {
        via: 'zendesk_sidebar',
        verified: false,
        zendeskUserId: session.zendeskUserId,
        name: session.viewerName,
      },
    };
  }
  throw new AppError('forbidden', 'your Zendesk user is not linked to a Refund Desk staff member (read-only)');
}
