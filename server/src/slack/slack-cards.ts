/**
 * The approval card's life in Slack: posted once when the case waits for approval, edited in
 * place (`chat.update`) from the case's current state after every later event, and threaded
 * notices under it. Each function renders from the database, so a retried job does no harm.
 */
import {
  cardFor,
  escalationMessage,
  notificationFailedMessage,
  reminderMessage,
} from '@refund-desk/slack-bot/src/slack-blocks.js';
import type { WebClient } from '@slack/web-api';
import type { AppContext } from '../context.js';
import { type ApproverRole, canApprove } from '../orgs/roles.js';
import { loadCardFacts, loadCase } from './card-facts.js';
import type { OrgSlack, SlackDirectoryOfTeams } from './slack-settings.js';

export interface SlackCardDeps {
  readonly ctx: AppContext;
  readonly teams: SlackDirectoryOfTeams;
  readonly clientFor: (botToken: string) => WebClient;
}

async function factsOf(deps: SlackCardDeps, org: OrgSlack, caseId: string) {
  const caseRow = await loadCase(deps.ctx.db, org.orgId, caseId);
  if (!caseRow) return undefined;
  const isDefaultOrg = org.orgId === (await deps.teams.defaultOrgId());
  return loadCardFacts(deps.ctx.db, deps.ctx.config, {
    orgId: org.orgId,
    caseRow,
    isDefaultOrg,
    now: deps.ctx.clock.now(),
  });
}

function cardRow(deps: SlackCardDeps, orgId: string, caseId: string) {
  return deps.ctx.db
    .selectFrom('slack_cards')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('case_id', '=', caseId)
    .executeTakeFirst();
}

/** Posts the card in the tier's channel unless it exists; renders the current state (a late job posts the outcome). */
export async function postCard(deps: SlackCardDeps, input: { orgId: string; caseId: string }): Promise<void> {
  const org = await deps.teams.forOrg(input.orgId);
  if (!org) return;
  if (await cardRow(deps, input.orgId, input.caseId)) return syncCard(deps, input);
  const facts = await factsOf(deps, org, input.caseId);
  if (!facts) return;
  const client = deps.clientFor(org.botToken);
  const posted = await client.chat.postMessage({ channel: org.channelFor(facts.requiredRole), ...cardFor(facts) });
  if (!posted.ts || !posted.channel) throw new Error('chat.postMessage answered without ts/channel');
  await deps.ctx.db
    .insertInto('slack_cards')
    .values({ case_id: input.caseId, org_id: input.orgId, channel: posted.channel, ts: posted.ts })
    .onConflict((oc) => oc.column('case_id').doNothing())
    .execute();
  // decided while we were posting: the update job found no card yet, so bring it up to date now
  const now = await loadCase(deps.ctx.db, input.orgId, input.caseId);
  if (now && now.state !== facts.state) await syncCard(deps, input);
}

/** Replaces the card (for everyone) with the case's current state. */
export async function syncCard(deps: SlackCardDeps, input: { orgId: string; caseId: string }): Promise<void> {
  const org = await deps.teams.forOrg(input.orgId);
  if (!org) return;
  const card = await cardRow(deps, input.orgId, input.caseId);
  if (!card) return; // never posted (auto-approved, or Slack joined later): nothing to edit
  const facts = await factsOf(deps, org, input.caseId);
  if (!facts) return;
  await deps.clientFor(org.botToken).chat.update({ channel: card.channel, ts: card.ts, ...cardFor(facts) });
  await deps.ctx.db
    .updateTable('slack_cards')
    .set({ updated_at: deps.ctx.clock.now() })
    .where('org_id', '=', input.orgId)
    .where('case_id', '=', input.caseId)
    .execute();
}

type Notice =
  | { kind: 'reminder'; orgId: string; caseId: string; hours: number }
  | { kind: 'escalated'; orgId: string; caseId: string; from: string }
  | { kind: 'notification_failed'; orgId: string; caseId: string; channel: string; errorCode?: string | undefined };

/** A message in the card's thread (or the approval channel when there is no card); reminders also DM the tier's approvers. */
export async function postNotice(deps: SlackCardDeps, notice: Notice): Promise<void> {
  const org = await deps.teams.forOrg(notice.orgId);
  if (!org) return;
  const facts = await factsOf(deps, org, notice.caseId);
  if (!facts) return;
  const card = await cardRow(deps, notice.orgId, notice.caseId);
  const message =
    notice.kind === 'reminder'
      ? reminderMessage(facts, notice.hours)
      : notice.kind === 'escalated'
        ? escalationMessage(facts, notice.from)
        : notificationFailedMessage({
            reference: facts.reference,
            channel: notice.channel,
            errorCode: notice.errorCode,
          });
  const client = deps.clientFor(org.botToken);
  await client.chat.postMessage({
    channel: card?.channel ?? org.channelFor(facts.requiredRole),
    ...(card ? { thread_ts: card.ts } : {}),
    ...message,
  });
  if (notice.kind === 'escalated') await syncCard(deps, notice);
  if (notice.kind !== 'reminder') return;
  const approvers = await deps.ctx.db
    .selectFrom('staff')
    .select(['id', 'role', 'external_ids'])
    .where('org_id', '=', notice.orgId)
    .where('active', '=', true)
    .execute();
  for (const approver of approvers) {
    const slackId = (approver.external_ids as Record<string, string> | null)?.['slack'];
    if (!slackId || !canApprove(approver.role, facts.requiredRole as ApproverRole)) continue;
    const dm = await client.conversations.open({ users: slackId });
    if (dm.channel?.id) await client.chat.postMessage({ channel: dm.channel.id, ...message });
  }
}
