/**
 * Which organisation a Slack workspace belongs to, and each organisation's Slack settings: the
 * default organisation's from the environment (SLACK_*), others from connector settings `slack`
 * (encrypted) plus a `slack_teams` row naming their workspace.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Database } from '../db/schema.js';
import { loadConnectorSettings } from '../integrations/connector-settings.js';
import { findOrganisationBySlug } from '../orgs/organisations.js';
import { DEFAULT_ORG_SLUG } from '../orgs/seed.js';

const perTier = z.object({ lead: z.number().positive().optional(), manager: z.number().positive().optional() });

/** What an organisation stores under connector `slack`. */
export const slackSettingsSchema = z.object({
  teamId: z.string().regex(/^T[A-Z0-9]+$/),
  botToken: z.string().min(1),
  approvalChannel: z.string().min(1).optional(),
  /** Channel per approver tier; the approval channel when a tier names none. */
  channels: z.object({ lead: z.string().min(1).optional(), manager: z.string().min(1).optional() }).optional(),
  remindAfterHours: perTier.optional(),
  escalateAfterHours: perTier.optional(),
});
export type StoredSlackSettings = z.infer<typeof slackSettingsSchema>;

export interface OrgSlack {
  readonly orgId: string;
  readonly teamId: string;
  readonly botToken: string;
  channelFor(tier: string): string;
  remindAfterHours(tier: string): number;
  escalateAfterHours(tier: string): number;
}

/** The installation's Slack: signing secret(s), the default workspace and token, the API base. */
export interface SlackInstallation {
  readonly signingSecrets: ReadonlyArray<string>;
  readonly defaultTeamId: string | undefined;
  readonly defaultBotToken: string | undefined;
  readonly slackApiUrl: string | undefined;
}

const CACHE_MS = 30_000;

export class SlackDirectoryOfTeams {
  readonly #cache = new Map<string, { value: OrgSlack | undefined; until: number }>();
  #defaultOrgId: Promise<string | undefined> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly config: Config,
    private readonly installation: SlackInstallation,
  ) {}

  /** The organisation a workspace belongs to with its settings, or undefined for a workspace we do not serve. */
  async forTeam(teamId: string): Promise<OrgSlack | undefined> {
    const hit = this.#cache.get(teamId);
    if (hit && hit.until > Date.now()) return hit.value;
    const value = await this.#load(teamId);
    this.#cache.set(teamId, { value, until: Date.now() + CACHE_MS });
    return value;
  }

  /** The Slack settings of an organisation, or undefined when it has no Slack. */
  async forOrg(orgId: string): Promise<OrgSlack | undefined> {
    if (orgId === (await this.defaultOrgId())) {
      const teamId = this.installation.defaultTeamId;
      return teamId ? this.forTeam(teamId) : undefined;
    }
    const row = await this.db
      .selectFrom('slack_teams')
      .select('team_id')
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    return row ? this.forTeam(row.team_id) : undefined;
  }

  defaultOrgId(): Promise<string | undefined> {
    this.#defaultOrgId ??= findOrganisationBySlug(this.db, DEFAULT_ORG_SLUG).then((row) => row?.id);
    const pending = this.#defaultOrgId;
    // not seeded yet, or the query failed: ask again next time (and never leave a rejection unhandled)
    pending.then(
      (id) => {
        if (!id) this.#defaultOrgId = undefined;
      },
      () => {
        this.#defaultOrgId = undefined;
      },
    );
    return pending;
  }

  async #load(teamId: string): Promise<OrgSlack | undefined> {
    const defaultOrgId = await this.defaultOrgId();
    if (teamId === this.installation.defaultTeamId && defaultOrgId && this.installation.defaultBotToken) {
      const stored = await this.#stored(defaultOrgId);
      return this.#build(defaultOrgId, teamId, this.installation.defaultBotToken, stored);
    }
    const row = await this.db
      .selectFrom('slack_teams')
      .select('org_id')
      .where('team_id', '=', teamId)
      .executeTakeFirst();
    if (!row) return undefined;
    const stored = await this.#stored(row.org_id);
    if (!stored || stored.teamId !== teamId) return undefined;
    return this.#build(row.org_id, teamId, stored.botToken, stored);
  }

  #stored(orgId: string): Promise<StoredSlackSettings | undefined> {
    return loadConnectorSettings(this.db, this.config.SECRETS_KEY, orgId, 'slack', slackSettingsSchema);
  }

  #build(orgId: string, teamId: string, botToken: string, stored: StoredSlackSettings | undefined): OrgSlack {
    const config = this.config;
    const tierOf = (tier: string) => (tier === 'manager' ? 'manager' : 'lead');
    return {
      orgId,
      teamId,
      botToken,
      channelFor: (tier) =>
        stored?.channels?.[tierOf(tier)] ?? stored?.approvalChannel ?? config.SLACK_APPROVAL_CHANNEL,
      remindAfterHours: (tier) => stored?.remindAfterHours?.[tierOf(tier)] ?? config.APPROVAL_REMIND_AFTER_HOURS,
      escalateAfterHours: (tier) => stored?.escalateAfterHours?.[tierOf(tier)] ?? config.APPROVAL_ESCALATE_AFTER_HOURS,
    };
  }
}
