import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  agentSubject,
  installationAudience,
  type SignedUrlClaims,
  SignedUrlError,
  signSignedUrlToken,
  verifySignedUrlToken,
} from './zaf-signed-url.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const NOW = 1_800_000_000;
const check = { publicKeys: [publicKey], subdomain: 'acme', installationId: '360001', nowSeconds: NOW };
const claims = (overrides: Partial<SignedUrlClaims> = {}): SignedUrlClaims => ({
  iss: 'acme.zendesk.com',
  aud: installationAudience('acme', '360001'),
  sub: agentSubject('acme', '10042'),
  iat: NOW - 10,
  nbf: NOW - 10,
  exp: NOW + 290,
  context: { product: 'support', location: 'ticket_sidebar' },
  cnf: { jku: 'https://acme.zendesk.com/api/v2/apps/1/public_key.pem' },
  ...overrides,
});
const problem = (token: string) => {
  try {
    verifySignedUrlToken(token, check);
    return 'accepted';
  } catch (error) {
    return error instanceof SignedUrlError ? error.problem : 'threw';
  }
};

describe('ZAF signed-URL tokens', () => {
  it('accepts what Zendesk signs and names the agent from sub', () => {
    expect(verifySignedUrlToken(signSignedUrlToken(claims(), privateKey), check)).toMatchObject({
      userId: '10042',
      expiresAt: NOW + 290,
    });
  });

  it.each([
    ['an expired token', { exp: NOW - 1 }, 'expired'],
    ['a token issued in the future', { iat: NOW + 120, exp: NOW + 400 }, 'not_yet_valid'],
    ['a token not valid before later', { nbf: NOW + 120 }, 'not_yet_valid'],
    ['a token that lives an hour', { iat: NOW - 10, exp: NOW + 3600 }, 'too_long_lived'],
    ['another account', { iss: 'other.zendesk.com' }, 'wrong_issuer'],
    ['another installation', { aud: installationAudience('acme', '999') }, 'wrong_audience'],
    ['no audience', { aud: undefined }, 'wrong_audience'],
    ['an agent of another account', { sub: agentSubject('other', '10042') }, 'bad_subject'],
    ['a subject that is no user', { sub: 'https://acme.zendesk.com/api/v2/groups/4.json' }, 'bad_subject'],
    ['another location', { context: { product: 'support', location: 'user_sidebar' } }, 'wrong_location'],
  ] as const)('refuses %s', (_, overrides, expected) => {
    expect(problem(signSignedUrlToken(claims(overrides as Partial<SignedUrlClaims>), privateKey))).toBe(expected);
  });

  it('chooses the algorithm itself: HS256 or none with the same claims is refused', () => {
    const body = Buffer.from(JSON.stringify(claims())).toString('base64url');
    for (const alg of ['HS256', 'none', 'RS512']) {
      const head = Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url');
      expect(problem(`${head}.${body}.AAAA`)).toBe('wrong_algorithm');
    }
  });

  // (the last character is left out: its low bits carry no signature bytes in base64url)
  it('refuses any change to a signed token', () => {
    const token = signSignedUrlToken(claims(), privateKey);
    fc.assert(
      fc.property(fc.nat({ max: token.length - 2 }), fc.constantFrom(...'ABCabc012-_'), (at, char) => {
        fc.pre(token[at] !== char && token[at] !== '.');
        const changed = `${token.slice(0, at)}${char}${token.slice(at + 1)}`;
        expect(problem(changed)).not.toBe('accepted');
      }),
      { numRuns: 200 },
    );
  });

  it('never throws anything but its own error on free-form input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (input) => {
        expect(problem(input)).not.toBe('threw');
        expect(problem(input)).not.toBe('accepted');
      }),
    );
  });
});
