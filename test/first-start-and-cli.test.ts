import { afterAll, describe, expect, it } from 'vitest';
import { cleanupProcesses, makeTempDir, spawnNode, startServerProcess } from './support/processes.js';

const BOOTSTRAP = 'bootstrap-admin-token-for-tests-0001';

/** The staff table the first start prints: role → token. */
function printedTokens(lines: readonly string[]): Map<string, string> {
  const tokens = new Map<string, string>();
  for (const line of lines) {
    const match = /^\s+(agent|lead|manager|admin|auditor)\s+\S+@\S+\s+(\S+)$/.exec(line);
    if (match?.[1] && match[2]) tokens.set(match[1], match[2]);
  }
  return tokens;
}

async function cli(dataDir: string, ...args: string[]) {
  return spawnNode('server/src/cli/main.ts', { args, env: { DATA_DIR: dataDir, DATABASE_URL: undefined } }).waitForExit(
    60_000,
  );
}

describe('first start on the embedded database, and the admin CLI', () => {
  const dataDir = makeTempDir();
  afterAll(() => cleanupProcesses({ removeTempDirs: true }));

  it('prints one working token per role once, honours BOOTSTRAP_ADMIN_TOKEN, and prints nothing new on a second start', async () => {
    const first = await startServerProcess({
      dataDir,
      env: { BOOTSTRAP_ADMIN_TOKEN: BOOTSTRAP, DATABASE_URL: undefined },
    });
    await first.waitForLine((line) => line.includes('Staff API tokens'));
    const tokens = printedTokens(first.logs);
    expect([...tokens.keys()].sort()).toEqual(['admin', 'agent', 'auditor', 'lead', 'manager']);
    expect(tokens.get('admin')).toBe(BOOTSTRAP);
    const agentList = await fetch(`${first.url}/api/v1/refunds`, {
      headers: { authorization: `Bearer ${tokens.get('agent')}` },
    });
    expect(agentList.status).toBe(200);
    const created = await fetch(`${first.url}/api/v1/staff`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOOTSTRAP}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Nia Lead', email: 'nia@example.com', role: 'lead' }),
    });
    expect(created.status).toBe(201);
    await first.stop('SIGTERM');

    const second = await startServerProcess({ dataDir, env: { DATABASE_URL: undefined } });
    expect(printedTokens(second.logs).size).toBe(0);
    const again = await fetch(`${second.url}/api/v1/staff`, { headers: { authorization: `Bearer ${BOOTSTRAP}` } });
    expect(again.status).toBe(200);
    const staff = (await again.json()) as { staff: Array<{ email: string }> };
    expect(staff.staff.map((s) => s.email)).toContain('nia@example.com');
    await second.stop('SIGTERM');
  });

  it('creates organisations, staff and tokens from the CLI, and verifies the audit chains', async () => {
    const org = await cli(dataDir, 'org:create', '--slug', 'northside', '--name', 'Northside Clinic');
    expect(org.code, org.stderr).toBe(0);
    const staff = await cli(
      dataDir,
      'staff:create',
      '--org',
      'northside',
      '--name',
      'Sam',
      '--email',
      'sam@northside.example',
      '--role',
      'manager',
    );
    expect(staff.code, staff.stderr).toBe(0);
    const token = /token \(shown once\): (\S+)/.exec(staff.stdout)?.[1];
    expect(token).toMatch(/^rd_/);
    const second = await cli(dataDir, 'token:create', '--org', 'northside', '--email', 'sam@northside.example');
    expect(second.code).toBe(0);
    expect(/token \(shown once\): (\S+)/.exec(second.stdout)?.[1]).not.toBe(token);
    const clash = await cli(dataDir, 'org:create', '--slug', 'northside', '--name', 'Again');
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain('already exists');
    const badRole = await cli(
      dataDir,
      'staff:create',
      '--org',
      'northside',
      '--name',
      'X',
      '--email',
      'x@y.z',
      '--role',
      'boss',
    );
    expect(badRole.code).toBe(1);
    expect((await cli(dataDir, 'nonsense')).code).toBe(2);
    const verify = await cli(dataDir, 'audit:verify');
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toContain('org default: OK');

    const migrate = (...args: string[]) =>
      spawnNode('server/src/db/migrate-cli.ts', {
        args,
        env: { DATA_DIR: dataDir, DATABASE_URL: undefined },
      }).waitForExit(60_000);
    expect((await migrate('status')).stdout).toContain('schema is current');
    const down = await migrate('down');
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/^rolled back \d{14}_/m);
    expect((await migrate('status')).stdout).toMatch(/^pending: \d{14}_/m);
    const up = await migrate();
    expect(up.stdout).toMatch(/^applied \d{14}_/m);
    expect((await migrate('sideways')).code).toBe(2);

    const server = await startServerProcess({ dataDir, env: { DATABASE_URL: undefined } });
    const mine = await fetch(`${server.url}/api/v1/refunds`, { headers: { authorization: `Bearer ${token}` } });
    expect(mine.status).toBe(200);
    await server.stop('SIGTERM');
  });
});
