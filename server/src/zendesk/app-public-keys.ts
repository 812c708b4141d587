import type { KeyObject } from 'node:crypto';
import { readPublicKey } from '../connectors/zendesk/zaf-signed-url.js';
import { withHelpdeskRetries } from './helpdesk-retry.js';
import type { ZendeskConnection } from './zendesk-connections.js';

const KEEP_MS = 60 * 60_000;
/** A token that fails with the cached key may mean Zendesk rotated it: re-read at most this often. */
const REFRESH_GAP_MS = 5 * 60_000;

const cache = new Map<string, { keys: KeyObject[]; until: number; fetchedAt: number }>();

/** One or more PEM blocks (a new key beside the old while rotating). */
function readPems(text: string): KeyObject[] {
  const blocks = text
    .replaceAll('\\n', '\n')
    .match(/-----BEGIN [A-Z ]*PUBLIC KEY-----[\s\S]+?-----END [A-Z ]*PUBLIC KEY-----/g);
  if (!blocks?.length) throw new Error('no PEM public key found');
  return blocks.map(readPublicKey);
}

/**
 * The public key(s) that verify the sidebar app's signed-URL tokens: the configured PEM, else the
 * key Zendesk serves for the app (`GET /api/v2/apps/{id}/public_key.pem`), kept an hour. With
 * `refresh` (the cached key did not verify a token) the key is read again, at most every 5 minutes.
 */
export async function appPublicKeys(
  connection: ZendeskConnection,
  options: { readonly refresh?: boolean } = {},
): Promise<KeyObject[]> {
  const settings = connection.signedUrls;
  if (!settings) return [];
  if (settings.publicKeyPem) return readPems(settings.publicKeyPem);
  if (!settings.appId) return [];
  const key = `${connection.orgId}:${settings.appId}`;
  const hit = cache.get(key);
  const now = Date.now();
  const mayRefresh = options.refresh && (!hit || now - hit.fetchedAt >= REFRESH_GAP_MS);
  if (hit && hit.until > now && !mayRefresh) return hit.keys;
  const pem = await withHelpdeskRetries(() => connection.helpdesk.getAppPublicKey({ appId: settings.appId as string }));
  const keys = readPems(pem);
  cache.set(key, { keys, until: now + KEEP_MS, fetchedAt: now });
  return keys;
}
