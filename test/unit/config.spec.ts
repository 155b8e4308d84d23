import { loadConfig } from '../../libs/config/src';

describe('loadConfig', () => {
  it('uses the local defaults', () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/portal');
    expect(config.APP_DATABASE_URL).toBe('postgres://portal_app@127.0.0.1:5432/portal');
    expect(config.PORTAL_PORT).toBe(3000);
  });

  it('names a malformed REDIS_URL', () => {
    expect(() => loadConfig({ REDIS_URL: 'not a url' })).toThrow(/REDIS_URL/);
  });

  it('names a wrong DATABASE_URL scheme', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://localhost/portal' })).toThrow(/DATABASE_URL must use postgres:/);
  });

  it('requires DATABASE_URL and REDIS_URL in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/DATABASE_URL is missing/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/REDIS_URL is missing/);
  });

  it('requires a session secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET is missing/);
  });

  it('lists every problem at once', () => {
    let message = '';
    try {
      loadConfig({ PORTAL_PORT: 'eighty', CONSOLE_PORT: '70000' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('PORTAL_PORT');
    expect(message).toContain('CONSOLE_PORT');
  });
});
