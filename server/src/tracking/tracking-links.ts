import type { AppContext } from '../context.js';
import { linkSigningKey, signLink } from '../links/signed-links.js';

export const TRACKING_PURPOSE = 'tracking';

/** A signed, expiring link to the case's tracking page (`TRACKING_LINK_DAYS`), in the customer's language. */
export async function trackingUrl(
  ctx: Pick<AppContext, 'db' | 'config' | 'clock'>,
  baseUrl: string,
  input: { readonly orgId: string; readonly caseId: string; readonly locale: string },
): Promise<string> {
  const key = await linkSigningKey(ctx.db, ctx.config);
  const token = signLink(
    key,
    { purpose: TRACKING_PURPOSE, orgId: input.orgId, subject: input.caseId, extra: { locale: input.locale } },
    { now: ctx.clock.now(), ttlSeconds: ctx.config.TRACKING_LINK_DAYS * 24 * 3600 },
  );
  return `${baseUrl.replace(/\/$/, '')}/track/${token}`;
}
