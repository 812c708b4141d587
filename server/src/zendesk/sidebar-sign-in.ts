import { createHash } from 'node:crypto';
import { appendAudit } from '../audit/audit-log.js';
import {
  SignedUrlError,
  type SignedUrlProblem,
  type VerifiedSignedUrl,
  verifySignedUrlToken,
} from '../connectors/zendesk/zaf-signed-url.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors/app-error.js';
import { createSession } from '../identity/sessions.js';
import { HelpdeskError, type HelpdeskUser } from '../ports/helpdesk.js';
import { appPublicKeys } from './app-public-keys.js';
import { withHelpdeskRetries } from './helpdesk-retry.js';
import type { ZendeskConnection, ZendeskConnections } from './zendesk-connections.js';
import { staffForZendeskUser } from './zendesk-staff.js';

export type SignInProblem =
  | SignedUrlProblem
  | 'missing'
  | 'not_enabled'
  | 'replayed'
  | 'unknown_agent'
  | 'not_an_agent';

/** What the sidebar page embeds: a `zendesk_sidebar` session for the proven agent. */
export interface SidebarSignIn {
  readonly orgId: string;
  readonly connection: ZendeskConnection;
  readonly token: string;
  readonly expiresAt: Date;
  readonly viewer: { readonly name: string | null; readonly readOnly: boolean };
}

/** `sub` as the token claims it, for the audit of a refusal (never trusted, never used for anything else). */
function claimedSubject(token: string): string | null {
  try {
    const body = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: unknown };
    return typeof body.sub === 'string' ? body.sub.slice(0, 200) : null;
  } catch {
    return null;
  }
}

async function refuse(
  ctx: AppContext,
  orgId: string,
  problem: SignInProblem,
  token: string | undefined,
): Promise<never> {
  await appendAudit(ctx.db, {
    orgId,
    actor: { type: 'helpdesk', id: 'zendesk' },
    action: 'zendesk.sidebar_sign_in_refused',
    data: { problem, claimedSubject: token ? claimedSubject(token) : null },
    at: ctx.clock.now(),
  });
  ctx.logger.warn({ orgId, problem }, 'zendesk sidebar sign-in refused');
  throw new AppError('unauthenticated', `Refund Desk could not confirm who you are in Zendesk (${problem}).`, {
    problem,
  });
}

async function verify(
  ctx: AppContext,
  connection: ZendeskConnection,
  token: string,
): Promise<VerifiedSignedUrl | SignInProblem> {
  const settings = connection.signedUrls;
  if (!settings) return 'not_enabled';
  const check = (publicKeys: Awaited<ReturnType<typeof appPublicKeys>>) =>
    verifySignedUrlToken(token, {
      publicKeys,
      subdomain: connection.subdomain,
      installationId: settings.installationId,
      nowSeconds: Math.floor(ctx.clock.now().getTime() / 1000),
    });
  try {
    try {
      return check(await appPublicKeys(connection));
    } catch (error) {
      // Zendesk may have rotated the app's key: read it again (rate-limited) before refusing
      if (!(error instanceof SignedUrlError && error.problem === 'bad_signature')) throw error;
      return check(await appPublicKeys(connection, { refresh: true }));
    }
  } catch (error) {
    if (error instanceof SignedUrlError) return error.problem;
    throw error;
  }
}

/**
 * Signs an agent in from the token Zendesk POSTed to the app's location URL: verifies it (RS256,
 * every claim), refuses a token seen before (kept until it expires), re-reads the agent through
 * the Zendesk API, maps them to staff (none → read-only) and starts a `zendesk_sidebar` session.
 * Every refusal is audited.
 */
export async function signInFromZendesk(
  ctx: AppContext,
  connections: ZendeskConnections,
  input: { readonly slug: string; readonly token: string | undefined; readonly userAgent: string | undefined },
): Promise<SidebarSignIn> {
  const found = await connections.forSlug(input.slug);
  if (!found?.connection) throw new AppError('not_found', 'no such organisation with Zendesk');
  const { orgId, connection } = found;
  const token = input.token?.trim();
  if (!token) return refuse(ctx, orgId, 'missing', undefined);
  const verified = await verify(ctx, connection, token);
  if (typeof verified === 'string') return refuse(ctx, orgId, verified, token);

  const seen = await ctx.db
    .insertInto('zendesk_jwt_ids')
    .values({
      org_id: orgId,
      jti: `zaf:${createHash('sha256').update(token).digest('hex')}`,
      expires_at: new Date(verified.expiresAt * 1000),
    })
    .onConflict((oc) => oc.columns(['org_id', 'jti']).doNothing())
    .returning('jti')
    .executeTakeFirst();
  if (!seen) return refuse(ctx, orgId, 'replayed', token);

  let agent: HelpdeskUser;
  try {
    agent = await withHelpdeskRetries(() => connection.helpdesk.getUser({ userId: verified.userId }));
  } catch (error) {
    if (error instanceof HelpdeskError && error.code === 'not_found') return refuse(ctx, orgId, 'unknown_agent', token);
    if (error instanceof HelpdeskError) throw new AppError('not_ready', `Zendesk could not be reached (${error.code})`);
    throw error;
  }
  if (agent.role === 'end-user') return refuse(ctx, orgId, 'not_an_agent', token);
  const staff = await staffForZendeskUser(ctx.db, orgId, agent, 'zendesk_signed_url');
  const { token: sessionToken, session } = await createSession(ctx, {
    orgId,
    staffId: staff?.staffId ?? null,
    kind: 'zendesk_sidebar',
    proof: 'zendesk_signed_url',
    deskUserId: agent.id,
    userAgent: input.userAgent ?? null,
  });
  return {
    orgId,
    connection,
    token: sessionToken,
    expiresAt: session.absoluteExpiresAt,
    viewer: { name: staff?.name ?? agent.name, readOnly: !staff },
  };
}
