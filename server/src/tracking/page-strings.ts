import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Locale } from '../notifications/message-templates.js';

/** Words of the tracking page and portal, per locale (`server/templates/<locale>/tracking.json`). */
export interface PageStrings {
  readonly title: string;
  readonly reference: string;
  readonly status: string;
  readonly timeline: string;
  readonly amounts: string;
  readonly requested: string;
  readonly refunded: string;
  readonly expected: string;
  readonly expectedText: string;
  readonly reason: string;
  readonly actionNeeded: string;
  readonly steps: Readonly<Record<string, string>>;
  readonly expiredTitle: string;
  readonly expiredBody: string;
  readonly portalTitle: string;
  readonly portalIntro: string;
  readonly portalEmail: string;
  readonly portalReference: string;
  readonly portalReason: string;
  readonly portalSubmit: string;
  readonly portalNoMatch: string;
  readonly portalNotRefundable: string;
  readonly portalOpened: string;
  readonly portalTrack: string;
  readonly portalTryAgain: string;
  readonly portalTooMany: string;
  readonly portalExpiredForm: string;
}

const cache = new Map<Locale, PageStrings>();

export function pageStrings(locale: Locale): PageStrings {
  let strings = cache.get(locale);
  if (!strings) {
    const file = path.resolve(import.meta.dirname, '../../templates', locale, 'tracking.json');
    strings = JSON.parse(readFileSync(file, 'utf8')) as PageStrings;
    cache.set(locale, strings);
  }
  return strings;
}
