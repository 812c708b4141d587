import { createHmac, timingSafeEqual } from 'node:crypto';

/** Claims of a ZAF secure request's JWT (set by the app's code; `iat`/`exp` added by Zendesk's proxy). */
export interface ZafClaims {
  readonly iss?: string;
  readonly aud?: string;
  readonly sub?: string;
  readonly ticket_id?: string;
  readonly jti?: string;
  readonly iat?: number;
  readonly exp?: number;
  readonly [claim: string]: unknown;
}

export type ZafJwtProblem = 'malformed' | 'bad_signature' | 'expired' | 'not_yet_valid' | 'wrong_audience' | 'no_jti';

export class ZafJwtError extends Error {
  constructor(readonly problem: ZafJwtProblem) {
    super(`sidebar token refused: ${problem}`);
    this.name = 'ZafJwtError';
  }
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** Signs HS256 as Zendesk's proxy does for `jwt: {algorithm: 'HS256', secret_key, expiry, claims}`. */
export function signZafJwt(claims: ZafClaims, secret: string): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

export interface ZafJwtCheck {
  /** Every secret accepted (old and new during rotation). */
  readonly secrets: readonly string[];
  readonly audience: string;
  readonly nowSeconds: number;
  /** Clock skew allowed on `iat` (default 30 s). */
  readonly skewSeconds?: number;
}

/** Verifies signature (HS256 only, constant time), `exp`, `iat`, `aud` and the presence of `jti`. */
export function verifyZafJwt(token: string, check: ZafJwtCheck): ZafClaims {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) throw new ZafJwtError('malformed');
  const [head, body, signature] = parts as [string, string, string];
  let header: { alg?: unknown };
  let claims: ZafClaims;
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: unknown };
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as ZafClaims;
  } catch {
    throw new ZafJwtError('malformed');
  }
  // the algorithm is ours to choose, never the token's ("none", RS/HS confusion)
  if (header.alg !== 'HS256' || typeof claims !== 'object' || claims === null) throw new ZafJwtError('malformed');
  const presented = Buffer.from(signature, 'base64url');
  let isValid = false;
  for (const secret of check.secrets) {
    const expected = createHmac('sha256', secret).update(`${head}.${body}`).digest();
    if (presented.length === expected.length && timingSafeEqual(presented, expected)) isValid = true;
  }
  if (!isValid) throw new ZafJwtError('bad_signature');
  const skew = check.skewSeconds ?? 30;
  if (typeof claims.exp !== 'number' || claims.exp <= check.nowSeconds) throw new ZafJwtError('expired');
  if (typeof claims.iat === 'number' && claims.iat > check.nowSeconds + skew) throw new ZafJwtError('not_yet_valid');
  if (claims.aud !== check.audience) throw new ZafJwtError('wrong_audience');
  if (typeof claims.jti !== 'string' || claims.jti.length < 8 || claims.jti.length > 200)
    throw new ZafJwtError('no_jti');
  return claims;
}
