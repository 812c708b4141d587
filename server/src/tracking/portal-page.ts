import { escapeHtml } from '../http/html.js';
import type { Locale } from '../notifications/message-templates.js';
import { htmlPage } from './html-page.js';
import { type PageStrings, pageStrings } from './page-strings.js';

export function renderPortalForm(input: {
  readonly locale: Locale;
  readonly orgName: string;
  readonly slug: string;
  readonly token: string;
  readonly reasons: ReadonlyArray<{ readonly code: string; readonly label: string }>;
}): string {
  const s = pageStrings(input.locale);
  const body = `<p class="muted">${escapeHtml(input.orgName)}</p><h1>${escapeHtml(s.portalTitle)}</h1>
<div class="card"><p>${escapeHtml(s.portalIntro)}</p>
<form method="post" action="/portal/${escapeHtml(input.slug)}?lang=${escapeHtml(input.locale)}">
<input type="hidden" name="token" value="${escapeHtml(input.token)}">
<label for="email">${escapeHtml(s.portalEmail)}</label><input id="email" name="email" type="email" autocomplete="email" required maxlength="320">
<label for="reference">${escapeHtml(s.portalReference)}</label><input id="reference" name="reference" required maxlength="200">
<label for="reason">${escapeHtml(s.portalReason)}</label><select id="reason" name="reason">
${input.reasons.map((r) => `<option value="${escapeHtml(r.code)}">${escapeHtml(r.label)}</option>`).join('')}
</select>
<button type="submit">${escapeHtml(s.portalSubmit)}</button></form></div>`;
  return htmlPage({ lang: input.locale, title: s.portalTitle, body });
}

export type PortalText = Extract<keyof PageStrings, `portal${string}`>;

export function renderPortalMessage(input: {
  readonly locale: Locale;
  readonly orgName: string;
  readonly slug: string;
  readonly text: PortalText;
  readonly link?: string | undefined;
}): string {
  const s = pageStrings(input.locale);
  const action = input.link
    ? `<p><a class="button" data-testid="tracking-link" href="${escapeHtml(input.link)}">${escapeHtml(s.portalTrack)}</a></p>`
    : `<p><a class="button" href="/portal/${escapeHtml(input.slug)}?lang=${escapeHtml(input.locale)}">${escapeHtml(s.portalTryAgain)}</a></p>`;
  const body = `<p class="muted">${escapeHtml(input.orgName)}</p><h1>${escapeHtml(s.portalTitle)}</h1>
<div class="card"><p data-testid="portal-message">${escapeHtml(s[input.text])}</p>${action}</div>`;
  return htmlPage({ lang: input.locale, title: s.portalTitle, body });
}
