import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { artifactPath, launchChromium } from './support/browser.js';
import { BACKENDS, createPostgresDatabase } from './support/databases.js';
import { cleanupProcesses, REPO_ROOT, type ServerProcess, startServerProcess } from './support/processes.js';

const APP_DIR = path.join(REPO_ROOT, 'apps/zendesk-sidebar');
const APP_SECRET = 'sidebar-browser-test-app-secret-0123456789';
const WEBHOOK_SECRET = 'sidebar-browser-test-webhook-secret-0123456789';

// A real server process, a Vite build on a cold machine and a browser: minutes, not seconds.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

interface SandboxUser {
  readonly id: number;
  readonly email: string;
  readonly role: string;
}
interface SandboxTicket {
  readonly id: number;
  readonly requester: { readonly email: string } | null;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** Newest modification time of the files the page is built from. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(file) : statSync(file).mtimeMs);
  }
  return newest;
}

beforeAll(() => {
  // Build when dist/ is missing or older than the sources, so the test never drives a stale page.
  const page = path.join(APP_DIR, 'dist/index.html');
  const sources = Math.max(newestSource(path.join(APP_DIR, 'src')), statSync(path.join(APP_DIR, 'index.html')).mtimeMs);
  if (existsSync(page) && statSync(page).mtimeMs >= sources) return;
  // vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
  const env = { ...process.env, NODE_ENV: 'production' };
  const build = spawnSync('npx', ['vite', 'build'], { cwd: APP_DIR, encoding: 'utf8', env });
  if (build.status !== 0) throw new Error(`vite build failed:\n${build.stdout}\n${build.stderr}`);
});

afterAll(async () => {
  await cleanupProcesses();
});

