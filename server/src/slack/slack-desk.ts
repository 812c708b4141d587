/**
 * The desk as the Slack bot sees it (the DeskPort): Slack users become staff principals on the
 * `slack` channel and decide through the engine's approve/deny, so the role-versus-tier, requester
 * and one-decision rules are the engine's. Refusals (unknown workspace, unlinked user, role,
 * requester) are audited as `slack.refused`.
 */
import type { CardFacts, DeskAnswer, DeskPort, SlackActor } from '@refund-desk/slack-bot/src/desk-port.js';
import type { WebClient } from '@slack/web-api';
import { appendAudit } from '../audit/audit-log.js';
import type { AppContext } from '../context.js';
import type { RefundCaseRow } from '../db/schema.js';
import { AppError } from '../errors/app-error.js';
import type { Principal } from '../http/auth.js';
import { type ApproverRole, canApprove } from '../orgs/roles.js';
import { approve, deny } from '../refunds/decide-case.js';
import { loadCardFacts } from './card-facts.js';
import type { OrgSlack, SlackDirectoryOfTeams } from './slack-settings.js';
import type { SlackUserDirectory } from './slack-users.js';

const APPROVED_STATES = new Set([
  'approved',
  'executing',
  'succeeded',
  'failed',
  'exception',
  'retried',
  'resolved_manually',
]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SlackDeskDeps {
  readonly ctx: AppContext;
  readonly teams: SlackDirectoryOfTeams;
  readonly users: SlackUserDirectory;
  readonly clientFor: (botToken: string) => WebClient;
}

const refusal = (message: string): DeskAnswer => ({ ok: false, message });

/** A refusal the user can act on; engine error codes become one plain sentence. */
function explain(error: unknown): DeskAnswer {
  if (!(error instanceof AppError)) throw error;
  if (error.code === 'already_decided') {
    const details = error.details as { state?: string; decidedBy?: { name?: string } | null } | undefined;
    // the engine reports the current state; what the clicker wants to know is the decision
    const state = details?.state ?? 'decided';
    const decision = APPROVED_STATES.has(state) ? 'approved' : state;
    return refusal(`Already ${decision} by ${details?.decidedBy?.name ?? 'someone else'}.`);
  }
  if (error.code === 'self_approval') return refusal('You requested this refund, so someone else must decide it.');
  if (error.code === 'not_found') return refusal('No such refund in this workspace.');
  return refusal(error.message);
}

export function createSlackDesk(deps: SlackDeskDeps): DeskPort {
  const { ctx, teams, users } = deps;

  async function audit(orgId: string, caseId: string | undefined, actor: SlackActor, data: Record<string, unknown>) {
    await appendAudit(ctx.db, {
      orgId,
      caseId: caseId ?? null,
      actor: { type: 'chat', id: `slack:${actor.teamId}:${actor.userId}` },
      action: 'slack.refused',
      data,
      at: ctx.clock.now(),
    });
  }

  async function caseIdInOrg(orgId: string, caseId: string): Promise<string | undefined> {
    if (!UUID.test(caseId)) return undefined;
    const row = await ctx.db
      .selectFrom('refund_cases')
      .select('id')
      .where('org_id', '=', orgId)
      .where('id', '=', caseId)
      .executeTakeFirst();
    return row?.id;
  }

  /** The workspace's organisation and the staff member behind the Slack user, or the refusal to show. */
  async function identify(
    actor: SlackActor,
    caseId?: string,
  ): Promise<{ org: OrgSlack; principal: Principal } | DeskAnswer> {
    const org = await teams.forTeam(actor.teamId);
    if (!org) return refusal('This Slack workspace is not connected to Refund Desk.');
    const principal = await users.principalFor({
      orgId: org.orgId,
      teamId: actor.teamId,
      userId: actor.userId,
      client: deps.clientFor(org.botToken),
    });
    if (!principal) {
      const known = caseId ? await caseIdInOrg(org.orgId, caseId) : undefined;
      await audit(org.orgId, known, actor, { reason: 'unmapped_user', slackUserId: actor.userId });
      return refusal('Your Slack account is not linked to a Refund Desk staff member (same email, or ask an admin).');
    }
    return { org, principal };
  }

  async function decide(actor: SlackActor, caseId: string, run: (p: Principal) => Promise<RefundCaseRow>) {
    const who = await identify(actor, caseId);
    if ('ok' in who) return who;
    if (!(await caseIdInOrg(who.org.orgId, caseId))) return refusal('No such refund in this workspace.');
    try {
      const decided = await run(who.principal);
      return { ok: true, message: `Refund ${decided.reference} is ${decided.state}.` };
    } catch (error) {
      const answer = explain(error);
      if (error instanceof AppError && error.code !== 'already_decided') {
        await audit(who.org.orgId, caseId, actor, { reason: error.code, staffId: who.principal.staffId });
      }
      return answer;
    }
  }

  async function facts(orgId: string, caseRow: RefundCaseRow): Promise<CardFacts> {
    const isDefaultOrg = orgId === (await teams.defaultOrgId());
    return loadCardFacts(ctx.db, ctx.config, { orgId, caseRow, isDefaultOrg, now: ctx.clock.now() });
  }

  return {
    async botTokenFor(teamId) {
      return (await teams.forTeam(teamId))?.botToken;
    },
    async refuseUnknownTeam({ teamId, userId, what }) {
      const orgId = await teams.defaultOrgId();
      if (!orgId) return;
      await audit(orgId, undefined, { teamId, userId: userId ?? '' }, { reason: 'unknown_team', teamId, what });
    },
    approve: (actor, caseId) => decide(actor, caseId, (principal) => approve(ctx, { principal, caseId })),
    deny: (actor, caseId, reason) => decide(actor, caseId, (principal) => deny(ctx, { principal, caseId, reason })),
    async getCase(actor, reference) {
      const who = await identify(actor);
      if ('ok' in who) return who;
      const caseRow = await ctx.db
        .selectFrom('refund_cases')
        .selectAll()
        .where('org_id', '=', who.org.orgId)
        .where('reference', '=', reference.toUpperCase())
        .executeTakeFirst();
      if (!caseRow) return refusal(`No refund ${reference} in this workspace. Try \`/refund queue\`.`);
      return facts(who.org.orgId, caseRow);
    },
    async listPending(actor) {
      const who = await identify(actor);
      if ('ok' in who) return who;
      const rows = await ctx.db
        .selectFrom('refund_cases')
        .selectAll()
        .where('org_id', '=', who.org.orgId)
        .where('state', '=', 'pending_approval')
        .orderBy('created_at', 'asc')
        .limit(200)
        .execute();
      const mine = rows.filter(
        (row) =>
          row.requested_by !== who.principal.staffId &&
          canApprove(who.principal.role, (row.required_role ?? 'lead') as ApproverRole),
      );
      return Promise.all(mine.slice(0, 20).map((row) => facts(who.org.orgId, row)));
    },
  };
}
