import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.js';

describe('parseConfig', () => {
  it('runs with no environment at all on embedded defaults', () => {
    const config = parseConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.dataDir.endsWith('/data')).toBe(true);
    expect(config.SANDBOX).toBe(false);
  });

  it('names every bad variable at once', () => {
    const attempt = () =>
      parseConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', BOOTSTRAP_ADMIN_TOKEN: 'short' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const variables = (error as ConfigError).problems.map((p) => p.variable).sort();
      expect(variables).toEqual(['BOOTSTRAP_ADMIN_TOKEN', 'DATABASE_URL', 'LOG_LEVEL', 'PORT']);
      expect((error as Error).message).toContain('PORT:');
      expect((error as Error).message).toContain('DATABASE_URL:');
    }
  });

  it('treats empty strings as unset and resolves DATA_DIR from where the user ran npm', () => {
    const config = parseConfig({ PORT: '', DATA_DIR: 'store', INIT_CWD: '/srv/desk' });
    expect(config.PORT).toBe(3000);
    expect(config.dataDir).toBe('/srv/desk/store');
  });

  it('rejects a port out of range and a malformed secrets key', () => {
    expect(() => parseConfig({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => parseConfig({ SECRETS_KEY: 'not-base64' })).toThrow(/SECRETS_KEY/);
  });
});
