import type { HelpdeskAudit, HelpdeskTagChange } from '../../ports/helpdesk.js';

/**
 * The slice of Zendesk's Ticket Audits we read (developer.zendesk.com/api-reference/ticketing/
 * tickets/ticket_audits/ and the Ticket Audit events reference): `author_id`, `via`, and the
 * `Create`/`Change` events on `tags` with `value`/`previous_value`. "An event will have its own via
 * object if it's different from the via object of the audit": a trigger's change inside an
 * agent's update carries `via.channel = "rule"`.
 */
export interface ZendeskViaWire {
  readonly channel?: string | number | null;
  readonly source?: { readonly rel?: string | null; readonly from?: { readonly title?: string | null } | null } | null;
}

export interface ZendeskAuditEventWire {
  readonly type?: string;
  readonly field_name?: string;
  readonly value?: unknown;
  readonly previous_value?: unknown;
  readonly via?: ZendeskViaWire | null;
}

export interface ZendeskAuditWire {
  readonly id: number;
  readonly author_id: number | null;
  readonly created_at: string;
  readonly via?: ZendeskViaWire | null;
  readonly events?: readonly ZendeskAuditEventWire[];
}

/** Tags as Zendesk writes them in events: an array, or one space-separated string. */
function tagList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((t): t is string => typeof t === 'string').map((t) => t.toLowerCase());
  if (typeof value === 'string')
    return value
      .split(/\s+/)
      .filter((t) => t.length > 0)
      .map((t) => t.toLowerCase());
  return [];
}

function isRule(via: ZendeskViaWire | null | undefined): boolean {
  return via?.channel === 'rule' || via?.source?.rel === 'trigger' || via?.source?.rel === 'automation';
}

/** One audit in our terms: author (null for the system, -1), channel, and each tags change. */
export function toHelpdeskAudit(wire: ZendeskAuditWire): HelpdeskAudit {
  const tagChanges: HelpdeskTagChange[] = [];
  for (const event of wire.events ?? []) {
    if (event.field_name !== 'tags' || (event.type !== 'Change' && event.type !== 'Create')) continue;
    const now = tagList(event.value);
    const before = event.type === 'Create' ? [] : tagList(event.previous_value);
    const via = event.via ?? wire.via;
    const byRule = isRule(via);
    tagChanges.push({
      added: now.filter((t) => !before.includes(t)),
      removed: before.filter((t) => !now.includes(t)),
      byRule,
      ruleTitle: byRule ? (via?.source?.from?.title ?? null) : null,
    });
  }
  const author = wire.author_id;
  return {
    id: String(wire.id),
    authorId: typeof author === 'number' && author > 0 ? String(author) : null,
    createdAt: wire.created_at,
    channel: String(wire.via?.channel ?? 'unknown'),
    tagChanges,
  };
}
