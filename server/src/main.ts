import fs from 'node:fs';
import path from 'node:path';
import { bootDesk, PortInUseError, type Role } from './boot.js';
import { ConfigError, loadConfig } from './config.js';
import { INTEGRATIONS } from './integrations/integrations.js';
import { createLogger } from './logger.js';
import { workerRegistrations } from './workers.js';

function parseRole(argv: readonly string[]): Role {
  const flag = argv.find((arg) => arg.startsWith('--role='));
  const role = flag?.slice('--role='.length) ?? 'all';
  if (role !== 'all' && role !== 'web' && role !== 'worker') {
    throw new ConfigError([{ variable: '--role', message: `must be all, web or worker (got "${role}")` }]);
  }
  return role;
}

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  let role: Role;
  try {
    config = loadConfig();
    role = parseRole(process.argv.slice(2));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: config.LOG_LEVEL });
  const started = performance.now();
  let desk: Awaited<ReturnType<typeof bootDesk>>;
  try {
    desk = await bootDesk({ config, role, logger, workers: workerRegistrations(), integrations: INTEGRATIONS });
  } catch (error) {
    if (error instanceof PortInUseError) {
      process.stderr.write(`refund-desk: ${error.message}\n`);
      process.exit(1);
    }
    logger.fatal({ err: error }, 'could not start');
    process.exit(1);
  }
  const database = config.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}`;
  logger.info(
    { role, url: desk.url, database, bootMs: Math.round(performance.now() - started) },
    `Refund Desk ${desk.url ? `listening on ${desk.url}` : 'worker running'} — database: ${database}`,
  );

  const width = Math.max(0, ...Object.keys(desk.sandboxes).map((vendor) => vendor.length));
  const sandboxLines = Object.entries(desk.sandboxes).map(([vendor, origin]) => `  ${vendor.padEnd(width)}  ${origin}`);
  if (sandboxLines.length > 0) {
    process.stdout.write(`Vendor sandboxes (also at ${desk.url ?? ''}/sandbox):\n${sandboxLines.join('\n')}\n`);
  }
  if (desk.firstStart?.created) printFirstStart(desk, config.DATABASE_URL ? undefined : config.dataDir);

  let signals = 0;
  const shutdown = (signal: string) => {
    signals++;
    if (signals > 1) process.exit(1);
    logger.info({ signal }, 'shutting down: finishing in-flight requests and jobs');
    desk.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** First start only: the staff tokens (shown once; also kept beside the embedded database for the demo). */
function printFirstStart(desk: Awaited<ReturnType<typeof bootDesk>>, dataDir: string | undefined): void {
  const tokens = desk.firstStart?.tokens ?? [];
  const lines = [
    '',
    'Refund Desk is ready. The default organisation was created with one staff member per role.',
    'Staff API tokens (shown once; send as "Authorization: Bearer <token>"):',
    ...tokens.map((t) => `  ${t.role.padEnd(8)} ${t.email.padEnd(28)} ${t.token}`),
    '',
    `  API docs:  ${desk.url}/docs`,
    `  Try:       curl -H "Authorization: Bearer ${tokens.find((t) => t.role === 'agent')?.token ?? '<token>'}" ${desk.url}/api/v1/refunds`,
    '',
  ];
  if (dataDir) {
    const file = path.join(dataDir, 'first-start-tokens.txt');
    fs.writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
    lines.push(`  (also written to ${file}; delete it once you have stored them)`, '');
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
