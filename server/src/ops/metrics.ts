import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The process's Prometheus metrics; one registry per app so tests can run several apps. */
export interface Metrics {
  readonly registry: Registry;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly jobsProcessed: Counter<'queue' | 'outcome'>;
  /** Seconds from a case waiting for approval to its decision, by outcome. */
  readonly approvalDecision: Histogram<'outcome'>;
}

export function createMetrics(options: {
  readonly countJobs?: () => Promise<Array<{ queue: string; state: string; count: number }>>;
}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const jobsProcessed = new Counter({
    name: 'jobs_processed_total',
    help: 'Jobs handled by this process, by queue and outcome',
    labelNames: ['queue', 'outcome'] as const,
    registers: [registry],
  });
  const approvalDecision = new Histogram({
    name: 'refund_approval_decision_seconds',
    help: 'Seconds from a refund case waiting for approval to its decision, by outcome',
    labelNames: ['outcome'] as const,
    buckets: [60, 300, 900, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 72 * 3600, 7 * 86400, 14 * 86400],
    registers: [registry],
  });
  const countJobs = options.countJobs;
  new Gauge({
    name: 'jobs',
    help: 'Jobs in the durable queue by queue and state',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      if (!countJobs) return;
      this.reset();
      try {
        for (const row of await countJobs()) this.set({ queue: row.queue, state: row.state }, row.count);
      } catch {
        // the queue is not ready; leave the gauge empty rather than failing the scrape
      }
    },
  });
  return { registry, httpDuration, jobsProcessed, approvalDecision };
}
