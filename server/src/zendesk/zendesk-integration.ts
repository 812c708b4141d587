import type { Integration, IntegrationDeps } from '../integrations/integration.js';

/** Zendesk: sidebar API, signed webhook, ticket write-back, sandbox (issue 5). */
export async function createZendeskIntegration(_deps: IntegrationDeps): Promise<Integration> {
  return { name: 'zendesk', sandboxes: {} };
}
