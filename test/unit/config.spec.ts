import * as path from 'node:path';
import { ConfigError, DEFAULT_ADMIN, DEFAULT_SMTP_FROM, loadConfig } from '../../src/config/config';
import { uuidFromName } from '../../src/common/idempotency';

describe('configuration', () => {
  it('has defaults that need nothing set', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c).toMatchObject({
      port: 3000,
      dataDir: path.resolve('/srv/app/data'),
      databaseUrl: undefined,
      databaseConnectTimeoutMs: 5000,
      temporal: {
        address: undefined,
        namespace: 'default',
        taskQueue: 'nominations',
        tls: undefined,
        requestTimeoutMs: 10_000,
      },
      admin: DEFAULT_ADMIN,
      smtp: undefined,
      login: { maxFailures: 5, windowSeconds: 900, maxAttemptsPerAddress: 30 },
      corsOrigins: undefined,
    });
  });

  it.each([
    [{ PORT: 'abc' }, "PORT must be a port number 0-65535, got 'abc'"],
    [{ PORT: '70000' }, "PORT must be a port number 0-65535, got '70000'"],
    [
      { DATABASE_URL: 'not a url' },
      'DATABASE_URL is not a valid URL (expected postgres://user:password@host:port/database)',
    ],
    [
      { DATABASE_URL: 'mysql://h/db' },
      "DATABASE_URL must start with postgres:// or postgresql://, got 'mysql://'",
    ],
    [
      { DATABASE_URL: 'postgres://localhost' },
      'DATABASE_URL must name a host and a database (postgres://user:password@host:port/database)',
    ],
    [{ TEMPORAL_ADDRESS: 'localhost' }, "TEMPORAL_ADDRESS must be host:port, got 'localhost'"],
    [
      { TEMPORAL_REQUEST_TIMEOUT_MS: '0' },
      "TEMPORAL_REQUEST_TIMEOUT_MS must be a whole number from 100 to 600000, got '0'",
    ],
    [
      { DATABASE_CONNECT_TIMEOUT_MS: '5s' },
      "DATABASE_CONNECT_TIMEOUT_MS must be a whole number from 100 to 600000, got '5s'",
    ],
    [{ TEMPORAL_TLS: 'maybe' }, "TEMPORAL_TLS must be true or false, got 'maybe'"],
    [
      { TEMPORAL_TLS_CERT_PATH: '/c.pem' },
      'TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH must be set together',
    ],
    [{ LOG_LEVEL: 'loud' }, "LOG_LEVEL must be one of debug, info, warn, error; got 'loud'"],
    [{ SMTP_URL: 'mail.example.org' }, 'SMTP_URL must be smtp://[user:password@]host[:port] or smtps://…'],
    [
      { SMTP_URL: 'https://user:secret@mail.example.org' },
      'SMTP_URL must be smtp://[user:password@]host[:port] or smtps://…',
    ],
    [{ SMTP_URL: 'smtp://' }, 'SMTP_URL must be smtp://[user:password@]host[:port] or smtps://…'],
    [
      { SMTP_URL: 'smtp://mail.example.org', SMTP_FROM: 'Dân vận khéo' },
      `SMTP_FROM must be an address such as "Name" <no-reply@example.org>, got 'Dân vận khéo'`,
    ],
    [
      { NODE_ENV: 'production', ADMIN_PASSWORD: 'a-real-password' },
      'JWT_SECRET must be set in production (the default secret is public)',
    ],
    [
      { NODE_ENV: 'production', JWT_SECRET: 's3cret-s3cret' },
      'ADMIN_PASSWORD must be set in production (the default password is public)',
    ],
    [
      {
        NODE_ENV: 'production',
        JWT_SECRET: 's3cret-s3cret',
        ADMIN_PASSWORD: 'a-real-password',
        DEMO_DATA: 'true',
      },
      'DEMO_PASSWORD must be set when DEMO_DATA=true in production (the default is public)',
    ],
    [{ DEMO_DATA: 'sometimes' }, "DEMO_DATA must be true or false, got 'sometimes'"],
    [{ DEMO_PASSWORD: 'short' }, 'DEMO_PASSWORD must be at least 8 characters'],
    [{ LOGIN_MAX_FAILURES: '0' }, "LOGIN_MAX_FAILURES must be a positive integer, got '0'"],
    [{ LOGIN_MAX_FAILURES: 'five' }, "LOGIN_MAX_FAILURES must be a positive integer, got 'five'"],
    [{ LOGIN_WINDOW_SECONDS: '-60' }, "LOGIN_WINDOW_SECONDS must be a positive integer, got '-60'"],
    [{ LOGIN_WINDOW_SECONDS: '1.5' }, "LOGIN_WINDOW_SECONDS must be a positive integer, got '1.5'"],
    [
      { LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '0' },
      "LOGIN_MAX_ATTEMPTS_PER_ADDRESS must be a positive integer, got '0'",
    ],
    ...['*', 'danvan.example.vn', 'https://danvan.example.vn/app', 'ftp://danvan.example.vn'].map(
      (origin): [Record<string, string>, string] => [
        { CORS_ORIGINS: `http://localhost:5173,${origin}` },
        'CORS_ORIGINS must list origins such as https://danvan.example.vn (scheme, host and port only, ' +
          `no '*'), got '${origin}'`,
      ],
    ),
  ])('refuses %j with one clear line', (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError(message));
  });

  it('seeds demo data by default except in production', () => {
    expect(loadConfig({}).demo).toEqual({ enabled: true, password: 'demo-password' });
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: 's3cret-s3cret',
      ADMIN_PASSWORD: 'a-real-password',
    };
    expect(loadConfig(production).demo.enabled).toBe(false);
    expect(loadConfig({ ...production, DEMO_DATA: 'true', DEMO_PASSWORD: 'another-secret' }).demo).toEqual({
      enabled: true,
      password: 'another-secret',
    });
  });

  it('sends email only when SMTP_URL is set, from SMTP_FROM or a default sender', () => {
    expect(loadConfig({ SMTP_URL: 'smtp://127.0.0.1:2525' }).smtp).toEqual({
      url: 'smtp://127.0.0.1:2525',
      from: DEFAULT_SMTP_FROM,
    });
    const from = '"Ban Dân vận Tỉnh ủy" <danvan@binhthuan.example>';
    expect(loadConfig({ SMTP_URL: 'smtps://user:pass@mail.example.org:465', SMTP_FROM: from }).smtp).toEqual({
      url: 'smtps://user:pass@mail.example.org:465',
      from,
    });
    expect(loadConfig({ SMTP_FROM: from }).smtp).toBeUndefined();
  });

  it('drains the email outbox every second, 10 at a time, retrying after 10 s doubling to 10 min, unless told otherwise', () => {
    expect(loadConfig({}).emailSender).toEqual({
      pollIntervalMs: 1000,
      batchSize: 10,
      retryMinMs: 10_000,
      retryMaxMs: 600_000,
      claimMs: 120_000,
    });
    expect(
      loadConfig({
        EMAIL_POLL_INTERVAL_MS: '50',
        EMAIL_BATCH_SIZE: '100',
        EMAIL_RETRY_MIN_MS: '100',
        EMAIL_RETRY_MAX_MS: '100',
        EMAIL_CLAIM_MS: '10000',
      }).emailSender,
    ).toEqual({ pollIntervalMs: 50, batchSize: 100, retryMinMs: 100, retryMaxMs: 100, claimMs: 10_000 });
  });

  it.each([
    [
      { EMAIL_POLL_INTERVAL_MS: '5' },
      "EMAIL_POLL_INTERVAL_MS must be a whole number from 10 to 600000, got '5'",
    ],
    [{ EMAIL_BATCH_SIZE: '0' }, "EMAIL_BATCH_SIZE must be a whole number from 1 to 100, got '0'"],
    [{ EMAIL_CLAIM_MS: '999' }, "EMAIL_CLAIM_MS must be a whole number from 1000 to 3600000, got '999'"],
    [{ EMAIL_BATCH_SIZE: '101' }, "EMAIL_BATCH_SIZE must be a whole number from 1 to 100, got '101'"],
    [
      { EMAIL_RETRY_MIN_MS: '1e4' },
      "EMAIL_RETRY_MIN_MS must be a whole number from 10 to 3600000, got '1e4'",
    ],
    [{ EMAIL_RETRY_MAX_MS: '-1' }, "EMAIL_RETRY_MAX_MS must be a whole number from 10 to 86400000, got '-1'"],
    [
      { EMAIL_RETRY_MIN_MS: '60000', EMAIL_RETRY_MAX_MS: '30000' },
      'EMAIL_RETRY_MAX_MS must be at least EMAIL_RETRY_MIN_MS (60000), got 30000',
    ],
  ])('refuses the email sender setting %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError(message));
  });

  it('never echoes an SMTP_URL, which may carry a password', () => {
    expect(() => loadConfig({ SMTP_URL: 'http://user:s3cret@mail.example.org' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('s3cret') }),
    );
  });

  it('throttles sign-in with the limits given', () => {
    const c = loadConfig({
      LOGIN_MAX_FAILURES: '3',
      LOGIN_WINDOW_SECONDS: '60',
      LOGIN_MAX_ATTEMPTS_PER_ADDRESS: ' 10 ',
    });
    expect(c.login).toEqual({ maxFailures: 3, windowSeconds: 60, maxAttemptsPerAddress: 10 });
  });

  it('allows cross-origin browser calls only from CORS_ORIGINS', () => {
    expect(loadConfig({}).corsOrigins).toBeUndefined();
    expect(loadConfig({ CORS_ORIGINS: ' , ' }).corsOrigins).toBeUndefined();
    expect(
      loadConfig({
        CORS_ORIGINS:
          'https://danvan.binhthuan.example.vn, http://localhost:5173/,https://danvan.binhthuan.example.vn',
      }).corsOrigins,
    ).toEqual(['https://danvan.binhthuan.example.vn', 'http://localhost:5173']);
  });

  it('turns TLS on for an API key (Temporal Cloud)', () => {
    const c = loadConfig({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'key' });
    expect(c.temporal.tls).toEqual({}); // TLS with the system's CAs, no client certificate
    expect(c.temporal.apiKey).toBe('key');
    expect(loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233' }).temporal.tls).toBeUndefined();
  });
});

describe('idempotency ids', () => {
  it('derives the same UUID from the same name and different ones from different names', () => {
    const a = uuidFromName('user-1:key-1');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidFromName('user-1:key-1')).toBe(a);
    expect(uuidFromName('user-2:key-1')).not.toBe(a);
  });
});
