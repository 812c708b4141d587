import type { Integration, IntegrationDeps } from '../integrations/integration.js';

/** Slack and Teams approvals, escalation, sandboxes (issue 6). */
export async function createSlackIntegration(_deps: IntegrationDeps): Promise<Integration> {
  return { name: 'slack', sandboxes: {} };
}
