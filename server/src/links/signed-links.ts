/**
 * Signed links: a URL token that proves what it grants without a login — the customer's tracking
 * page, the Teams approval page. `base64url(claims JSON).base64url(HMAC-SHA256)`, checked in
 * constant time; `exp` bounds its life and, for single-use links, `spendLink` records its id once.
 *
 * The key comes from SECRETS_KEY when set (derived with HKDF, so it is never the encryption key
 * itself); otherwise the installation makes one at first use and keeps it in `instance_keys`, so
 * links survive restarts.
 */
import { createHmac, hkdfSync, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/schema.js';

export interface LinkClaims {
  /** What the link is for, e.g. `tracking` or `teams-approval`; a link for one purpose never opens another. */
  readonly purpose: string;
  readonly orgId: string;
  /** What it points at (a case id…). */
  readonly subject: string;
  /** Expiry, Unix seconds. */
  readonly exp: number;
  /** Unique per link (single use). */
  readonly id: string;
  /** Anything else the purpose needs (keep it small: it is in the URL). */
  readonly extra?: Readonly<Record<string, string>>;
}

export type LinkProblem = 'malformed' | 'bad_signature' | 'wrong_purpose' | 'expired';

export class LinkError extends Error {
  constructor(readonly problem: LinkProblem) {
    super(`link ${problem.replace('_', ' ')}`);
    this.name = 'LinkError';
  }
}

const KEY_NAME = 'link-signing';
const keys = new WeakMap<Kysely<Database>, Promise<Buffer>>();

/** The installation's link-signing key (cached per database handle). */
export function linkSigningKey(db: Kysely<Database>, config: Pick<Config, 'SECRETS_KEY'>): Promise<Buffer> {
  if (config.SECRETS_KEY) {
    const derived = hkdfSync('sha256', Buffer.from(config.SECRETS_KEY, 'base64'), '', 'refund-desk link signing', 32);
    return Promise.resolve(Buffer.from(derived));
  }
  let key = keys.get(db);
  if (!key) {
    key = (async () => {
      await db
        .insertInto('instance_keys')
        .values({ name: KEY_NAME, value: randomBytes(32).toString('base64') })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      const row = await db
        .selectFrom('instance_keys')
        .select('value')
        .where('name', '=', KEY_NAME)
        .executeTakeFirstOrThrow();
      return Buffer.from(row.value, 'base64');
    })();
    key.catch(() => keys.delete(db));
    keys.set(db, key);
  }
  return key;
}

/** A fresh link token for these grants, valid for `ttlSeconds` from `now`. */
export function signLink(
  key: Buffer,
  grant: Omit<LinkClaims, 'exp' | 'id'>,
  options: { readonly now: Date; readonly ttlSeconds: number },
): string {
  const claims: LinkClaims = {
    ...grant,
    exp: Math.floor(options.now.getTime() / 1000) + options.ttlSeconds,
    id: randomUUID(),
  };
  const body = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
  return `${body}.${mac(key, body)}`;
}

/** The link's claims, or LinkError saying why not. */
export function verifyLink(key: Buffer, token: string, purpose: string, now: Date): LinkClaims {
  const [body, signature, ...rest] = token.split('.');
  if (!body || !signature || rest.length > 0 || token.length > 4096) throw new LinkError('malformed');
  const expected = Buffer.from(mac(key, body), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new LinkError('bad_signature');
  let claims: LinkClaims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as LinkClaims;
  } catch {
    throw new LinkError('malformed');
  }
  if (typeof claims.exp !== 'number' || typeof claims.id !== 'string') throw new LinkError('malformed');
  if (claims.purpose !== purpose) throw new LinkError('wrong_purpose');
  if (claims.exp * 1000 <= now.getTime()) throw new LinkError('expired');
  return claims;
}

/** Marks a single-use link as used; false when it was used before. Call it in the transaction that acts. */
export async function spendLink(trx: Kysely<Database>, claims: LinkClaims): Promise<boolean> {
  const result = await trx
    .insertInto('spent_links')
    .values({ link_id: claims.id, org_id: claims.orgId, purpose: claims.purpose })
    .onConflict((oc) => oc.column('link_id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

function mac(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(body, 'utf8').digest('base64url');
}
