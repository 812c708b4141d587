import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrator.js';
import type { StaffRole } from '../db/schema.js';
import { AppError } from '../errors/app-error.js';
import { createGatewaySetup, isSandboxed } from '../gateways/gateway-setup.js';
import { createLogger } from '../logger.js';
import { createOrganisation, createStaff, findOrganisationBySlug, issueToken } from '../orgs/organisations.js';
import { STAFF_ROLES } from '../orgs/roles.js';
import { DEFAULT_ORG_SLUG } from '../orgs/seed.js';
import { runAuditVerify } from './audit-verify.js';
import { runPaymentsBackfill } from './payments-backfill.js';

const USAGE = `Refund Desk admin CLI

  npm run cli -- org:create --slug <slug> --name <name> [--timezone <tz>]
  npm run cli -- staff:create --org <slug> --name <name> --email <email> --role <${STAFF_ROLES.join('|')}>
  npm run cli -- token:create --org <slug> --email <email> [--label <label>]
  npm run cli -- audit:verify
  npm run cli -- payments:backfill --since <YYYY-MM-DD> [--org <slug>] [--gateway <stripe|paypal|square>]

Uses DATABASE_URL, or the embedded database in DATA_DIR (stop the server first: the embedded
database serves one process at a time).`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      slug: { type: 'string' },
      name: { type: 'string' },
      timezone: { type: 'string' },
      org: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      label: { type: 'string' },
      since: { type: 'string' },
      gateway: { type: 'string' },
    },
  });
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  const config = loadConfig();
  const database = await openDatabase(
    config.DATABASE_URL
      ? { backend: 'postgres', connectionString: config.DATABASE_URL }
      : { backend: 'pglite', dataDir: config.dataDir },
  );
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    await migrateToLatest(database.db);
    const orgOf = async (slug: string | undefined) => {
      const org = slug ? await findOrganisationBySlug(database.db, slug) : undefined;
      if (!org) throw new AppError('not_found', `no organisation "${slug ?? ''}"`);
      return org;
    };
    switch (command) {
      case 'org:create': {
        const org = await createOrganisation(database.db, {
          slug: required(values.slug, '--slug'),
          name: required(values.name, '--name'),
          ...(values.timezone ? { timezone: values.timezone } : {}),
        });
        out(`organisation ${org.slug} created (${org.id})`);
        return 0;
      }
      case 'staff:create': {
        const org = await orgOf(values.org);
        const role = required(values.role, '--role');
        if (!(STAFF_ROLES as readonly string[]).includes(role))
          throw new AppError('invalid_request', `--role must be one of ${STAFF_ROLES.join(', ')}`);
        const { staff, token } = await createStaff(database.db, {
          orgId: org.id,
          name: required(values.name, '--name'),
          email: required(values.email, '--email'),
          role: role as StaffRole,
        });
        out(`staff ${staff.email} (${staff.role}) created in ${org.slug}`);
        out(`token (shown once): ${token}`);
        return 0;
      }
      case 'token:create': {
        const org = await orgOf(values.org);
        const staff = await database.db
          .selectFrom('staff')
          .select(['id', 'org_id'])
          .where('org_id', '=', org.id)
          .where('email', '=', required(values.email, '--email').toLowerCase())
          .executeTakeFirst();
        if (!staff) throw new AppError('not_found', `no staff member ${values.email} in ${org.slug}`);
        out(`token (shown once): ${await issueToken(database.db, staff, values.label ?? 'cli')}`);
        return 0;
      }
      case 'audit:verify':
        return await runAuditVerify(database.db, out);
      case 'payments:backfill': {
        const setup = await createGatewaySetup(config, { db: database.db, logger: createLogger({ level: 'warn' }) });
        try {
          return await runPaymentsBackfill(
            {
              db: database.db,
              registry: setup.registry,
              isSandboxed: (slug, vendor) => slug === DEFAULT_ORG_SLUG && isSandboxed(config, vendor),
            },
            { since: values.since, org: values.org, gateway: values.gateway },
            out,
          );
        } finally {
          await setup.close();
        }
      }
      default:
        process.stderr.write(`unknown command "${command}"\n\n${USAGE}\n`);
        return 2;
    }
  } finally {
    await database.close();
  }
}

function required(value: string | undefined, flag: string): string {
  if (!value) throw new AppError('invalid_request', `${flag} is required`);
  return value;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof AppError || error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
