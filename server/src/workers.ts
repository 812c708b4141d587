import type { WorkerRegistration } from './boot.js';
import { refundWorkers } from './refunds/refund-workers.js';

/** Every job type this product runs, with its handler. */
export function workerRegistrations(): WorkerRegistration[] {
  return [...refundWorkers()];
}
