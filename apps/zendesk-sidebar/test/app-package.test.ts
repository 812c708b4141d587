import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { describe, expect, test } from 'vitest';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const readJson = (path: string) => JSON.parse(readFileSync(`${appDir}${path}`, 'utf8'));

interface Parameter {
  name: string;
  type: string;
  required?: boolean;
  secure?: boolean;
  default?: string;
}

/** ZAF v2 manifest fields as documented (developer.zendesk.com, "Manifest reference"). */
describe('manifest.json', () => {
  const manifest = readJson('manifest.json');

  test('has the required ZAF v2 fields', () => {
    expect(typeof manifest.name).toBe('string');
    expect(manifest.author).toEqual({
      name: expect.any(String),
      email: expect.stringMatching(/@/),
      url: expect.stringMatching(/^https:\/\//),
    });
    expect(manifest.defaultLocale).toBe('en');
    expect(manifest.frameworkVersion).toBe('2.0');
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(manifest.domainWhitelist).toEqual([expect.stringMatching(/^[a-z0-9.-]+$/)]);
  });

  // Manifest reference: `signedUrls` (top level) makes Zendesk POST a signed JWT (form field `token`)
  // to the location URL; a server-side app's location `url` is an absolute https URL of its server.
  test('the sidebar loads from our server with a signed URL', () => {
    expect(manifest.signedUrls).toBe(true);
    const url = new URL(manifest.location.support.ticket_sidebar.url);
    expect(url.protocol).toBe('https:');
    expect(url.pathname).toBe('/zendesk/app/default/sidebar');
    expect(manifest.domainWhitelist).toContain(url.host);
  });

  test('parameters: server URL, secure secrets, organisation slug', () => {
    const byName = new Map<string, Parameter>(manifest.parameters.map((p: Parameter) => [p.name, p]));
    expect(byName.get('server_url')).toMatchObject({ type: 'url', required: true });
    expect(byName.get('server_url')?.secure).toBeFalsy();
    // the sidebar no longer signs its own requests: Zendesk signs who the agent is
    expect(byName.has('shared_secret')).toBe(false);
    expect(byName.get('webhook_secret')).toMatchObject({ type: 'text', secure: true, required: true });
    expect(byName.get('org_slug')).toMatchObject({ type: 'text', default: 'default' });
    for (const parameter of byName.values()) {
      expect(['text', 'password', 'checkbox', 'url', 'number', 'multiline', 'hidden']).toContain(parameter.type);
      // A secret with a default would ship the same secret to every installation.
      if (parameter.secure) expect(parameter.default).toBeUndefined();
    }
  });
});

describe('translations/en.json', () => {
  const { app } = readJson('translations/en.json');
  const manifest = readJson('manifest.json');

  test('names and describes the app', () => {
    expect(app.name).toBe(manifest.name);
    for (const key of ['short_description', 'long_description', 'installation_instructions']) {
      expect(app[key]).toEqual(expect.stringMatching(/\S{3}/));
    }
  });

  test('every parameter has a label and help text, and no translation is orphaned', () => {
    const names = manifest.parameters.map((p: Parameter) => p.name).sort();
    expect(Object.keys(app.parameters).sort()).toEqual(names);
    for (const name of names) {
      expect(app.parameters[name].label).toEqual(expect.stringMatching(/\S/));
      expect(app.parameters[name].helpText).toEqual(expect.stringMatching(/\S/));
    }
  });
});

describe('requirements.json', () => {
  const requirements = readJson('requirements.json');
  const manifest = readJson('manifest.json');
  const settings = new Set(manifest.parameters.map((p: Parameter) => p.name));

  test('creates a signed webhook for triggers at our webhook URL', () => {
    const [[key, webhook]] = Object.entries(requirements.webhooks) as [[string, Record<string, unknown>]];
    expect(webhook).toMatchObject({
      endpoint: '{{setting.server_url}}/webhooks/zendesk/{{setting.org_slug}}',
      http_method: 'POST',
      request_format: 'json',
      status: 'active',
      subscriptions: ['conditional_ticket_events'],
      signing_secret: { algorithm: 'SHA256', secret: '{{setting.webhook_secret}}' },
    });
    expect(typeof webhook['name']).toBe('string');
    // Every setting placeholder names a real parameter.
    for (const [, name] of JSON.stringify(requirements).matchAll(/\{\{setting\.(\w+)\}\}/g)) {
      expect(settings.has(name)).toBe(true);
    }
    const trigger = requirements.triggers['refund_approved_trigger'] as {
      all: unknown[];
      actions: Array<{ field: string; value: [string, string] }>;
    };
    expect(trigger.actions[0]?.value[0]).toBe(key);
  });

  // Conditions and actions as Zendesk's Conditions/Actions references define them: `current_tags`
  // `includes`/`not_includes` (at least one / none of the listed tags), actions `notification_webhook`
  // [webhook, body], `current_tags` (add tags) and `remove_tags`.
  test('the refund_approved trigger fires when the tag is added, not on every update while it is present', () => {
    const triggers = requirements.triggers as Record<
      string,
      { title: string; all: unknown[]; any: unknown[]; actions: Array<{ field: string; value: unknown }> }
    >;
    expect(Object.keys(triggers).sort()).toEqual(['refund_approved_rearm_trigger', 'refund_approved_trigger']);
    const notify = triggers['refund_approved_trigger'];
    expect(notify?.all).toEqual([
      { field: 'current_tags', operator: 'includes', value: 'refund_approved' },
      { field: 'current_tags', operator: 'not_includes', value: 'refund_desk_notified' },
      { field: 'current_tags', operator: 'not_includes', value: 'refund_processed' },
    ]);
    expect(notify?.any).toEqual([]);
    // it notifies once and marks the ticket, so the next update (a customer's reply) no longer matches
    expect(notify?.actions.map((a) => a.field)).toEqual(['notification_webhook', 'current_tags']);
    expect(notify?.actions[1]?.value).toBe('refund_desk_notified');
    expect(JSON.parse((notify?.actions[0]?.value as [string, string])[1])).toEqual({
      ticket_id: '{{ticket.id}}',
      requester_email: '{{ticket.requester.email}}',
      current_user_id: '{{current_user.id}}',
      current_user_email: '{{current_user.email}}',
    });
    // taking refund_approved off re-arms it: adding the tag again is a new request
    const rearm = triggers['refund_approved_rearm_trigger'];
    expect(rearm?.all).toEqual([
      { field: 'current_tags', operator: 'not_includes', value: 'refund_approved' },
      { field: 'current_tags', operator: 'includes', value: 'refund_desk_notified' },
    ]);
    expect(rearm?.actions).toEqual([{ field: 'remove_tags', value: 'refund_desk_notified' }]);
  });
});

describe('logos', () => {
  test.each([
    ['assets/logo.png', 320],
    ['assets/logo-small.png', 128],
  ])('%s is a %i px square PNG', (path, size) => {
    const png = readFileSync(`${appDir}${path}`);
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
  });

  test('assets/logo.svg is an SVG', () => {
    expect(readFileSync(`${appDir}assets/logo.svg`, 'utf8')).toMatch(
      /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/,
    );
  });
});

describe('npm run package', () => {
  test('zips manifest, requirements, translations and logos; the location URL points at the server', () => {
    // A build of its own: the shared dist/ may be serving a preview meanwhile.
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'zendesk-sidebar-package-'));
    const zipPath = path.join(scratch, 'app.zip');
    let entries: Record<string, Uint8Array>;
    try {
      execFileSync(
        process.execPath,
        [
          'scripts/package.mjs',
          '--rebuild',
          '--dist',
          path.join(scratch, 'dist'),
          '--zip',
          zipPath,
          '--domain',
          'refunds.acme.test',
          '--org',
          'acme',
        ],
        { cwd: appDir, stdio: 'pipe' },
      );
      entries = unzipSync(new Uint8Array(readFileSync(zipPath)));
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    const names = Object.keys(entries).sort();
    expect(names).toEqual(
      expect.arrayContaining([
        'manifest.json',
        'requirements.json',
        'translations/en.json',
        'assets/logo.png',
        'assets/logo-small.png',
        'assets/logo.svg',
      ]),
    );
    // the page is not packaged: Zendesk loads it from our server, signed for the agent
    expect(names.filter((n) => /\.(html|js)$/.test(n))).toEqual([]);
    expect(names.filter((n) => !/^(manifest\.json|requirements\.json|translations\/|assets\/)/.test(n))).toEqual([]);
    const manifest = JSON.parse(new TextDecoder().decode(entries['manifest.json']));
    expect(manifest.location.support.ticket_sidebar.url).toBe('https://refunds.acme.test/zendesk/app/acme/sidebar');
    expect(manifest.signedUrls).toBe(true);
    expect(manifest.domainWhitelist).toEqual(['refunds.acme.test']);
  }, 120_000);
});
