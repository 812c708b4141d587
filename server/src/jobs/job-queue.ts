import PgBoss from 'pg-boss';
import type { ExecuteSql } from '../db/database.js';
import type { Logger } from '../logger.js';
import { deadLetterQueueOf, type JobDefinition, RetryLater } from './job-definition.js';

export type JobHandler<T> = (payload: T, job: { readonly id: string; readonly retryCount: number }) => Promise<void>;

export interface SendOptions {
  /** Enqueue inside this transaction (see executeSqlIn): the job exists only if the transaction commits. */
  readonly executeSql?: ExecuteSql;
  readonly startAfterSeconds?: number;
  /** Drops the send if a job with this key is already queued or running. */
  readonly singletonKey?: string;
}

/**
 * Durable jobs on pg-boss 10, over whatever executeSql the database offers (a pooled
 * connection, or the embedded database's mutex), so both backends behave the same.
 */
export class JobQueue {
  readonly #boss: PgBoss;
  readonly #definitions = new Map<string, JobDefinition<unknown>>();
  #started = false;
  #stopped = false;
  #inFlight = 0;

  constructor(
    private readonly executeSql: ExecuteSql,
    private readonly logger: Logger,
    options: { readonly runMaintenance: boolean },
  ) {
    this.#boss = new PgBoss({
      // pg-boss does not await its complete/fail calls: one made by a job that outlived stop() would
      // reach a closed database as an unhandled rejection. After stop() its calls touch nothing and
      // answer "no result" (pg-boss then counts 0 rows); the job stays active, expires and is
      // retried (at least once, as every job must be).
      db: {
        executeSql: (text: string, values?: unknown[]) =>
          this.#stopped ? Promise.resolve(null) : executeSql(text, values),
      },
      supervise: options.runMaintenance,
      schedule: options.runMaintenance,
      migrate: true,
    } as unknown as PgBoss.ConstructorOptions);
    this.#boss.on('error', (error: Error) => this.logger.error({ err: error }, 'job queue error'));
  }

  get isStarted(): boolean {
    return this.#started;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Installs or upgrades pg-boss's schema and creates the queues (and their dead-letter queues). */
  async start(
    definitions: ReadonlyArray<JobDefinition<unknown>>,
    options: { readonly serialize?: <T>(work: () => Promise<T>) => Promise<T> } = {},
  ): Promise<void> {
    // pg-boss creates its schema and our queues check-then-create: processes starting together must take turns
    const serialize = options.serialize ?? (<T>(work: () => Promise<T>) => work());
    await serialize(() => this.#install(definitions));
    this.#started = true;
  }

  async #install(definitions: ReadonlyArray<JobDefinition<unknown>>): Promise<void> {
    await this.#boss.start();
    for (const definition of definitions) {
      this.#definitions.set(definition.id, definition);
      const dead = deadLetterQueueOf(definition.id);
      await this.#ensureQueue(dead, { retryLimit: 0 });
      await this.#ensureQueue(definition.id, {
        retryLimit: definition.policy.retryLimit,
        retryDelay: definition.policy.retryDelaySeconds,
        retryBackoff: definition.policy.retryBackoff,
        expireInSeconds: definition.policy.expireInSeconds,
        deadLetter: dead,
      });
    }
  }

  async #ensureQueue(name: string, options: Omit<PgBoss.Queue, 'name'>): Promise<void> {
    const existing = await this.#boss.getQueue(name);
    if (existing) await this.#boss.updateQueue(name, { name, ...options });
    else await this.#boss.createQueue(name, { name, ...options });
  }

  /** Enqueues a validated payload; returns the job id (null when a singleton already exists). */
  async send<T>(definition: JobDefinition<T>, payload: T, options: SendOptions = {}): Promise<string | null> {
    const data = definition.schema.parse(payload);
    const sendOptions: PgBoss.SendOptions & { db?: { executeSql: ExecuteSql } } = {
      ...(options.executeSql ? { db: { executeSql: options.executeSql } } : {}),
      ...(options.startAfterSeconds ? { startAfter: options.startAfterSeconds } : {}),
      ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
    };
    return this.#boss.send(definition.id, data as object, sendOptions);
  }

  /** Runs a handler for a job type in this process. A thrown error retries the job per its policy. */
  async work<T>(
    definition: JobDefinition<T>,
    handler: JobHandler<T>,
    options: { readonly pollingIntervalSeconds?: number; readonly concurrency?: number } = {},
  ): Promise<void> {
    for (let i = 0; i < (options.concurrency ?? 2); i++) {
      let workerId: string | undefined;
      workerId = await this.#boss.work<object>(
        definition.id,
        { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1 },
        async (jobs) => {
          for (const job of jobs) await this.#run(definition, handler, job);
          // there was work: fetch again at once instead of sleeping a polling interval (drains a backlog)
          if (workerId) this.#boss.notifyWorker(workerId);
        },
      );
    }
  }

  async #run<T>(definition: JobDefinition<T>, handler: JobHandler<T>, job: PgBoss.Job<object>): Promise<void> {
    this.#inFlight++;
    try {
      const payload = definition.schema.parse(job.data);
      await handler(payload, { id: job.id, retryCount: (job as { retryCount?: number }).retryCount ?? 0 });
    } catch (error) {
      if (error instanceof RetryLater) {
        this.logger.debug({ job: definition.id, jobId: job.id, reason: error.message }, 'job waits; it will run again');
      } else {
        this.logger.warn(
          { err: error, job: definition.id, jobId: job.id },
          'job failed; it will be retried per its policy',
        );
      }
      throw error;
    } finally {
      this.#inFlight--;
    }
  }

  /** Sends the job on a cron schedule (pg-boss keeps one schedule per queue across processes). */
  async schedule<T>(definition: JobDefinition<T>, cron: string, payload?: T): Promise<void> {
    await this.#boss.schedule(definition.id, cron, (payload ?? {}) as object, { tz: 'UTC' });
  }

  /** Counts jobs by queue and state (for /metrics). */
  async countByQueueAndState(): Promise<Array<{ queue: string; state: string; count: number }>> {
    const result = await this.executeSql(
      'select name as queue, state::text as state, count(*)::int as count from pgboss.job group by name, state',
      [],
    );
    return result.rows as Array<{ queue: string; state: string; count: number }>;
  }

  /** Stops fetching, lets running jobs finish up to the deadline, then stops. */
  async stop(timeoutMs: number): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    await this.#boss.stop({ graceful: true, timeout: Math.max(timeoutMs, 1000), close: false, wait: true });
    this.#stopped = true;
  }
}
