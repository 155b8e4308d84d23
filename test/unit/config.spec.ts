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

  it('requires a webhook secret key in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32) })).toThrow(/WEBHOOK_SECRET_KEY is missing/);
  });

  it('rejects the development webhook key in production', () => {
    const developmentKey = loadConfig({}).WEBHOOK_SECRET_KEY.toString('hex');
    const production = {
      NODE_ENV: 'production',
      SESSION_SECRET: 'x'.repeat(32),
      DATABASE_URL: 'postgres://postgres@db.internal:5432/portal',
      REDIS_URL: 'redis://cache.internal:6379',
      WEBHOOK_SECRET_KEY: developmentKey,
    };

    expect(() => loadConfig(production)).toThrow(/WEBHOOK_SECRET_KEY is set to the built-in development value/);
    expect(loadConfig({ ...production, WEBHOOK_SECRET_KEY: 'ab'.repeat(32) }).WEBHOOK_SECRET_KEY).toHaveLength(32);
  });

  it('reads webhook keys as hex or base64', () => {
    const key = Buffer.alloc(32, 7);

    expect(loadConfig({ WEBHOOK_SECRET_KEY: key.toString('hex') }).WEBHOOK_SECRET_KEY).toEqual(key);
    expect(loadConfig({ WEBHOOK_SECRET_KEY: key.toString('base64') }).WEBHOOK_SECRET_KEY).toEqual(key);
    expect(() => loadConfig({ WEBHOOK_SECRET_KEY: 'short' })).toThrow(/WEBHOOK_SECRET_KEY must be 32 random bytes/);
  });

  it('reads DNS servers with optional ports', () => {
    expect(loadConfig({ DNS_SERVERS: '127.0.0.1:5353, [::1]:53,9.9.9.9' }).DNS_SERVERS).toEqual(['127.0.0.1:5353', '[::1]:53', '9.9.9.9']);
    expect(() => loadConfig({ DNS_SERVERS: 'dns.example:53' })).toThrow(/DNS_SERVERS must list IP addresses/);
    expect(() => loadConfig({ DNS_SERVERS: '127.0.0.1:99999' })).toThrow(/DNS_SERVERS/);
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
