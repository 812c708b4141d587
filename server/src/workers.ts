import type { WorkerRegistration } from './boot.js';

/** Every job type this product runs, with its handler. */
export function workerRegistrations(): WorkerRegistration[] {
  return [];
}
