import type { CaseEvent } from '../events/case-events.js';
import type { Stage } from './message-templates.js';

/**
 * The case events a customer hears about. `case.failed` is left out on purpose: it is always
 * followed by `case.exception_raised` in the same transaction, which says what the person can do.
 * Cancelled, expired and manually resolved cases are told by staff, not by an automatic message.
 */
const STAGE_OF_ACTION: Readonly<Record<string, Stage>> = {
  'case.requested': 'received',
  'case.routed_for_approval': 'under_review',
  'case.approved': 'approved',
  'case.auto_approved': 'approved',
  'case.denied': 'denied',
  'case.succeeded': 'refund_sent',
  'case.exception_raised': 'action_needed',
};

export function stageOf(event: Pick<CaseEvent, 'action'>): Stage | undefined {
  return STAGE_OF_ACTION[event.action];
}

/**
 * Urgent stages go out at any hour: the person has to act, and waiting until morning delays their
 * money. Everything else is news that can wait for the send window.
 */
export function isUrgent(stage: Stage): boolean {
  return stage === 'action_needed';
}

/**
 * Seconds from `now` until the send window (`HH:MM-HH:MM`, organisation time zone) opens; 0 inside
 * it. A window whose end is before its start runs over midnight; equal ends mean any time. Minute precision is enough here.
 */
export function secondsUntilSendWindow(now: Date, timezone: string, window: string): number {
  const [start, end] = window.split('-').map(minutesOf) as [number, number];
  if (start === end) return 0; // e.g. 00:00-00:00: any time
  const local = localMinutes(now, timezone);
  const inside = start <= end ? local >= start && local < end : local >= start || local < end;
  if (inside) return 0;
  const minutes = (start - local + 24 * 60) % (24 * 60);
  return Math.max(60, minutes * 60 - now.getUTCSeconds());
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/** The zone if the runtime knows it, else UTC: an unknown zone in the organisation row must not stop messages or pages. */
export function safeZone(zone: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return 'UTC';
  }
}

function localMinutes(now: Date, timezone: string): number {
  const zone = safeZone(timezone);
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return hour * 60 + minute;
}
