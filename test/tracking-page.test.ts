import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkSigningKey, signLink } from '../server/src/links/signed-links.js';
import { approve } from '../server/src/refunds/decide-case.js';
import { requestRefund } from '../server/src/refunds/request-refund.js';
import { trackingUrl } from '../server/src/tracking/tracking-links.js';
import { artifactPath, launchChromium } from './support/browser.js';
import { BACKENDS } from './support/databases.js';
import { usd } from './support/engine-fixtures.js';
import { createNotificationsFixture, type NotificationsFixture } from './support/notifications-fixture.js';

describe.each(BACKENDS)('tracking page on %s', (backend) => {
  let f: NotificationsFixture;
  let link: string;
  let reference: string;
  beforeAll(async () => {
    f = await createNotificationsFixture(backend);
    const { paymentId } = await f.addCustomer({ name: 'Robin Patient', amount: usd(300_000) });
    const { caseRow } = await requestRefund(f.ctx, {
      orgId: f.orgId,
      paymentId,
      amount: usd(120_000),
      reasonCode: 'product_return',
      note: 'staff-only note: call back after 5',
      source: 'api',
      requestedBy: f.staff.agent.staffId,
    });
    await approve(f.ctx, { principal: f.staff.manager, caseId: caseRow.id });
    await f.settle();
    reference = caseRow.reference;
    link = await trackingUrl(f.ctx, f.server.url, { orgId: f.orgId, caseId: caseRow.id, locale: 'en' });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('shows the timeline, amounts and expected date at phone and desktop widths (Chromium, no JavaScript)', async () => {
    const browser = await launchChromium();
    try {
      for (const [name, width] of [
        ['phone', 390],
        ['desktop', 1280],
      ] as const) {
        const context = await browser.newContext({ viewport: { width, height: 844 }, javaScriptEnabled: false });
        const page = await context.newPage();
        const response = await page.goto(link);
        expect(response?.status()).toBe(200);
        expect(await page.getByTestId('reference').textContent()).toBe(reference);
        const steps = await page.locator('[data-testid="timeline"] li strong').allTextContents();
        expect(steps).toEqual(['Request received', 'Under review', 'Approved', 'Refund being sent', 'Refund sent']);
        expect(await page.getByTestId('status').textContent()).toBe('Refund sent');
        expect(await page.getByTestId('requested').textContent()).toBe('$1,200.00');
        expect(await page.getByTestId('refunded').textContent()).toBe('$1,200.00');
        expect(await page.getByTestId('expected').textContent()).toMatch(
          /^by .+ \(5–10 business days after it was sent\)$/,
        );
        const html = await page.content();
        expect(html).not.toContain('staff-only note');
        expect(html).not.toContain('manager of default'); // no staff names
        expect(html).not.toContain('Patient'); // no full name
        // fits the viewport: nothing scrolls sideways
        // fits the viewport: the page is no wider than the screen (no sideways scrolling)
        const pageWidth = await page.evaluate('document.documentElement.scrollWidth');
        expect(Number(pageWidth)).toBeLessThanOrEqual(width);
        await page.screenshot({ path: artifactPath(`tracking-page-${name}.png`), fullPage: true });
        await context.close();
      }
    } finally {
      await browser.close();
    }
  });

  it('an expired or altered link shows a plain "link expired" page with no data', async () => {
    const altered = link.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const alteredAnswer = await fetch(altered);
    expect(alteredAnswer.status).toBe(404);
    const alteredHtml = await alteredAnswer.text();
    expect(alteredHtml).toContain('Link expired');
    expect(alteredHtml).not.toContain(reference);

    const key = await linkSigningKey(f.ctx.db, f.ctx.config);
    const caseId = JSON.parse(
      Buffer.from(link.split('/track/')[1]?.split('.')[0] ?? '', 'base64url').toString(),
    ).subject;
    const old = signLink(
      key,
      { purpose: 'tracking', orgId: f.orgId, subject: caseId },
      { now: new Date(Date.now() - 100 * 24 * 3600 * 1000), ttlSeconds: 90 * 24 * 3600 },
    );
    const expired = await fetch(`${f.server.url}/track/${old}`);
    expect(expired.status).toBe(410);
    const expiredHtml = await expired.text();
    expect(expiredHtml).toContain('Link expired');
    expect(expiredHtml).not.toContain(reference);
    expect(expiredHtml).not.toContain('$');

    const otherPurpose = signLink(
      key,
      { purpose: 'teams-approval', orgId: f.orgId, subject: caseId },
      { now: new Date(), ttlSeconds: 600 },
    );
    expect((await fetch(`${f.server.url}/track/${otherPurpose}`)).status).toBe(404);
  });
});
