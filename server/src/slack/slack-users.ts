/**
 * Slack user → staff member: `staff.external_ids.slack` when set, else the email Slack gives
 * through `users.info` (cached for a few minutes, so 20 clicks make one lookup), matched within
 * the workspace's organisation only.
 */
import type { WebClient } from '@slack/web-api';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Principal } from '../http/auth.js';

const EMAIL_TTL_MS = 10 * 60_000;

export class SlackUserDirectory {
  readonly #emails = new Map<
    string,
    { email: string | undefined; until: number; pending?: Promise<string | undefined> }
  >();

  constructor(private readonly db: Kysely<Database>) {}

  /** The active staff member this Slack user is in the organisation, as a principal on the `slack` channel. */
  async principalFor(input: {
    readonly orgId: string;
    readonly teamId: string;
    readonly userId: string;
    readonly client: WebClient;
  }): Promise<Principal | undefined> {
    const byId = await this.db
      .selectFrom('staff')
      .select(['id', 'org_id', 'role', 'name', 'email', 'active'])
      .where('org_id', '=', input.orgId)
      .where((eb) => eb(eb.ref('external_ids', '->>').key('slack'), '=', input.userId))
      .executeTakeFirst();
    let row = byId;
    if (!row) {
      const email = await this.emailOf(input.teamId, input.userId, input.client);
      if (!email) return undefined;
      row = await this.db
        .selectFrom('staff')
        .select(['id', 'org_id', 'role', 'name', 'email', 'active'])
        .where('org_id', '=', input.orgId)
        .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
        .executeTakeFirst();
    }
    if (!row || !row.active) return undefined;
    return {
      orgId: row.org_id,
      staffId: row.id,
      role: row.role,
      name: row.name,
      email: row.email,
      channel: 'slack',
      proof: 'slack_signature',
    };
  }

  /** The user's email from `users.info` (needs users:read.email), cached per workspace and user. */
  async emailOf(teamId: string, userId: string, client: WebClient): Promise<string | undefined> {
    const key = `${teamId}:${userId}`;
    const hit = this.#emails.get(key);
    if (hit && hit.until > Date.now()) return hit.pending ?? hit.email;
    const pending = client.users
      .info({ user: userId })
      .then((info) => (info.user?.deleted ? undefined : (info.user?.profile?.email ?? undefined)))
      .catch(() => undefined);
    this.#emails.set(key, { email: undefined, until: Date.now() + EMAIL_TTL_MS, pending });
    const email = await pending;
    this.#emails.set(key, { email, until: Date.now() + (email ? EMAIL_TTL_MS : 30_000) });
    return email;
  }
}
