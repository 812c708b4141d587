/**
 * Case events: what happened to a refund case, read from the audit chain.
 *
 * Every state change of a case already writes an audit event in the same transaction, and an
 * organisation's chain has a gapless `seq` in commit order (appends are serialised by the chain
 * lock until commit). So the chain is the outbox: each consumer (Zendesk write-back, Slack cards,
 * customer notifications…) keeps a cursor per organisation in `event_cursors` and reads forward.
 *
 * A consumer's `handle` runs inside the transaction that advances its cursor: it should only
 * record or enqueue (jobs with `executeSqlIn(trx)`), so an event is handed over exactly once per
 * consumer — slow or failing work belongs in the job, with its retries. When `handle` throws, the
 * batch rolls back and is offered again on the next pass (the error is logged).
 */
import { type Kysely, sql } from 'kysely';
import type { AuditActor } from '../audit/audit-log.js';
import type { AppContext } from '../context.js';
import type { Database } from '../db/schema.js';
import type { CaseState } from '../refunds/case-states.js';

export interface CaseEvent {
  readonly orgId: string;
  readonly caseId: string;
  /** Position in the organisation's audit chain. */
  readonly seq: number;
  /** The audit action, e.g. `case.routed_for_approval`, `case.approved`, `case.succeeded`. */
  readonly action: string;
  /** For state changes: the states either side (absent for events that are not transitions). */
  readonly from?: CaseState | undefined;
  readonly to?: CaseState | undefined;
  readonly actor: AuditActor;
  /** The audited data, as stored (no secrets, no card numbers). */
  readonly data: Readonly<Record<string, unknown>>;
  readonly at: Date;
}

export interface CaseEventConsumer {
  /** Stable name: the cursor's key. Renaming it replays the history to the consumer. */
  readonly name: string;
  /** Which actions it wants; others only move its cursor. Default: every case event. */
  wants?(event: CaseEvent): boolean;
  /** Record or enqueue, in `trx` (see the module comment). */
  handle(trx: Kysely<Database>, event: CaseEvent, ctx: AppContext): Promise<void>;
}

const BATCH = 200;

/**
 * One pass: for each consumer and organisation with unread events, hands over up to `BATCH` events
 * and advances the cursor. Returns the number of events handed over. Safe to run from several
 * processes at once (a cursor row is locked with SKIP LOCKED).
 */
export async function dispatchCaseEvents(
  ctx: AppContext,
  consumers: ReadonlyArray<CaseEventConsumer>,
): Promise<number> {
  let total = 0;
  for (const consumer of consumers) {
    const behind = await sql<{ org_id: string }>`
      select o.id as org_id from organisations o
      left join event_cursors c on c.org_id = o.id and c.consumer = ${consumer.name}
      where exists (
        select 1 from audit_events a
        where a.org_id = o.id and a.seq > coalesce(c.last_seq, 0) and a.case_id is not null)`.execute(ctx.db);
    for (const { org_id: orgId } of behind.rows) {
      try {
        total += await dispatchBatch(ctx, consumer, orgId);
      } catch (error) {
        ctx.logger.error({ err: error, consumer: consumer.name, orgId }, 'case event consumer failed; will retry');
      }
    }
  }
  return total;
}

async function dispatchBatch(ctx: AppContext, consumer: CaseEventConsumer, orgId: string): Promise<number> {
  return ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('event_cursors')
      .values({ consumer: consumer.name, org_id: orgId, last_seq: 0 })
      .onConflict((oc) => oc.columns(['consumer', 'org_id']).doNothing())
      .execute();
    const cursor = await sql<{ last_seq: string | number }>`
      select last_seq from event_cursors where consumer = ${consumer.name} and org_id = ${orgId}
      for update skip locked`.execute(trx);
    const row = cursor.rows[0];
    if (!row) return 0; // another process is on it
    const events = await trx
      .selectFrom('audit_events')
      .select(['seq', 'case_id', 'actor_type', 'actor_id', 'action', 'data', 'created_at'])
      .where('org_id', '=', orgId)
      .where('seq', '>', Number(row.last_seq))
      .orderBy('seq', 'asc')
      .limit(BATCH)
      .execute();
    const last = events.at(-1);
    if (!last) return 0;
    let handed = 0;
    for (const stored of events) {
      if (stored.case_id === null) continue;
      const event = toCaseEvent(orgId, stored);
      if (consumer.wants && !consumer.wants(event)) continue;
      await consumer.handle(trx, event, ctx);
      handed += 1;
    }
    await trx
      .updateTable('event_cursors')
      .set({ last_seq: Number(last.seq), updated_at: new Date() })
      .where('consumer', '=', consumer.name)
      .where('org_id', '=', orgId)
      .execute();
    return handed;
  });
}

function toCaseEvent(
  orgId: string,
  stored: {
    seq: number;
    case_id: string | null;
    actor_type: string;
    actor_id: string | null;
    action: string;
    data: Record<string, unknown>;
    created_at: Date;
  },
): CaseEvent {
  const data = stored.data ?? {};
  const state = (value: unknown) => (typeof value === 'string' ? (value as CaseState) : undefined);
  return {
    orgId,
    caseId: stored.case_id as string,
    seq: Number(stored.seq),
    action: stored.action,
    from: state(data['from']),
    to: state(data['to']),
    actor: { type: stored.actor_type as AuditActor['type'], id: stored.actor_id },
    data,
    at: new Date(stored.created_at),
  };
}

export interface CaseEventDispatcher {
  /** Runs a pass soon (coalesced with one already pending). */
  kick(): void;
  /** Resolves after a full pass that started after this call. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/** Polls every `intervalMs` (and on `kick`), one pass at a time. */
export function startCaseEventDispatcher(
  ctx: AppContext,
  consumers: ReadonlyArray<CaseEventConsumer>,
  options: { readonly intervalMs?: number } = {},
): CaseEventDispatcher {
  const intervalMs = options.intervalMs ?? 250;
  let stopped = false;
  // Passes run one after another; calls made before the queued pass starts share it.
  let chain: Promise<void> = Promise.resolve();
  let queued: Promise<void> | undefined;
  const pass = (): Promise<void> => {
    queued ??= chain = chain.then(async () => {
      queued = undefined;
      if (stopped) return;
      try {
        await dispatchCaseEvents(ctx, consumers);
      } catch (error) {
        ctx.logger.error({ err: error }, 'case event dispatch failed');
      }
    });
    return queued;
  };
  const timer = setInterval(() => {
    if (!stopped) void pass();
  }, intervalMs);
  timer.unref();
  return {
    kick: () => {
      if (!stopped) void pass();
    },
    flush: () => pass(),
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await chain;
    },
  };
}
