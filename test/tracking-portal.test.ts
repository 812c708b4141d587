import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from './support/databases.js';
import { usd } from './support/engine-fixtures.js';
import { createNotificationsFixture, type NotificationsFixture } from './support/notifications-fixture.js';

describe.each(BACKENDS)('customer portal on %s', (backend) => {
  let f: NotificationsFixture;
  let paymentRef: string;
  const email = 'portal@patients.test';
  beforeAll(async () => {
    f = await createNotificationsFixture(backend);
    ({ paymentRef } = await f.addCustomer({ email, amount: usd(5_000) }));
  });
  afterAll(async () => {
    await f?.close();
  });

  const formToken = async () => {
    const page = await (await fetch(`${f.server.url}/portal/default`)).text();
    const token = /name="token" value="([^"]+)"/.exec(page)?.[1];
    if (!token) throw new Error('no form token');
    return token;
  };
  const submit = async (fields: Record<string, string>) => {
    const response = await fetch(`${f.server.url}/portal/default`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ reason: 'product_return', ...fields }).toString(),
    });
    return { status: response.status, html: await response.text() };
  };
  const portalCases = () =>
    f.ctx.db
      .selectFrom('refund_cases')
      .select(['id', 'source', 'requested_by', 'state'])
      .where('source', '=', 'portal')
      .execute();

  it('a wrong email and a wrong reference get the very same answer, and open nothing', async () => {
    const wrongEmail = await submit({ token: await formToken(), email: 'someone@else.test', reference: paymentRef });
    const wrongReference = await submit({ token: await formToken(), email, reference: 'pi_does_not_exist' });
    expect(wrongEmail.status).toBe(200);
    expect(wrongReference).toEqual(wrongEmail);
    expect(wrongEmail.html).toContain('could not find a payment matching these details');
    expect(await portalCases()).toHaveLength(0);
  });

  it('refuses a post without a valid form token (CSRF)', async () => {
    const forged = await submit({ token: 'forged.token', email, reference: paymentRef });
    expect(forged.status).toBe(403);
    expect(await portalCases()).toHaveLength(0);
  });

  it('the right email and reference open a portal case for review and show its tracking link', async () => {
    const token = await formToken();
    const opened = await submit({ token, email: ' Portal@Patients.test ', reference: paymentRef });
    expect(opened.status).toBe(200);
    const link = /data-testid="tracking-link" href="([^"]+)"/.exec(opened.html)?.[1];
    expect(link).toMatch(new RegExp(`^${f.server.url}/track/`));
    const cases = await portalCases();
    expect(cases).toEqual([
      expect.objectContaining({ source: 'portal', requested_by: null, state: 'pending_approval' }),
    ]);
    // the same form sent twice is the same request
    const again = await submit({ token, email, reference: paymentRef });
    expect(again.html).toContain('tracking-link');
    expect(await portalCases()).toHaveLength(1);
    const page = await fetch((link ?? '').replaceAll('&amp;', '&'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Under review');
  });

  it('limits attempts per IP', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push((await submit({ token: await formToken(), email: `x${i}@else.test`, reference: 'nope' })).status);
    expect(statuses).toContain(429);
  });
});
