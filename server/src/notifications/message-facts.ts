import type { Kysely } from 'kysely';
import type { Database, RefundCaseRow } from '../db/schema.js';
import { currencyExponent } from '../money/currency.js';
import { formatDecimal, formatMoney, money } from '../money/money.js';
import type { Locale, MessageFacts, MethodKind, Stage } from './message-templates.js';

/** The rows a message is built from, read once per delivery. */
export interface CaseContacts {
  readonly caseRow: RefundCaseRow;
  readonly orgName: string;
  readonly orgSlug: string;
  readonly timezone: string;
  readonly customer:
    | {
        readonly id: string;
        readonly name: string | null;
        readonly email: string | null;
        readonly phone: string | null;
      }
    | undefined;
  readonly payment: { readonly gateway: string; readonly methodType: string; readonly last4: string | null };
}

export async function loadCaseContacts(
  db: Kysely<Database>,
  orgId: string,
  caseId: string,
): Promise<CaseContacts | undefined> {
  const caseRow = await db
    .selectFrom('refund_cases')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', caseId)
    .executeTakeFirst();
  if (!caseRow) return undefined;
  const org = await db
    .selectFrom('organisations')
    .select(['name', 'slug', 'timezone'])
    .where('id', '=', orgId)
    .executeTakeFirstOrThrow();
  const payment = await db
    .selectFrom('payments')
    .select(['gateway', 'method_type', 'last4'])
    .where('org_id', '=', orgId)
    .where('id', '=', caseRow.payment_id)
    .executeTakeFirstOrThrow();
  const customer = caseRow.customer_id
    ? await db
        .selectFrom('customers')
        .select(['id', 'name', 'email', 'phone'])
        .where('org_id', '=', orgId)
        .where('id', '=', caseRow.customer_id)
        .executeTakeFirst()
    : undefined;
  return {
    caseRow,
    orgName: org.name,
    orgSlug: org.slug,
    timezone: org.timezone,
    customer,
    payment: { gateway: payment.gateway, methodType: payment.method_type, last4: payment.last4 },
  };
}

export function methodKind(payment: CaseContacts['payment']): MethodKind {
  if (payment.methodType === 'card') return 'card';
  if (payment.gateway === 'paypal' || payment.methodType === 'paypal') return 'paypal';
  if (['bank', 'ach', 'sepa_debit', 'bank_account', 'us_bank_account'].includes(payment.methodType)) return 'bank';
  return 'other';
}

/** The first word of the name, at most 40 characters: never the full name. */
export function firstNameOf(name: string | null | undefined): string | undefined {
  const first = name?.trim().split(/\s+/)[0];
  return first ? first.slice(0, 40) : undefined;
}

export function formatAmount(locale: Locale, amount: number, currency: string): string {
  const value = money(amount, currency);
  try {
    const digits = currencyExponent(currency);
    return new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(Number(formatDecimal(value)));
  } catch {
    return formatMoney(value);
  }
}

/**
 * What a message about this stage may say — minimum necessary: first name, case reference, amount,
 * method and last 4 digits, the decider's reason on a denial, the link. Never the case note, the
 * payment description, the full name or anything about health.
 */
export function messageFacts(contacts: CaseContacts, stage: Stage, locale: Locale, link: string): MessageFacts {
  const { caseRow } = contacts;
  const kind = methodKind(contacts.payment);
  return {
    org: contacts.orgName,
    firstName: firstNameOf(contacts.customer?.name),
    reference: caseRow.reference,
    amount: formatAmount(locale, caseRow.amount, caseRow.currency),
    method: kind,
    last4: kind === 'card' && contacts.payment.last4 ? contacts.payment.last4.slice(-4) : undefined,
    reason: stage === 'denied' ? (caseRow.decision_reason ?? '—').slice(0, 300) : undefined,
    link,
  };
}
