import type { Integration, IntegrationDeps } from '../integrations/integration.js';

/** SMS and email to customers, consent, delivery tracking, tracking page (issue 7). */
export async function createNotificationsIntegration(_deps: IntegrationDeps): Promise<Integration> {
  return { name: 'notifications', sandboxes: {} };
}
