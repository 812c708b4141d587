/**
 * Teams alerts: the `teams` case-event consumer enqueues, the job posts an Adaptive Card to the
 * organisation's Workflows webhook (TEAMS_WEBHOOK_URL for the default organisation, connector
 * settings `teams` for others) with a signed, single-use, expiring link to our approval page.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { AppContext } from '../context.js';
import { executeSqlIn } from '../db/database.js';
import type { Database } from '../db/schema.js';
import type { CaseEventConsumer } from '../events/case-events.js';
import { loadConnectorSettings } from '../integrations/connector-settings.js';
import { linkSigningKey, signLink } from '../links/signed-links.js';
import { isDefaultOrganisation } from '../orgs/seed.js';
import { loadCardFacts, loadCase } from '../slack/card-facts.js';
import { teamsAlertJob } from '../slack/slack-jobs.js';
import { teamsAlertCard, workflowsMessage } from './teams-cards.js';

export const TEAMS_LINK_PURPOSE = 'teams-approval';
export const teamsSettingsSchema = z.object({ webhookUrl: z.url() });

/** An organisation's Workflows webhook URL, or undefined when it has no Teams. */
export async function teamsWebhookFor(
  db: Kysely<Database>,
  config: Config,
  orgId: string,
  defaultUrl: string | undefined,
): Promise<string | undefined> {
  const stored = await loadConnectorSettings(db, config.SECRETS_KEY, orgId, 'teams', teamsSettingsSchema);
  if (stored) return stored.webhookUrl;
  return (await isDefaultOrganisation(db, orgId)) ? defaultUrl : undefined;
}

export function teamsConsumer(): CaseEventConsumer {
  return {
    name: 'teams',
    wants: (e) => ['case.routed_for_approval', 'case.escalated', 'case.exception_raised'].includes(e.action),
    async handle(trx, event, ctx) {
      const kind = event.action === 'case.exception_raised' ? 'exception' : 'approval';
      await ctx.queue.send(
        teamsAlertJob,
        { orgId: event.orgId, caseId: event.caseId, kind, seq: event.seq },
        { executeSql: executeSqlIn(trx) },
      );
    },
  };
}

/** Posts one alert (once per case, kind and tier); throws on a non-2xx answer so the job retries. */
export async function postTeamsAlert(
  ctx: AppContext,
  input: { orgId: string; caseId: string; kind: 'approval' | 'exception' },
  options: {
    readonly defaultWebhookUrl: string | undefined;
    readonly publicBase: () => string | undefined;
    readonly isDefaultOrg: (orgId: string) => Promise<boolean>;
  },
): Promise<void> {
  const url = await teamsWebhookFor(ctx.db, ctx.config, input.orgId, options.defaultWebhookUrl);
  const base = options.publicBase();
  if (!url || !base) return;
  const caseRow = await loadCase(ctx.db, input.orgId, input.caseId);
  if (!caseRow) return;
  if (input.kind === 'approval' && caseRow.state !== 'pending_approval') return; // decided before we got to it
  const key = input.kind === 'approval' ? `approval:${caseRow.required_role ?? 'lead'}` : 'exception';
  const done = await ctx.db
    .selectFrom('teams_alerts')
    .select('kind')
    .where('org_id', '=', input.orgId)
    .where('case_id', '=', input.caseId)
    .where('kind', '=', key)
    .executeTakeFirst();
  if (done) return;
  const now = ctx.clock.now();
  const facts = await loadCardFacts(ctx.db, ctx.config, {
    orgId: input.orgId,
    caseRow,
    isDefaultOrg: await options.isDefaultOrg(input.orgId),
    now,
  });
  const token = signLink(
    await linkSigningKey(ctx.db, ctx.config),
    { purpose: TEAMS_LINK_PURPOSE, orgId: input.orgId, subject: input.caseId },
    { now, ttlSeconds: Math.round(ctx.config.APPROVAL_ESCALATE_AFTER_HOURS * 3600) },
  );
  const card = teamsAlertCard(facts, { kind: input.kind, url: `${base}/approve/${token}` });
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(workflowsMessage(card)),
    signal: AbortSignal.timeout(15_000),
  });
  if (!response.ok) throw new Error(`Teams webhook answered ${response.status}`);
  await ctx.db
    .insertInto('teams_alerts')
    .values({ case_id: input.caseId, org_id: input.orgId, kind: key })
    .onConflict((oc) => oc.columns(['case_id', 'kind']).doNothing())
    .execute();
}