describe.each(BACKENDS)('Zendesk sidebar in the preview host, server on %s', (backend) => {
  let server: ServerProcess;
  let browser: Browser;
  let dropDatabase: () => Promise<void> = async () => undefined;
  let sandboxes: Record<string, string>;

  beforeAll(async () => {
    const env: Record<string, string> = { ZENDESK_APP_SECRET: APP_SECRET, ZENDESK_WEBHOOK_SECRET: WEBHOOK_SECRET };
    if (backend === 'postgres') {
      const database = await createPostgresDatabase();
      env['DATABASE_URL'] = database.connectionString;
      dropDatabase = database.drop;
    }
    server = await startServerProcess({ env });
    sandboxes = await getJson<Record<string, string>>(`${server.url}/sandbox`);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop('SIGTERM');
    await dropDatabase();
  });

  test('an agent requests a refund, a manager approves it, the gateway refunds exactly once', async () => {
    const zendesk = sandboxes['zendesk'] as string;
    expect(zendesk).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { users } = await getJson<{ users: SandboxUser[] }>(`${zendesk}/__sandbox/users`);
    const { tickets } = await getJson<{ tickets: SandboxTicket[] }>(`${zendesk}/__sandbox/tickets`);
    const agent = users.find((u) => u.email === 'agent@refund-desk.local');
    const manager = users.find((u) => u.email === 'manager@refund-desk.local');
    const ticket = tickets.find((t) => t.requester?.email === 'ada@example.com');
    if (!agent || !manager || !ticket) throw new Error('the Zendesk sandbox lacks the seeded agent, manager or ticket');

    const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${zendesk}/preview?ticket=${ticket.id}&user=${agent.id}`);
    const sidebar = page.frameLocator('#sidebar');

    // The agent: Ada's payment, eligible, then a partial goodwill refund (goodwill needs a lead or above).
    const payment = sidebar.locator('article[data-reference]').first();
    await payment.waitFor({ timeout: 60_000 });
    await expect.poll(() => sidebar.getByText(/^(un)?verified$/).count()).toBe(1);
    const reference = (await payment.getAttribute('data-reference')) as string;
    await payment.getByRole('button', { name: 'Request refund' }).click();
    await payment.getByText('Partial amount').click(); // Garden hides the input under its label
    await payment.getByLabel('Reason', { exact: true }).selectOption('goodwill');
    await payment.getByLabel('Note (optional)').fill('Browser test');
    await payment.getByLabel(/^Amount \(/).fill('25.00');
    // the frame grew with the form (ZAF resize): the submit button is inside it, nothing scrolled
    await expect.poll(() => submitFitsFrame(page), { timeout: 10_000 }).toBe(true);
    expect(await frameHeight(page)).toBeGreaterThan(320);
    await payment.getByRole('button', { name: 'Request refund' }).click();
    const caseItem = sidebar.locator('li[data-case-id]').first();
    await expect.poll(() => stateOf(sidebar), { timeout: 30_000 }).toBe('pending approval');
    expect(await caseItem.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await fitsWidth(page)).toBe(true);

    // The manager (switched in the preview's user menu) approves; the sidebar polls to the outcome.
    await Promise.all([
      page.waitForURL(`**user=${manager.id}**`),
      page.selectOption('#user-select', String(manager.id)),
    ]);
    await sidebar.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => stateOf(sidebar), { timeout: 60_000, interval: 500 }).toBe('succeeded');
    expect(await sidebar.getByText(/^Gateway refund /).count()).toBe(1);

    const gateway = sandboxes['stripe'] as string;
    const { refunds } = await getJson<{ refunds: Array<{ amount: unknown; status: string }> }>(
      `${gateway}/__sandbox/payments/${encodeURIComponent(reference)}/refunds`,
    );
    expect(refunds).toHaveLength(1);
    expect(JSON.stringify(refunds[0]?.amount)).toContain('2500');
    expect(await fitsWidth(page)).toBe(true);
    // The ticket pane (refreshed from the sandbox's Tickets API) tells the story the desk wrote back.
    await expect
      .poll(() => page.locator('#ticket-tags').textContent(), { timeout: 60_000 })
      .toContain('refund_processed');
    await page.screenshot({ path: artifactPath('zendesk-sidebar.png'), fullPage: true });

    // An agent Zendesk knows but Refund Desk does not: the same ticket, read-only.
    const staff = new Set(['agent', 'lead', 'manager', 'admin', 'auditor'].map((r) => `${r}@refund-desk.local`));
    const stranger = users.find((u) => u.role === 'agent' && !staff.has(u.email));
    if (!stranger) throw new Error('the Zendesk sandbox lacks an agent unknown to Refund Desk');
    await page.goto(`${zendesk}/preview?ticket=${ticket.id}&user=${stranger.id}`);
    await sidebar.getByText(/^View only/).waitFor({ timeout: 30_000 });
    expect(await sidebar.getByRole('button').count()).toBe(0);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
  test('the ticket pane tags a ticket refund_approved: the trigger fires and the sidebar shows the refund', async () => {
    const zendesk = sandboxes['zendesk'] as string;
    const { users } = await getJson<{ users: SandboxUser[] }>(`${zendesk}/__sandbox/users`);
    const { tickets } = await getJson<{ tickets: SandboxTicket[] }>(`${zendesk}/__sandbox/tickets`);
    const lead = users.find((u) => u.email === 'lead@refund-desk.local');
    const ticket = tickets.find((t) => t.requester?.email === 'grace@example.com');
    if (!lead || !ticket) throw new Error('the Zendesk sandbox lacks the seeded lead or ticket');

    const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
    await page.goto(`${zendesk}/preview?ticket=${ticket.id}&user=${lead.id}`);
    const sidebar = page.frameLocator('#sidebar');
    await sidebar.getByText('No refund cases on this ticket yet.').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Add tag refund_approved' }).click();
    await expect.poll(() => page.locator('#tag-result').textContent()).toContain('Tagged refund_approved');
    await expect
      .poll(() => page.locator('#ticket-tags').textContent(), { timeout: 60_000 })
      .toContain('refund_processed');
    // The sidebar opened before the case existed; the host's ticket.updated event brings it in.
    await expect.poll(() => stateOf(sidebar), { timeout: 30_000 }).toBe('succeeded');
    await page.close();
  });
});

/** The sidebar's frame (served by our server at the app's location URL after the signed-URL POST). */
function sidebarFrame(page: Page) {
  return page.frame({ url: /\/zendesk\/app\/[^/]+\/sidebar/ });
}

/** The form's submit button lies wholly inside the frame's viewport, which is not scrolled. */
async function submitFitsFrame(page: Page): Promise<boolean> {
  const frame = sidebarFrame(page);
  if (!frame) return false;
  // A string: this file is type-checked without the DOM library.
  const fits = await frame.evaluate(
    "(() => { const b = document.querySelector('form button[type=submit]'); if (!b) return false; const r = b.getBoundingClientRect(); return window.scrollY === 0 && r.top >= 0 && r.bottom <= window.innerHeight; })()",
  );
  return fits === true;
}

async function frameHeight(page: Page): Promise<number> {
  return (await page.locator('#sidebar').boundingBox())?.height ?? 0;
}

async function stateOf(sidebar: FrameLocator): Promise<string | null> {
  const tag = sidebar.locator('li[data-case-id] [data-testid="case-state"]').first();
  return (await tag.count()) === 0 ? null : tag.textContent();
}

/** Nothing in the sidebar frame (320 px) reaches past its right edge (overflow: hidden cannot mask this). */
async function fitsWidth(page: Page): Promise<boolean> {
  const frame = sidebarFrame(page);
  if (!frame) return false;
  // A string: this file is type-checked without the DOM library.
  const widest = await frame.evaluate(
    "Math.max(document.documentElement.scrollWidth, ...[...document.querySelectorAll('body *')].map((el) => el.getBoundingClientRect().right))",
  );
  const width = await frame.evaluate('document.documentElement.clientWidth');
  return typeof widest === 'number' && typeof width === 'number' && width <= 320 && widest <= width + 0.5;
}
