import type { AppContext } from '../context.js';
import { findOrganisationBySlug } from '../orgs/organisations.js';
import { setConsent, setContactLocale } from './contact-preferences.js';

/** Demo customers who prefer Simplified Chinese (shows the second locale in the sandboxes). */
const ZH_CN_DEMO = new Set(['matz@example.com']);

/**
 * Demo data for the sandboxes: each demo customer (…@example.com) without a phone gets a
 * fictitious +1 555 01xx number and SMS consent (source `demo`), so `npm start` shows texts at the
 * Twilio sandbox and emails at the SendGrid sandbox. Customers that already have a number are left alone.
 */
export async function seedDemoContacts(ctx: AppContext, slug: string): Promise<number> {
  const org = await findOrganisationBySlug(ctx.db, slug);
  if (!org) return 0;
  const customers = await ctx.db
    .selectFrom('customers')
    .select(['id', 'email'])
    .where('org_id', '=', org.id)
    .where('phone', 'is', null)
    .where('email', 'like', '%@example.com')
    .orderBy('email')
    .execute();
  const at = ctx.clock.now();
  let index = 0;
  for (const customer of customers) {
    index++;
    const phone = `+1555010${String(index).padStart(4, '0')}`;
    await ctx.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('customers')
        .set({ phone, updated_at: at })
        .where('org_id', '=', org.id)
        .where('id', '=', customer.id)
        .execute();
      if (customer.email && ZH_CN_DEMO.has(customer.email))
        await setContactLocale(trx, { orgId: org.id, customerId: customer.id, locale: 'zh-CN', at });
      await setConsent(trx, {
        orgId: org.id,
        customerId: customer.id,
        channel: 'sms',
        state: 'granted',
        source: 'demo',
        at,
        actor: { type: 'system', id: 'demo' },
      });
    });
  }
  return customers.length;
}
