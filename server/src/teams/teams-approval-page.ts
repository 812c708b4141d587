import type { CardFacts } from '@refund-desk/slack-bot/src/desk-port.js';

import { escapeHtml as esc } from '../http/html.js';

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} · Refund Desk</title><style>body{font:15px system-ui;margin:2em auto;max-width:40em;padding:0 1em;color:#222}
dl{display:grid;grid-template-columns:10em 1fr;gap:.3em}dt{color:#666}li{margin:.2em 0}label{display:block;margin:.8em 0 .2em}
input,textarea{width:100%;padding:.4em;box-sizing:border-box}button{margin-top:1em;padding:.5em 1.2em}</style></head>
<body><h1>${esc(title)}</h1>${body}</body></html>`;
}

/** The plain page for a link that is expired, used, or not ours — it shows nothing about any case. */
export function expiredPage(): string {
  return layout(
    'Link expired',
    '<p>This approval link has expired or was already used. Open the case in Refund Desk or Slack instead.</p>',
  );
}

/** A one-line outcome (decided, refused, wrong token). */
export function messagePage(title: string, message: string): string {
  return layout(title, `<p>${esc(message)}</p>`);
}

/** The case with its evidence and the sign-in + decision form (the staff token travels in the form body, never the URL). */
export function approvalPage(facts: CardFacts, notice?: string): string {
  const evidence = facts.evidence.map((e) => `<li>${esc(e.outcome)}: ${esc(e.reason)}</li>`).join('');
  const ticket = facts.ticket ? esc(`#${facts.ticket.ref}`) : 'none';
  return layout(
    `Refund ${facts.reference}`,
    `${notice ? `<p role="alert"><strong>${esc(notice)}</strong></p>` : ''}
<dl><dt>Amount</dt><dd>${esc(facts.amount)}</dd><dt>Method</dt><dd>${esc(facts.method)}</dd>
<dt>Reason</dt><dd>${esc(facts.reasonCode)}</dd><dt>Requested by</dt><dd>${esc(facts.requester)}</dd>
<dt>Needs</dt><dd>${esc(facts.requiredRole)}</dd><dt>Ticket</dt><dd>${ticket}</dd>
<dt>Last 90 days</dt><dd>${facts.recentRefunds.count} other refund(s), ${esc(facts.recentRefunds.total)}</dd></dl>
<h2>Evidence</h2><ul>${evidence}</ul>
<form method="post" autocomplete="off">
<label for="token">Your staff API token</label><input id="token" name="token" type="password" required>
<label><input type="radio" name="decision" value="approve" checked style="width:auto"> Approve</label>
<label><input type="radio" name="decision" value="deny" style="width:auto"> Deny</label>
<label for="reason">Reason (required to deny)</label><textarea id="reason" name="reason" rows="3" maxlength="500"></textarea>
<button type="submit">Submit decision</button></form>`,
  );
}
