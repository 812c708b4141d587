import type { WorkerRegistration } from './boot.js';
import { gatewayEventWorker } from './gateways/gateway-event-jobs.js';
import { gatewayReconcileWorker } from './gateways/gateway-reconcile.js';
import { refundWorkers } from './refunds/refund-workers.js';

/** Every job type this product runs, with its handler. */
export function workerRegistrations(): WorkerRegistration[] {
  return [...refundWorkers(), gatewayEventWorker(), gatewayReconcileWorker()];
}
