/**
 * The tracking page of one case: reference, status, a timeline in plain words (from the case's
 * own audit events, state changes only), requested and refunded amounts, the expected date, and
 * the reason for a denial or what to do when the money could not go back. Nothing else: no notes,
 * no staff names, no payment description, no other case.
 */
import type { Kysely } from 'kysely';
import { listAudit } from '../audit/audit-log.js';
import type { Database } from '../db/schema.js';
import { escapeHtml } from '../http/html.js';
import { formatAmount, loadCaseContacts, methodKind } from '../notifications/message-facts.js';
import { arrivalText, type Locale, type MethodKind } from '../notifications/message-templates.js';
import { safeZone } from '../notifications/notification-stages.js';
import { htmlPage } from './html-page.js';
import { pageStrings } from './page-strings.js';

/** Upper bound of the usual arrival, in business days, per method (the words are in the templates). */
const ARRIVAL_BUSINESS_DAYS: Readonly<Record<MethodKind, number>> = { card: 10, paypal: 5, bank: 7, other: 10 };

export interface TrackingView {
  readonly reference: string;
  readonly orgName: string;
  readonly status: string;
  readonly steps: ReadonlyArray<{ readonly label: string; readonly at: Date }>;
  readonly requested: string;
  readonly refunded: string;
  readonly expected: string | undefined;
  readonly reason: string | undefined;
}

export async function loadTrackingView(
  db: Kysely<Database>,
  input: { readonly orgId: string; readonly caseId: string; readonly locale: Locale },
): Promise<TrackingView | undefined> {
  const contacts = await loadCaseContacts(db, input.orgId, input.caseId);
  if (!contacts) return undefined;
  const { caseRow } = contacts;
  const strings = pageStrings(input.locale);
  const events = await listAudit(db, { orgId: input.orgId, caseId: input.caseId, limit: 1000 });
  const steps: Array<{ label: string; at: Date }> = [];
  for (const event of events) {
    const label = strings.steps[event.action];
    if (label && steps.at(-1)?.label !== label) steps.push({ label, at: new Date(event.created_at) });
  }
  const refunded = await db
    .selectFrom('refunds')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount'), eb.lit(0)).as('total'))
    .where('org_id', '=', input.orgId)
    .where('case_id', '=', input.caseId)
    .where('state', '=', 'succeeded')
    .executeTakeFirstOrThrow();
  const kind = methodKind(contacts.payment);
  const sentAt = events.find((e) => e.action === 'case.succeeded')?.created_at;
  const dateFormat = (date: Date) =>
    new Intl.DateTimeFormat(input.locale, { dateStyle: 'medium', timeZone: safeZone(contacts.timezone) }).format(date);
  return {
    reference: caseRow.reference,
    orgName: contacts.orgName,
    status: steps.at(-1)?.label ?? '',
    steps,
    requested: formatAmount(input.locale, caseRow.amount, caseRow.currency),
    refunded: formatAmount(input.locale, Number(refunded.total), caseRow.currency),
    expected: sentAt
      ? strings.expectedText
          .replace('{{date}}', dateFormat(addBusinessDays(new Date(sentAt), ARRIVAL_BUSINESS_DAYS[kind])))
          .replace('{{arrival}}', arrivalText(input.locale, kind))
      : undefined,
    reason:
      caseRow.state === 'denied'
        ? (caseRow.decision_reason ?? undefined)
        : caseRow.state === 'exception'
          ? strings.actionNeeded
          : undefined,
  };
}

export function renderTrackingPage(view: TrackingView, locale: Locale): string {
  const s = pageStrings(locale);
  const when = (date: Date) =>
    new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(date) + ' UTC';
  const body = `
<p class="muted">${escapeHtml(view.orgName)}</p>
<h1>${escapeHtml(s.title)}</h1>
<div class="card"><p>${escapeHtml(s.reference)}: <span class="ref" data-testid="reference">${escapeHtml(view.reference)}</span></p>
<p>${escapeHtml(s.status)}: <strong data-testid="status">${escapeHtml(view.status)}</strong></p>
${view.reason ? `<p class="notice"><strong>${escapeHtml(s.reason)}:</strong> <span data-testid="reason">${escapeHtml(view.reason)}</span></p>` : ''}</div>
<div class="card"><h2>${escapeHtml(s.timeline)}</h2><ol class="timeline" data-testid="timeline">
${view.steps.map((step) => `<li><strong>${escapeHtml(step.label)}</strong><br><span class="muted">${escapeHtml(when(step.at))}</span></li>`).join('\n')}
</ol></div>
<div class="card"><h2>${escapeHtml(s.amounts)}</h2><table>
<tr><td>${escapeHtml(s.requested)}</td><td class="num" data-testid="requested">${escapeHtml(view.requested)}</td></tr>
<tr><td>${escapeHtml(s.refunded)}</td><td class="num" data-testid="refunded">${escapeHtml(view.refunded)}</td></tr>
${view.expected ? `<tr><td>${escapeHtml(s.expected)}</td><td class="num" data-testid="expected">${escapeHtml(view.expected)}</td></tr>` : ''}
</table></div>`;
  return htmlPage({ lang: locale, title: `${s.title} ${view.reference}`, body });
}

/** The page for an expired, altered or unknown link: nothing about any case. */
export function renderExpiredPage(locale: Locale): string {
  const s = pageStrings(locale);
  return htmlPage({
    lang: locale,
    title: s.expiredTitle,
    body: `<div class="card"><h1>${escapeHtml(s.expiredTitle)}</h1><p>${escapeHtml(s.expiredBody)}</p></div>`,
  });
}

function addBusinessDays(from: Date, days: number): Date {
  const date = new Date(from);
  let left = days;
  while (left > 0) {
    date.setUTCDate(date.getUTCDate() + 1);
    const day = date.getUTCDay();
    if (day !== 0 && day !== 6) left--;
  }
  return date;
}
