import type { Kysely } from 'kysely';
import { type Clock, systemClock } from '../context.js';
import type { Database } from '../db/schema.js';
import { AppError } from '../errors/app-error.js';
import { GATEWAY_VENDORS, type GatewayVendor, isGatewayVendor } from '../gateways/gateway-credentials.js';
import type { GatewayRegistry } from '../gateways/gateway-registry.js';
import { type BackfillProgress, backfillPayments } from '../gateways/payment-backfill.js';
import { GatewayError } from '../ports/payment-gateway.js';

export interface BackfillCommand {
  /** `YYYY-MM-DD`: payments captured from the start of this day (UTC). */
  readonly since: string | undefined;
  /** One organisation's slug; every organisation when absent. */
  readonly org?: string | undefined;
  /** One gateway; every gateway when absent. */
  readonly gateway?: string | undefined;
}

export interface BackfillDeps {
  readonly db: Kysely<Database>;
  readonly registry: GatewayRegistry;
  readonly clock?: Clock | undefined;
  /** True for a vendor that runs as an in-process sandbox for this organisation: nothing to backfill there. */
  readonly isSandboxed?: ((orgSlug: string, vendor: GatewayVendor) => boolean) | undefined;
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
}

/**
 * `payments:backfill --since YYYY-MM-DD [--org slug] [--gateway stripe|paypal|square]`: records the
 * payments each organisation's connected gateways captured since the date (a desk installed after the
 * payments were taken), one line per page. Resumable and idempotent: run it again after an interruption
 * and it goes on where it stopped; a finished backfill is reported, not repeated. Exit code 1 when a
 * gateway failed (the others still run).
 */
export async function runPaymentsBackfill(
  deps: BackfillDeps,
  command: BackfillCommand,
  out: (line: string) => void,
): Promise<number> {
  const since = parseSince(command.since, (deps.clock ?? systemClock).now());
  if (command.gateway !== undefined && !isGatewayVendor(command.gateway)) {
    throw new AppError('invalid_request', `--gateway must be one of ${GATEWAY_VENDORS.join(', ')}`);
  }
  const vendors: readonly GatewayVendor[] = command.gateway ? [command.gateway] : GATEWAY_VENDORS;
  let orgs = deps.db.selectFrom('organisations').select(['id', 'slug']).orderBy('created_at');
  if (command.org !== undefined) orgs = orgs.where('slug', '=', command.org);
  const organisations = await orgs.execute();
  if (organisations.length === 0) {
    throw new AppError(
      'not_found',
      command.org === undefined
        ? 'no organisation yet: start the server once (npm start) or create one (org:create)'
        : `no organisation "${command.org}"`,
    );
  }
  const ctx = { db: deps.db, clock: deps.clock ?? systemClock };
  let failed = 0;
  out(`backfilling payments captured since ${since.toISOString().slice(0, 10)}`);
  for (const org of organisations) {
    for (const vendor of vendors) {
      const label = `${vendor} ${org.slug}`;
      if (deps.isSandboxed?.(org.slug, vendor)) {
        out(`${label}: a sandbox in this process (no credentials) — nothing to backfill`);
        continue;
      }
      try {
        const gateway = deps.registry.forPayment(org.id, vendor);
        const result = await backfillPayments(ctx, {
          orgId: org.id,
          gateway,
          since,
          onPage: (progress) => out(`${label}: page ${progress.pages} — ${describe(progress)}`),
          sleep: deps.sleep,
        });
        if (result.status === 'already_done') out(`${label}: already done earlier — ${describe(result)}`);
        else out(`${label}: done${result.resumed ? ' (resumed)' : ''} — ${describe(result)}`);
      } catch (error) {
        if (error instanceof AppError && error.code === 'not_found') {
          out(`${label}: not connected — skipped`);
          continue;
        }
        failed++;
        const reason =
          error instanceof GatewayError
            ? `${error.code}${error.options.vendorCode ? ` (${error.options.vendorCode})` : ''}`
            : error instanceof Error
              ? error.message
              : String(error);
        out(`${label}: stopped — ${reason}; run the same command again to resume where it stopped`);
      }
    }
  }
  return failed === 0 ? 0 : 1;
}

function describe(progress: BackfillProgress): string {
  return `${progress.seen} payments read, ${progress.recorded} new to the ledger, ${progress.refundsRecorded} refunds made at the gateway recorded`;
}

/** `YYYY-MM-DD` as the start of that day in UTC; not in the future. */
export function parseSince(value: string | undefined, now: Date): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value ?? '');
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  if (!date || date.toISOString().slice(0, 10) !== value) {
    throw new AppError('invalid_request', '--since must be a date, YYYY-MM-DD (e.g. --since 2026-01-01)');
  }
  if (date.getTime() > now.getTime()) throw new AppError('invalid_request', '--since must not be in the future');
  return date;
}
