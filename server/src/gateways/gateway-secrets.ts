import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** An encrypted value as stored: base64 ciphertext, 12-byte IV and 16-byte GCM tag. */
export interface SealedSecret {
  readonly ciphertext: string;
  readonly iv: string;
  readonly tag: string;
}

function keyOf(secretsKey: string): Buffer {
  const key = Buffer.from(secretsKey, 'base64');
  if (key.length !== 32) throw new Error('SECRETS_KEY must be 32 bytes, base64');
  return key;
}

/**
 * AES-256-GCM with a fresh IV per value. `aad` (organisation and vendor) is authenticated, so a
 * row copied to another organisation or vendor does not decrypt.
 */
export function sealSecret(secretsKey: string, plaintext: string, aad: string): SealedSecret {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secretsKey), iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    ciphertext: ciphertext.toString('base64'),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

/** Decrypts a sealed value; throws when the key, the AAD or any byte is wrong. */
export function openSecret(secretsKey: string, sealed: SealedSecret, aad: string): string {
  const decipher = createDecipheriv('aes-256-gcm', keyOf(secretsKey), Buffer.from(sealed.iv, 'base64'));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8');
}
