import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('configuration', () => {
  it('has development defaults: 127.0.0.1:3000 on embedded PGlite', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ HOST: '127.0.0.1', PORT: 3000, DATA_DIR: '.data/pglite' });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ NODE_ENV: 'production' }, 'JWT_SECRET'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ STATEMENT_TIMEOUT_MS: '0' }, 'STATEMENT_TIMEOUT_MS'],
    [{ REQUEST_TIMEOUT_MS: 'forever' }, 'REQUEST_TIMEOUT_MS'],
  ])('fails fast naming the wrong variable: %o', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(new RegExp(`${variable}:`));
  });

  it('caps what one request may cost by default: 5 s a statement, 10 s a request', () => {
    expect(loadConfig({})).toMatchObject({ STATEMENT_TIMEOUT_MS: 5_000, REQUEST_TIMEOUT_MS: 10_000 });
  });

  it('reads a CORS allow-list', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example' }).CORS_ORIGINS).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
  });
});
