import { readdirSync } from 'node:fs';
import net from 'node:net';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../server/src/db/database.js';
import { MIGRATIONS_FOLDER } from '../server/src/db/migrator.js';
import { createPostgresDatabase } from './support/databases.js';
import {
  cleanupProcesses,
  type ExitResult,
  makeTempDir,
  runServerToExit,
  type ServerProcess,
  startServerProcess,
} from './support/processes.js';

const onPostgres = Boolean(process.env['DATABASE_URL']);
const BACKENDS = onPostgres ? (['pglite', 'postgres'] as const) : (['pglite'] as const);

/** Every migration the repository ships, by the name Kysely records. */
const MIGRATION_NAMES = readdirSync(MIGRATIONS_FOLDER)
  .filter((file) => /^\d{14}_[a-z0-9_]+\.(ts|js)$/.test(file))
  .map((file) => file.replace(/\.(ts|js)$/, ''))
  .sort();

/** Where one suite's server keeps its data: a PGlite folder or a fresh PostgreSQL database. */
interface Target {
  readonly env: Record<string, string>;
  readonly dataDir?: string;
  appliedMigrations(): Promise<string[]>;
  drop(): Promise<void>;
}

async function createTarget(backend: 'pglite' | 'postgres'): Promise<Target> {
  if (backend === 'pglite') {
    const dataDir = makeTempDir('refund-desk-boot-');
    return {
      env: {},
      dataDir,
      appliedMigrations: () => readMigrations(openDatabase({ backend: 'pglite', dataDir })),
      drop: async () => undefined,
    };
  }
  const { connectionString, drop } = await createPostgresDatabase();
  return {
    env: { DATABASE_URL: connectionString },
    appliedMigrations: () => readMigrations(openDatabase({ backend: 'postgres', connectionString, poolSize: 1 })),
    drop,
  };
}

async function readMigrations(opening: ReturnType<typeof openDatabase>): Promise<string[]> {
  const database = await opening;
  try {
    const result = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(database.db);
    return result.rows.map((row) => row.name);
  } finally {
    await database.close();
  }
}

function stderrLinesOf(result: ExitResult): string[] {
  return result.stderr.split('\n').filter((line) => line.trim() !== '');
}

const NO_STACK = /^\s+at /m;

// Several real boots per test; a loaded CI machine needs far more than the default minute.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

afterAll(async () => {
  await cleanupProcesses();
});

