import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

/**
 * ZAF signed URLs ("Authenticating Zendesk in your server-side app"; manifest `signedUrls: true`):
 * when Zendesk loads the app's location URL it POSTs a form field `token`, a JWT Zendesk signs
 * with the app's private key (RS256). Claims as Zendesk documents them:
 * `iss` the account host (`{subdomain}.zendesk.com`), `aud` the installation
 * (`https://{subdomain}.zendesk.com/api/v2/apps/installations/{id}.json`), `sub` the agent
 * (`https://{subdomain}.zendesk.com/api/v2/users/{id}.json`), `iat`/`nbf`/`exp` (five minutes),
 * `context` (`product`, `location`), `cnf.jku` (the key's URL), `qsh`. The browser only carries it.
 */
export interface SignedUrlClaims {
  readonly iss?: unknown;
  readonly aud?: unknown;
  readonly sub?: unknown;
  readonly iat?: unknown;
  readonly nbf?: unknown;
  readonly exp?: unknown;
  readonly context?: { readonly product?: unknown; readonly location?: unknown } | undefined;
  readonly [claim: string]: unknown;
}

export type SignedUrlProblem =
  | 'malformed'
  | 'wrong_algorithm'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'too_long_lived'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'bad_subject'
  | 'wrong_location';

export class SignedUrlError extends Error {
  constructor(readonly problem: SignedUrlProblem) {
    super(`Zendesk app token refused: ${problem}`);
    this.name = 'SignedUrlError';
  }
}

export interface SignedUrlCheck {
  /** The app's public key(s) (a new key while Zendesk rotates it). */
  readonly publicKeys: readonly KeyObject[];
  readonly subdomain: string;
  readonly installationId: string;
  readonly nowSeconds: number;
  /** Clock skew allowed on iat/nbf (default 60 s). */
  readonly skewSeconds?: number;
  /** Longest exp − iat accepted (Zendesk issues five minutes; default 600 s). */
  readonly maxLifetimeSeconds?: number;
}

export interface VerifiedSignedUrl {
  readonly claims: SignedUrlClaims;
  /** The agent the token is for (Zendesk user id from `sub`). */
  readonly userId: string;
  readonly expiresAt: number;
}

/** The audience Zendesk puts in the token of one installation. */
export const installationAudience = (subdomain: string, installationId: string) =>
  `https://${subdomain}.zendesk.com/api/v2/apps/installations/${installationId}.json`;

/** The subject Zendesk puts in the token for one agent. */
export const agentSubject = (subdomain: string, userId: string) =>
  `https://${subdomain}.zendesk.com/api/v2/users/${userId}.json`;

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** Signs a token as Zendesk does (the sandbox and tests stand in for Zendesk with their own key). */
export function signSignedUrlToken(claims: SignedUrlClaims, privateKey: KeyObject): string {
  const head = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256' }));
  const body = b64url(JSON.stringify(claims));
  return `${head}.${body}.${sign('RSA-SHA256', Buffer.from(`${head}.${body}`), privateKey).toString('base64url')}`;
}

/** A PEM public key (SPKI or PKCS#1) as a KeyObject; throws on anything else. */
export function readPublicKey(pem: string): KeyObject {
  const key = createPublicKey(pem.replaceAll('\\n', '\n'));
  if (key.asymmetricKeyType !== 'rsa') throw new Error('the Zendesk app key must be an RSA public key');
  return key;
}

function userIdOf(sub: unknown, subdomain: string): string {
  const text = typeof sub === 'number' ? String(sub) : typeof sub === 'string' ? sub : '';
  if (/^[1-9][0-9]{0,18}$/.test(text)) return text;
  const match = /^https:\/\/([a-z0-9-]+)\.zendesk\.com\/api\/v2\/users\/([1-9][0-9]{0,18})\.json$/.exec(text);
  if (!match || match[1] !== subdomain) throw new SignedUrlError('bad_subject');
  return match[2] as string;
}

/**
 * Verifies a signed-URL token: RS256 only (the algorithm is ours to choose, never the token's),
 * the signature with one of the app's keys, `exp` in the future, `iat`/`nbf` not in the future,
 * a lifetime no longer than Zendesk issues, `iss` this account, `aud` this installation, `sub`
 * an agent of this account, and `context` (when present) a Support ticket sidebar.
 */
export function verifySignedUrlToken(token: string, check: SignedUrlCheck): VerifiedSignedUrl {
  const parts = token.split('.');
  if (token.length > 8192 || parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) {
    throw new SignedUrlError('malformed');
  }
  const [head, body, signature] = parts as [string, string, string];
  let header: { alg?: unknown };
  let claims: SignedUrlClaims;
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: unknown };
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SignedUrlClaims;
  } catch {
    throw new SignedUrlError('malformed');
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new SignedUrlError('malformed');
  if (header.alg !== 'RS256') throw new SignedUrlError('wrong_algorithm');
  const data = Buffer.from(`${head}.${body}`);
  const presented = Buffer.from(signature, 'base64url');
  if (!check.publicKeys.some((key) => verify('RSA-SHA256', data, key, presented))) {
    throw new SignedUrlError('bad_signature');
  }
  const skew = check.skewSeconds ?? 60;
  const now = check.nowSeconds;
  const { exp, iat, nbf } = claims;
  if (typeof exp !== 'number' || exp <= now) throw new SignedUrlError('expired');
  if (typeof iat !== 'number' || iat > now + skew) throw new SignedUrlError('not_yet_valid');
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now + skew)) throw new SignedUrlError('not_yet_valid');
  if (exp - iat > (check.maxLifetimeSeconds ?? 600)) throw new SignedUrlError('too_long_lived');
  const host = `${check.subdomain}.zendesk.com`;
  if (claims.iss !== host && claims.iss !== `https://${host}`) throw new SignedUrlError('wrong_issuer');
  const audience = installationAudience(check.subdomain, check.installationId);
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(audience)) throw new SignedUrlError('wrong_audience');
  const userId = userIdOf(claims.sub, check.subdomain);
  const context = claims.context;
  if (context !== undefined) {
    if (typeof context !== 'object' || context === null) throw new SignedUrlError('wrong_location');
    if (context.product !== undefined && context.product !== 'support') throw new SignedUrlError('wrong_location');
    if (context.location !== undefined && context.location !== 'ticket_sidebar')
      throw new SignedUrlError('wrong_location');
  }
  return { claims, userId, expiresAt: exp };
}
