import { Client, Environment, type OAuthToken } from '@paypal/paypal-server-sdk';
import axios, { type AxiosAdapter } from 'axios';

export interface PayPalClientOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Replaces PayPal's host (a sandbox, a recording proxy); unset: PayPal's own host for `environment`. */
  readonly baseUrl?: string | undefined;
  readonly environment: 'sandbox' | 'live';
  readonly timeoutMs: number;
}

/** An SDK client plus the OAuth failure the SDK would otherwise hide (see below). */
export interface PayPalClient {
  readonly client: Client;
  /** The error behind an "OAuth token is expired" rejection: the real reason the token could not be had. */
  tokenFailure(): unknown;
}

/** A token the SDK sees as expired, so it asks our provider again on the next call. */
const EXPIRED_TOKEN: OAuthToken = { accessToken: '', tokenType: 'Bearer', expiry: 0n };

/**
 * Builds the official SDK client. Three things the SDK does not offer directly:
 * - no base URL option: an axios adapter given through `unstable_httpClientOptions` rewrites PayPal's host
 *   (the SDK's `proxySettings` route through a CONNECT proxy instead, which a plain HTTP sandbox never answers);
 * - retries: its retry interceptor is switched off, because our engine owns retries and an SDK retry would
 *   hide a lost response;
 * - OAuth: the SDK keeps the last token promise, so one failed token fetch (a timeout, a 401) would poison
 *   every later call; our provider turns a failure into an expired token and remembers why.
 */
export function createPayPalClient(options: PayPalClientOptions): PayPalClient {
  let lastTokenFailure: unknown;
  const client = new Client({
    environment: options.environment === 'live' ? Environment.Production : Environment.Sandbox,
    timeout: options.timeoutMs,
    clientCredentialsAuthCredentials: {
      oAuthClientId: options.clientId,
      oAuthClientSecret: options.clientSecret,
      oAuthTokenProvider: async (lastToken, manager) => {
        try {
          const token = await manager.updateToken(lastToken?.accessToken ? lastToken : undefined);
          lastTokenFailure = undefined;
          return token;
        } catch (error) {
          lastTokenFailure = error;
          return EXPIRED_TOKEN;
        }
      },
    },
    httpClientOptions: {
      timeout: options.timeoutMs,
      retryConfig: { maxNumberOfRetries: 0, retryOnTimeout: false, httpStatusCodesToRetry: [], httpMethodsToRetry: [] },
    },
    unstable_httpClientOptions: options.baseUrl ? { adapter: hostRewritingAdapter(options.baseUrl) } : undefined,
  });
  return { client, tokenFailure: () => lastTokenFailure };
}

/** Sends every SDK request to `baseUrl` instead of PayPal's host, keeping path and query. */
export function hostRewritingAdapter(baseUrl: string): AxiosAdapter {
  const target = new URL(baseUrl);
  const prefix = target.pathname.replace(/\/$/, '');
  const httpAdapter = axios.getAdapter('http');
  return (config) => {
    const original = new URL(config.url ?? '/', 'https://api-m.paypal.com');
    const url = new URL(`${prefix}${original.pathname}${original.search}`, target.origin);
    return httpAdapter({ ...config, url: url.toString() });
  };
}
