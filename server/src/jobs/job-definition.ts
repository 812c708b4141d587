import type { z } from 'zod';

/** How a queue retries, expires and where its dead letters go. */
export interface JobPolicy {
  readonly retryLimit: number;
  readonly retryDelaySeconds: number;
  /** Exponential backoff between retries (delay doubles each time, with jitter). */
  readonly retryBackoff: boolean;
  /** A running job not finished by then counts as failed (and is retried). */
  readonly expireInSeconds: number;
}

/** A job type: a dotted id and the zod schema of its payload. Handlers live apart, in each area. */
export interface JobDefinition<T> {
  readonly id: string;
  readonly schema: z.ZodType<T>;
  readonly policy: JobPolicy;
}

export const DEFAULT_JOB_POLICY: JobPolicy = Object.freeze({
  retryLimit: 8,
  retryDelaySeconds: 2,
  retryBackoff: true,
  expireInSeconds: 15 * 60,
});

export function defineJob<T>(id: string, schema: z.ZodType<T>, policy: Partial<JobPolicy> = {}): JobDefinition<T> {
  if (!/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/.test(id))
    throw new Error(`job id "${id}" must be dotted lower-case words`);
  return Object.freeze({ id, schema, policy: Object.freeze({ ...DEFAULT_JOB_POLICY, ...policy }) });
}

/** Name of the queue where a job lands after its last retry. */
export function deadLetterQueueOf(id: string): string {
  return `${id}.dead`;
}

/**
 * Thrown by a handler that is not failing but must wait (an earlier step has not happened yet):
 * the job retries per its policy like any failure, but the queue logs it quietly, without a stack.
 */
export class RetryLater extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryLater';
  }
}