describe.each(BACKENDS)('server process on %s', (backend) => {
  let target: Target;

  beforeAll(async () => {
    target = await createTarget(backend);
  });

  afterAll(async () => {
    await cleanupProcesses();
    await target?.drop();
  });

  describe('a running server', () => {
    let server: ServerProcess;

    beforeAll(async () => {
      server = await startServerProcess({ env: target.env, ...(target.dataDir ? { dataDir: target.dataDir } : {}) });
    });

    afterAll(async () => {
      await server?.stop('SIGKILL');
    });

    it('announces its URL on loopback and answers /healthz, /readyz and /metrics', async () => {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.ready['role']).toBe('all');

      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });

      const ready = await fetch(`${server.url}/readyz`);
      const body = (await ready.json()) as { status: string; checks: Record<string, { ok: boolean }> };
      expect(ready.status, JSON.stringify(body)).toBe(200);
      expect(body.status).toBe('ready');
      expect(body.checks['database']?.ok).toBe(true);
      expect(body.checks['migrations']?.ok).toBe(true);
      expect(body.checks['queue']?.ok).toBe(true);

      const metrics = await fetch(`${server.url}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toContain('text/plain');
      const text = await metrics.text();
      expect(text).toContain('http_request_duration_seconds');
      expect(text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/healthz"[^}]*\} 1/);
    });

    it('exits 0 on SIGTERM after logging that it is shutting down', async () => {
      const result = await server.stop('SIGTERM');
      expect(result.code, result.stderr).toBe(0);
      expect(server.entries().some((entry) => entry.msg?.startsWith('shutting down'))).toBe(true);
      expect(result.stderr.trim()).toBe('');
    });
  });

  it('keeps its data through SIGKILL and is ready again on the same data', async () => {
    const first = await startServerProcess({ env: target.env, ...(target.dataDir ? { dataDir: target.dataDir } : {}) });
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
    const killed = await first.stop('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');

    const second = await startServerProcess({
      env: target.env,
      ...(target.dataDir ? { dataDir: target.dataDir } : {}),
    });
    const ready = await fetch(`${second.url}/readyz`);
    expect(ready.status, await ready.clone().text()).toBe(200);
    const stopped = await second.stop('SIGTERM');
    expect(stopped.code, stopped.stderr).toBe(0);

    // The child has exited, so the embedded data folder can be opened here.
    expect(await target.appliedMigrations()).toEqual(MIGRATION_NAMES);
  });

  it('exits 1 with one line, no stack trace, when the port is in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve, reject) => {
      blocker.once('error', reject);
      blocker.listen(0, '127.0.0.1', () => resolve());
    });
    try {
      const port = (blocker.address() as net.AddressInfo).port;
      const result = await runServerToExit({
        env: { ...target.env, PORT: String(port), HOST: '127.0.0.1' },
        ...(target.dataDir ? { dataDir: target.dataDir } : {}),
      });
      expect(result.code, result.stderr).toBe(1);
      const lines = stderrLinesOf(result);
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toContain('already in use');
      expect(lines[0]).toContain(String(port));
      expect(result.stderr).not.toMatch(NO_STACK);
      expect(result.stdout).not.toMatch(NO_STACK);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe('configuration errors', () => {
  afterEach(async () => {
    await cleanupProcesses();
  });

  it('exits 1 naming every bad variable', async () => {
    const result = await runServerToExit({ env: { PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).toContain('DATABASE_URL');
    expect(result.stderr).toContain('LOG_LEVEL');
    expect(result.stderr).not.toMatch(NO_STACK);
    // Nothing was started: no log lines at all.
    expect(result.stdout.trim()).toBe('');
  });

  it('exits 1 with a clear line for an unknown --role', async () => {
    const result = await runServerToExit({ args: ['--role=banana'] });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--role.*banana/);
    expect(result.stderr).not.toMatch(NO_STACK);
  });
});

// defined only where PostgreSQL is available: web and worker processes need a shared server
if (onPostgres) {
  describe('web and worker roles on one PostgreSQL database', () => {
    afterAll(async () => {
      await cleanupProcesses();
    });

    async function checkPair(web: ServerProcess, worker: ServerProcess, connectionString: string): Promise<void> {
      expect(web.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(web.ready['role']).toBe('web');
      expect(worker.url).toBeUndefined();
      expect(worker.ready['role']).toBe('worker');
      expect(worker.ready.msg).toContain('worker running');

      const ready = await fetch(`${web.url}/readyz`);
      expect(ready.status, await ready.clone().text()).toBe(200);

      const [webExit, workerExit] = await Promise.all([web.stop('SIGTERM'), worker.stop('SIGTERM')]);
      expect(webExit.code, webExit.stderr).toBe(0);
      expect(workerExit.code, workerExit.stderr).toBe(0);
      for (const proc of [web, worker]) {
        const errors = proc.entries().filter((entry) => (entry.level ?? 0) >= 50);
        expect(errors).toEqual([]);
      }
      expect(await readMigrations(openDatabase({ backend: 'postgres', connectionString, poolSize: 1 }))).toEqual(
        MIGRATION_NAMES,
      );
    }

    it('runs a web process, then a worker process, on one database', async () => {
      const database = await createPostgresDatabase();
      try {
        const env = { DATABASE_URL: database.connectionString };
        const web = await startServerProcess({ env, args: ['--role=web'] });
        const worker = await startServerProcess({ env, args: ['--role=worker'] });
        await checkPair(web, worker, database.connectionString);
      } finally {
        await cleanupProcesses();
        await database.drop();
      }
    });

    it('starts a web process and a worker process at the same moment on a fresh database', async () => {
      // Both migrate and install the queue at once (e.g. `docker compose up` with two services).
      const database = await createPostgresDatabase();
      try {
        const env = { DATABASE_URL: database.connectionString };
        const [web, worker] = await Promise.all([
          startServerProcess({ env, args: ['--role=web'] }),
          startServerProcess({ env, args: ['--role=worker'] }),
        ]);
        await checkPair(web, worker, database.connectionString);
      } finally {
        await cleanupProcesses();
        await database.drop();
      }
    });
  });
}
