import { createHash, randomBytes } from 'node:crypto';

/** A new staff API token: shown once, stored only as its hash. */
export function generateToken(): string {
  return `rd_${randomBytes(32).toString('base64url')}`;
}

/** What we store and look up: sha256 of the token, hex. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
