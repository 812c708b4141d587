import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configSchema } from './config.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** Variables named in the first column of the README's "Configuration" tables. */
function documentedVariables(): string[] {
  const section = README.split(/^## /m).find((s) => s.startsWith('Configuration'));
  if (!section) throw new Error('README has no "## Configuration" section');
  return [...section.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/gm)].map((m) => m[1] ?? '');
}

describe('README configuration table', () => {
  it('documents exactly the variables config.ts reads', () => {
    expect(documentedVariables().sort()).toEqual(Object.keys(configSchema.shape).sort());
  });
});
