import { createNotificationsIntegration } from '../notifications/notifications-integration.js';
import { createSlackIntegration } from '../slack/slack-integration.js';
import { createZendeskIntegration } from '../zendesk/zendesk-integration.js';
import type { Integration, IntegrationDeps, IntegrationFactory } from './integration.js';

/** Every integration this product has, in start order. */
export const INTEGRATIONS: ReadonlyArray<IntegrationFactory> = [
  createZendeskIntegration,
  createSlackIntegration,
  createNotificationsIntegration,
];

/** Builds them all; if one fails to start, the ones already started are closed. */
export async function startIntegrations(
  deps: IntegrationDeps,
  factories: ReadonlyArray<IntegrationFactory> = INTEGRATIONS,
): Promise<Integration[]> {
  const started: Integration[] = [];
  try {
    for (const factory of factories) started.push(await factory(deps));
  } catch (error) {
    await closeIntegrations(started);
    throw error;
  }
  return started;
}

export async function closeIntegrations(integrations: ReadonlyArray<Integration>): Promise<void> {
  for (const integration of [...integrations].reverse()) await integration.close?.();
}
