/**
 * Customer messages per stage, channel and locale, from files under `server/templates/<locale>/`:
 * `<stage>.json` (sms, subject, text, html fragment), `common.json` (greeting, payment methods,
 * expected arrival, labels) and `layout.html` (the email frame). Placeholders are `{{name}}`
 * (HTML-escaped in html), `{{{name}}}` (raw, layout only) and `{{#name}}…{{/name}}` (shown when set).
 * A placeholder without a value throws: a message never goes out with a hole in it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { escapeHtml } from '../http/html.js';

export const STAGES = ['received', 'under_review', 'approved', 'denied', 'refund_sent', 'action_needed'] as const;
export type Stage = (typeof STAGES)[number];

export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

export type MethodKind = 'card' | 'paypal' | 'bank' | 'other';

/** What a message may say: nothing more (minimum necessary). */
export interface MessageFacts {
  readonly org: string;
  /** First name at most. */
  readonly firstName?: string | undefined;
  readonly reference: string;
  /** Already formatted for the locale, e.g. `$25.00`. */
  readonly amount: string;
  readonly method: MethodKind;
  readonly last4?: string | undefined;
  /** Denial reason given by the decider (shown to the customer by design). */
  readonly reason?: string | undefined;
  readonly link: string;
}

export interface RenderedMessage {
  readonly sms: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

interface StageTemplate {
  readonly sms: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

interface CommonStrings {
  readonly greeting: string;
  readonly greetingNoName: string;
  readonly methods: Readonly<Record<'card' | 'cardNoLast4' | 'paypal' | 'other', string>>;
  readonly arrival: Readonly<Record<MethodKind, string>>;
  readonly trackLabel: string;
  readonly footer: string;
}

interface LocaleTemplates {
  readonly common: CommonStrings;
  readonly layout: string;
  readonly stages: Readonly<Record<Stage, StageTemplate>>;
}

const TEMPLATE_DIR = path.resolve(import.meta.dirname, '../../templates');
const cache = new Map<Locale, LocaleTemplates>();

function load(locale: Locale): LocaleTemplates {
  let templates = cache.get(locale);
  if (!templates) {
    const dir = path.join(TEMPLATE_DIR, locale);
    const json = <T>(name: string) => JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as T;
    templates = {
      common: json<CommonStrings>('common.json'),
      layout: readFileSync(path.join(dir, 'layout.html'), 'utf8'),
      stages: Object.fromEntries(STAGES.map((stage) => [stage, json<StageTemplate>(`${stage}.json`)])) as Record<
        Stage,
        StageTemplate
      >,
    };
    cache.set(locale, templates);
  }
  return templates;
}

/** A supported locale for a stored or requested one (`zh`, `zh-Hans`, `zh-CN` → zh-CN; anything else → en). */
export function resolveLocale(value: string | null | undefined): Locale {
  const lower = (value ?? '').toLowerCase();
  if (lower.startsWith('zh')) return 'zh-CN';
  return 'en';
}

/** Fills `{{#k}}…{{/k}}`, `{{{k}}}` and `{{k}}`; throws on a placeholder without a value. */
export function fillTemplate(
  template: string,
  values: Readonly<Record<string, string | undefined>>,
  options: { readonly html: boolean },
): string {
  const value = (key: string): string => {
    const found = values[key];
    if (found === undefined) throw new Error(`template placeholder {{${key}}} has no value`);
    return found;
  };
  return (
    template
      .replace(/\{\{#(\w+)\}\}([\s\S]*?)\{\{\/\1\}\}/g, (_, key: string, inner: string) => (values[key] ? inner : ''))
      // one pass, so a filled-in value is never read as a placeholder itself
      .replace(/\{\{\{(\w+)\}\}\}|\{\{(\w+)\}\}/g, (_, raw: string | undefined, key: string | undefined) =>
        raw !== undefined ? value(raw) : options.html ? escapeHtml(value(key as string)) : value(key as string),
      )
  );
}

/** Renders one stage's SMS and email in one locale. */
export function renderMessage(stage: Stage, locale: Locale, facts: MessageFacts): RenderedMessage {
  const { common, layout, stages } = load(locale);
  const template = stages[stage];
  const methodTemplate =
    facts.method === 'card'
      ? facts.last4
        ? common.methods.card
        : common.methods.cardNoLast4
      : facts.method === 'paypal'
        ? common.methods.paypal
        : common.methods.other;
  const base = {
    org: facts.org,
    firstName: facts.firstName,
    reference: facts.reference,
    amount: facts.amount,
    reason: facts.reason,
    link: facts.link,
    method: fillTemplate(methodTemplate, { last4: facts.last4 }, { html: false }),
    arrival: common.arrival[facts.method],
    trackLabel: common.trackLabel,
  };
  const greeting = facts.firstName
    ? fillTemplate(common.greeting, { firstName: facts.firstName }, { html: false })
    : common.greetingNoName;
  const values = { ...base, greeting };
  const subject = fillTemplate(template.subject, values, { html: false });
  const body = fillTemplate(template.html, values, { html: true });
  return {
    sms: fillTemplate(template.sms, values, { html: false }),
    subject,
    text: fillTemplate(template.text, values, { html: false }),
    html: fillTemplate(
      layout,
      {
        ...values,
        subject,
        body,
        lang: locale,
        footer: fillTemplate(common.footer, values, { html: false }),
      },
      { html: true },
    ),
  };
}

/** Expected arrival words for a method (tracking page). */
export function arrivalText(locale: Locale, method: MethodKind): string {
  return load(locale).common.arrival[method];
}
