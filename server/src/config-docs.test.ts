import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configSchema } from './config.js';

const CONFIGURATION = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

/** Variables named in the first column of the tables of docs/configuration.md. */
function documentedVariables(): string[] {
  return [...CONFIGURATION.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/gm)].map((m) => m[1] ?? '');
}

describe('docs/configuration.md', () => {
  it('documents exactly the variables config.ts reads', () => {
    expect(documentedVariables().sort()).toEqual(Object.keys(configSchema.shape).sort());
  });
});
