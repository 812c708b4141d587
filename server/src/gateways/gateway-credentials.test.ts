import { describe, expect, it } from 'vitest';
import { newestSecret, secretList } from './gateway-credentials.js';

describe('webhook secret rotation lists', () => {
  it('accepts every listed secret and signs with the newest', () => {
    expect(secretList('whsec_old, whsec_new')).toEqual(['whsec_old', 'whsec_new']);
    expect(secretList('only')).toEqual(['only']);
    expect(secretList(' , a ,, ')).toEqual(['a']);
    expect(newestSecret('whsec_old,whsec_new')).toBe('whsec_new');
    expect(newestSecret(undefined)).toBeUndefined();
  });
});
