import { z } from 'zod';
import type { SandboxAudit, SandboxTicket, SandboxUser, ZendeskSandboxStore } from './zendesk-sandbox-store.js';

/**
 * Zendesk ticket triggers as the sandbox runs them: after every update (agent UI, API, a customer's
 * reply) each active trigger whose conditions hold on the ticket as it now is fires once; a trigger
 * that changes the ticket restarts the cycle (each trigger still fires at most once per update).
 * Conditions are about state, not change, exactly like Zendesk's: a trigger whose conditions stay
 * true fires again on the next update. Shapes follow Zendesk's Conditions and Actions references
 * (developer.zendesk.com/documentation/ticketing/reference-guides/{conditions,actions}-reference).
 */

/** `current_tags` `includes`: at least one of the space-separated tags; `not_includes`: none of them. */
const conditionSchema = z.object({
  field: z.literal('current_tags'),
  operator: z.enum(['includes', 'not_includes']),
  value: z.string().min(1),
});

const actionSchema = z.discriminatedUnion('field', [
  /** [webhook key, JSON body with placeholders]. */
  z.object({ field: z.literal('notification_webhook'), value: z.tuple([z.string(), z.string()]) }),
  /** Add tags (space-separated). */
  z.object({ field: z.literal('current_tags'), value: z.string() }),
  z.object({ field: z.literal('remove_tags'), value: z.string() }),
  z.object({ field: z.literal('set_tags'), value: z.string() }),
]);

export const triggerInputSchema = z.object({
  title: z.string().min(1),
  active: z.boolean().default(true),
  all: z.array(conditionSchema).default([]),
  any: z.array(conditionSchema).default([]),
  actions: z.array(actionSchema).min(1),
});

export type SandboxTriggerInput = z.input<typeof triggerInputSchema>;
export type SandboxTrigger = z.output<typeof triggerInputSchema> & { readonly id: number };

let nextTriggerId = 360_100_001;

/** Validates triggers (anything the sandbox cannot run is refused, never silently ignored). */
export function parseTriggers(inputs: readonly unknown[]): SandboxTrigger[] {
  return inputs.map((input) => ({ ...triggerInputSchema.parse(input), id: nextTriggerId++ }));
}

const words = (value: string) => value.split(/\s+/).filter((w) => w.length > 0);

function holds(condition: z.output<typeof conditionSchema>, ticket: SandboxTicket): boolean {
  const hasAny = words(condition.value).some((tag) => ticket.tags.includes(tag.toLowerCase()));
  return condition.operator === 'includes' ? hasAny : !hasAny;
}

function matches(trigger: SandboxTrigger, ticket: SandboxTicket): boolean {
  return (
    trigger.all.every((c) => holds(c, ticket)) &&
    (trigger.any.length === 0 || trigger.any.some((c) => holds(c, ticket)))
  );
}

/** Renders the placeholders our trigger body uses, like Zendesk's Liquid (unknown ones render empty). */
export function renderPlaceholders(
  template: string,
  facts: { ticket: SandboxTicket; requester: SandboxUser | undefined; currentUser: SandboxUser | undefined },
): string {
  const values: Record<string, string> = {
    'ticket.id': String(facts.ticket.id),
    'ticket.requester.email': facts.requester?.email ?? '',
    'ticket.requester.id': facts.requester ? String(facts.requester.id) : '',
    'current_user.id': facts.currentUser ? String(facts.currentUser.id) : '',
    'current_user.email': facts.currentUser?.email ?? '',
  };
  return template.replace(/\{\{\s*([a-z_.]+)\s*\}\}/g, (_, name: string) => values[name] ?? '');
}

/** Runs the trigger cycle for one update; `notify` is called for each webhook action with the rendered body. */
export function runTriggerCycle(input: {
  readonly store: ZendeskSandboxStore;
  readonly triggers: readonly SandboxTrigger[];
  readonly ticket: SandboxTicket;
  readonly audit: SandboxAudit;
  readonly notify: (webhookKey: string, body: string) => void;
}): void {
  const { store, ticket, audit } = input;
  const fired = new Set<number>();
  const currentUser = store.users.get(audit.author_id);
  const requester = store.users.get(ticket.requester_id);
  let restart = true;
  while (restart) {
    restart = false;
    for (const trigger of input.triggers) {
      if (!trigger.active || fired.has(trigger.id) || !matches(trigger, ticket)) continue;
      fired.add(trigger.id);
      let changed = false;
      const rule = { id: trigger.id, title: trigger.title, rel: 'trigger' as const };
      for (const action of trigger.actions) {
        if (action.field === 'notification_webhook') {
          input.notify(action.value[0], renderPlaceholders(action.value[1], { ticket, requester, currentUser }));
        } else if (action.field === 'current_tags') {
          changed = store.applyRuleTags(ticket, audit, rule, { add: words(action.value) }) || changed;
        } else if (action.field === 'remove_tags') {
          changed = store.applyRuleTags(ticket, audit, rule, { remove: words(action.value) }) || changed;
        } else {
          changed = store.applyRuleTags(ticket, audit, rule, { set: words(action.value) }) || changed;
        }
      }
      if (changed) {
        restart = true;
        break;
      }
    }
  }
}
