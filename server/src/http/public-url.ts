import type { Config } from '../config.js';

/**
 * The URL a vendor signed for this request: behind a proxy the server sees its own address, so with
 * PUBLIC_URL set the public origin replaces it (path kept, query too when `withSearch`).
 */
export function publicRequestUrl(
  config: Pick<Config, 'PUBLIC_URL'>,
  requestUrl: string,
  options: { readonly withSearch?: boolean } = {},
): string {
  const base = config.PUBLIC_URL?.replace(/\/$/, '');
  if (!base) return requestUrl;
  const url = new URL(requestUrl);
  return `${base}${url.pathname}${options.withSearch ? url.search : ''}`;
}
