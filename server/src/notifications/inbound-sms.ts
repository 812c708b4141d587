/**
 * Inbound SMS as consent: Twilio's STOP-family and START-family keywords (the whole message is the
 * keyword), and free-text revocations ("please stop texting me", "退订"…) which carriers do not
 * catch but the law still honours. Anything else is left for a person (nothing is stored).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { normalisePhone } from '../ledger/customers.js';
import { setConsent } from './contact-preferences.js';

const STOP_WORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'TD']);
const START_WORDS = new Set(['START', 'UNSTOP', 'YES']);

const FREE_TEXT_REVOCATIONS: ReadonlyArray<RegExp> = [
  /\b(stop|quit|cease|end)\b.{0,30}\b(text|texts|texting|messag\w*|sms|contact\w*)\b/i,
  /\b(don'?t|do not|no more|never)\b.{0,20}\b(text|texts|texting|message|messages|sms)\b/i,
  /\bunsubscribe\b/i,
  /\bopt[\s-]?out\b/i,
  /\b(remove|take) me off\b/i,
  /\bremove me\b/i,
  /\bleave me alone\b/i,
  /退订|取消订阅|不要再发|停止发送|别再发/,
];

export type InboundIntent =
  | { readonly kind: 'opt_out'; readonly source: string }
  | { readonly kind: 'opt_in'; readonly source: string }
  | { readonly kind: 'other' };

export function classifyInbound(body: string): InboundIntent {
  const word = body
    .trim()
    .replace(/[.!?。！]+$/u, '')
    .toUpperCase()
    .replace(/\s+/g, '');
  if (STOP_WORDS.has(word)) return { kind: 'opt_out', source: `sms:${word}` };
  if (START_WORDS.has(word)) return { kind: 'opt_in', source: `sms:${word}` };
  if (FREE_TEXT_REVOCATIONS.some((pattern) => pattern.test(body))) return { kind: 'opt_out', source: 'sms:free_text' };
  return { kind: 'other' };
}

/** Applies an inbound message to every customer of the organisation with that number, in `trx`; returns how many changed. */
export async function applyInboundSms(
  trx: Kysely<Database>,
  input: { readonly orgId: string; readonly from: string; readonly body: string; readonly at: Date },
): Promise<number> {
  const intent = classifyInbound(input.body);
  if (intent.kind === 'other') return 0;
  const customers = await trx
    .selectFrom('customers')
    .select('id')
    .where('org_id', '=', input.orgId)
    .where('phone', '=', normalisePhone(input.from))
    .orderBy('id')
    .execute();
  let changed = 0;
  for (const customer of customers) {
    const didChange = await setConsent(trx, {
      orgId: input.orgId,
      customerId: customer.id,
      channel: 'sms',
      state: intent.kind === 'opt_out' ? 'revoked' : 'granted',
      source: intent.source,
      at: input.at,
    });
    if (didChange) changed++;
  }
  return changed;
}
