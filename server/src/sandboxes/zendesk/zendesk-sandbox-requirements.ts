import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { APP_DIR } from './zendesk-sandbox-preview.js';
import { parseTriggers, type SandboxTrigger } from './zendesk-sandbox-triggers.js';

const requirementsSchema = z.object({
  webhooks: z.record(z.string(), z.object({ endpoint: z.string() })).default({}),
  triggers: z.record(z.string(), z.unknown()).default({}),
});

/**
 * What installing the app creates in Zendesk, read from the app's own `requirements.json`: the
 * triggers the sandbox then runs (so the sandbox runs exactly the trigger a real install gets) and
 * the keys of the webhooks they notify (all of them point at our server).
 */
export function installAppRequirements(file = path.join(APP_DIR, 'requirements.json')): {
  readonly triggers: SandboxTrigger[];
  readonly webhookKeys: readonly string[];
} {
  const requirements = requirementsSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  return {
    triggers: parseTriggers(Object.values(requirements.triggers)),
    webhookKeys: Object.keys(requirements.webhooks),
  };
}
