/**
 * Per-organisation connectors (Zendesk, Slack, Teams, Twilio, SendGrid): admin only, validated,
 * stored sealed with SECRETS_KEY (no secret in the row or the audit trail), and one Slack
 * workspace belongs to one organisation. Also the staff route recording a customer's consent.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../server/src/app.js';
import type { Integration } from '../server/src/integrations/integration.js';
import { INTEGRATIONS } from '../server/src/integrations/integrations.js';
import { createOrganisation, createStaff } from '../server/src/orgs/organisations.js';
import { createTestContext, type TestContext } from './support/context.js';
import { BACKENDS } from './support/databases.js';

const SECRET = 'zz-secret-value-never-stored-in-clear-42';

const CONNECTORS: ReadonlyArray<{
  name: string;
  path: string;
  body: Record<string, unknown>;
  bad: Record<string, unknown>;
}> = [
  {
    name: 'zendesk',
    path: '/api/v1/connectors/zendesk',
    body: { subdomain: 'acme', email: 'ops@acme.test', apiToken: SECRET, webhookSecret: 'wh', appSecret: 'app' },
    bad: { subdomain: 'acme' },
  },
  {
    name: 'slack',
    path: '/api/v1/slack/settings',
    body: { teamId: 'TACME0001', botToken: `xoxb-${SECRET}`, approvalChannel: 'C0123' },
    bad: { teamId: 'not-a-team', botToken: 'x' },
  },
  {
    name: 'teams',
    path: '/api/v1/teams/settings',
    body: { webhookUrl: `https://prod.workflows.example/hooks/${SECRET}` },
    bad: { webhookUrl: `http://prod.workflows.example/hooks/${SECRET}` },
  },
  {
    name: 'twilio',
    path: '/api/v1/notifications/connectors/twilio',
    body: { accountSid: `AC${'a'.repeat(32)}`, authToken: SECRET, from: '+15550001111' },
    bad: { accountSid: 'AC1', authToken: SECRET, from: 'nobody' },
  },
  {
    name: 'sendgrid',
    path: '/api/v1/notifications/connectors/sendgrid',
    body: { apiKey: `SG.${SECRET}`, from: 'refunds@acme.test' },
    bad: { apiKey: `SG.${SECRET}`, from: 'not an email' },
  },
];

async function organisation(t: TestContext, slug: string) {
  const org = await createOrganisation(t.ctx.db, { slug, name: slug });
  const admin = await createStaff(t.ctx.db, { orgId: org.id, name: 'Ada', email: `admin@${slug}.test`, role: 'admin' });
  const agent = await createStaff(t.ctx.db, { orgId: org.id, name: 'Al', email: `agent@${slug}.test`, role: 'agent' });
  return { orgId: org.id, admin: admin.token, agent: agent.token };
}

async function appWithIntegrations(t: TestContext) {
  const deps = { config: t.ctx.config, db: t.ctx.db, logger: t.ctx.logger, clock: t.ctx.clock, startSandboxes: false };
  const integrations: Integration[] = [];
  for (const factory of INTEGRATIONS) integrations.push(await factory(deps));
  const app = createApp(t.ctx, { integrations });
  const put = (path: string, token: string, body: unknown) =>
    app.request(path, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  return { put, close: () => Promise.all(integrations.map((i) => i.close?.())) };
}

describe.each(BACKENDS)('connector settings on %s', (backend) => {
  let t: TestContext;
  let desk: Awaited<ReturnType<typeof appWithIntegrations>>;
  let acme: Awaited<ReturnType<typeof organisation>>;
  let globex: Awaited<ReturnType<typeof organisation>>;

  beforeAll(async () => {
    t = await createTestContext(backend, { env: { SECRETS_KEY: randomBytes(32).toString('base64') } });
    desk = await appWithIntegrations(t);
    acme = await organisation(t, 'acme');
    globex = await organisation(t, 'globex');
  });
  afterAll(async () => {
    await desk?.close();
    await t?.close();
  });

  it.each(CONNECTORS)('$name: admin only, validated, sealed, audited without values', async (connector) => {
    expect((await desk.put(connector.path, acme.agent, connector.body)).status).toBe(403);
    expect((await desk.put(connector.path, acme.admin, connector.bad)).status).toBe(400);
    const stored = await desk.put(connector.path, acme.admin, connector.body);
    expect(stored.status, await stored.clone().text()).toBe(200);

    const row = await t.ctx.db
      .selectFrom('gateway_settings')
      .selectAll()
      .where('org_id', '=', acme.orgId)
      .where('vendor', '=', connector.name)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(SECRET);
    const audit = await t.ctx.db
      .selectFrom('audit_events')
      .select(['action', 'data'])
      .where('org_id', '=', acme.orgId)
      .where('action', '=', 'connector.configured')
      .execute();
    expect(audit.some((a) => (a.data as { connector?: string }).connector === connector.name)).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(SECRET);
  });

  it('one Slack workspace belongs to one organisation', async () => {
    const body = { teamId: 'TSHARED01', botToken: 'xoxb-1' };
    expect((await desk.put('/api/v1/slack/settings', acme.admin, body)).status).toBe(200);
    const taken = await desk.put('/api/v1/slack/settings', globex.admin, body);
    expect(taken.status).toBe(409);
    expect(((await taken.json()) as { error: { code: string } }).error.code).toBe('conflict');
  });

  it("staff record a customer's language and consent with its source; other organisations' customers are 404", async () => {
    const customerId = randomUUID();
    await t.ctx.db
      .insertInto('customers')
      .values({
        id: customerId,
        org_id: acme.orgId,
        name: 'Pat',
        email: 'pat@acme.test',
        phone: '+15550002222',
        external_ids: '{}',
      })
      .execute();
    const body = {
      locale: 'zh-CN',
      sms: { granted: true, source: 'phone call' },
      email: { granted: false, source: 'letter' },
    };
    expect((await desk.put(`/api/v1/customers/${customerId}/contact-preferences`, globex.admin, body)).status).toBe(
      404,
    );
    const stored = await desk.put(`/api/v1/customers/${customerId}/contact-preferences`, acme.agent, body);
    expect(stored.status, await stored.clone().text()).toBe(200);
    const contact = await t.ctx.db
      .selectFrom('notification_contacts')
      .selectAll()
      .where('org_id', '=', acme.orgId)
      .where('customer_id', '=', customerId)
      .executeTakeFirstOrThrow();
    expect(contact).toMatchObject({
      locale: 'zh-CN',
      sms_consent: 'granted',
      sms_consent_source: 'staff:phone call',
      email_consent: 'revoked',
      email_consent_source: 'staff:letter',
    });
    const audit = await t.ctx.db
      .selectFrom('audit_events')
      .select(['action', 'data'])
      .where('org_id', '=', acme.orgId)
      .where('action', 'in', ['consent.granted', 'consent.revoked'])
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['consent.granted', 'consent.revoked']);
    expect(JSON.stringify(audit)).not.toContain('+15550002222');
  });
});
